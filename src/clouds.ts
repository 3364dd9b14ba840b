/** The national clouds: each sets the authority host, the Graph host and the OIDC audience together. */
export type CloudName = 'global' | 'us-gov' | 'us-gov-dod' | 'china'

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

export const CLOUD_NAMES = Object.keys(CLOUDS) as CloudName[]
