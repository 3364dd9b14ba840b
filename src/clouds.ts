import type { GraphVersion, Source } from './settings/choices.js'

/** The national clouds: each sets the authority host, the Graph host and the OIDC audience together. */
export const CLOUD_NAMES = ['global', 'us-gov', 'us-gov-dod', 'china'] as const
export type CloudName = (typeof CLOUD_NAMES)[number]

export interface Cloud {
  authorityHost: string
  graphEndpoint: string
  oidcAudience: string
}

export const CLOUDS: Record<CloudName, Cloud> = {
  global: {
    authorityHost: 'https://login.microsoftonline.com',
    graphEndpoint: 'https://graph.microsoft.com',
    oidcAudience: 'api://AzureADTokenExchange'
  },
  'us-gov': {
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://graph.microsoft.us',
    oidcAudience: 'api://AzureADTokenExchangeUSGov'
  },
  'us-gov-dod': {
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://dod-graph.microsoft.us',
    oidcAudience: 'api://AzureADTokenExchangeUSGov'
  },
  china: {
    authorityHost: 'https://login.chinacloudapi.cn',
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    oidcAudience: 'api://AzureADTokenExchangeChina'
  }
}

/**
 * Where Microsoft offers what each source calls, per Graph version: each API page's "national
 * cloud deployments" table. List users, beta and v1.0: all four clouds
 * (https://learn.microsoft.com/graph/api/user-list); whether `signInActivity` is filled in outside
 * the global cloud no page says, so that is not refused here. List signIns v1.0: the global cloud
 * only (https://learn.microsoft.com/graph/api/signin-list); beta: reported in all four, the table
 * not confirmed (docs/setup.md, "What each cloud offers"), so only what a page rules out is refused.
 */
export const OFFERED_IN: Record<
  Source,
  { api: string; versions: Record<GraphVersion, readonly CloudName[]> }
> = {
  'sign-in-activity': { api: 'List users', versions: { beta: CLOUD_NAMES, 'v1.0': CLOUD_NAMES } },
  'sign-in-logs': { api: 'List signIns', versions: { beta: CLOUD_NAMES, 'v1.0': ['global'] } }
}
