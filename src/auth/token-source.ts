import {
  ConfidentialClientApplication,
  PublicClientApplication,
  type AuthenticationResult,
  type Configuration
} from '@azure/msal-node'
import type { Fetch } from '../http.js'
import { maskSecret, type ActionIO, type Clock } from '../io.js'
import type { PolicySettings, Settings } from '../settings/settings.js'
import { AuthFailure } from '../errors.js'
import { explainAuthError, type AuthErrorOptions, type OidcClaims } from './errors.js'
import { createRetryContext } from '../graph/retry.js'
import { msalNetworkModule } from './network.js'
import { githubAssertion, requireGithubOidc } from './oidc.js'

/** Hands out Graph access tokens; `refresh` asks Entra for a new one (after a 401). */
export interface TokenSource {
  token(refresh: boolean): Promise<string>
}

/** Scopes for Graph: `.default` for application flows, delegated ones for the password flow. */
export function graphScopes(
  settings: Pick<Settings, 'graphEndpoint' | 'credentials' | 'excludeGroups'> & {
    policy: Pick<PolicySettings, 'privilegedThresholdDays'>
  }
): string[] {
  const origin = new URL(settings.graphEndpoint).origin
  if (settings.credentials.method !== 'password') return [`${origin}/.default`]
  // subscribedSkus is read every run (licence names).
  const scopes = [
    `${origin}/User.Read.All`,
    `${origin}/AuditLog.Read.All`,
    `${origin}/LicenseAssignment.Read.All`
  ]
  const privileged = settings.policy.privilegedThresholdDays !== undefined
  if (privileged) scopes.push(`${origin}/RoleManagement.Read.Directory`)
  // Members of exclude-groups, and of role-assignable groups holding a role.
  if (settings.excludeGroups.length > 0 || privileged) scopes.push(`${origin}/GroupMember.Read.All`)
  return scopes
}

/** Renew a cached token this long before it expires, so a request never carries a dying one. */
const EXPIRY_MARGIN_MS = 5 * 60_000

/**
 * A token source over @azure/msal-node for every auth method. Every token is masked the moment
 * it arrives; errors are explained (explainAuthError).
 */
/** The sign-in settings: the explanations' fields, plus what the scopes need. */
export type TokenSourceOptions = AuthErrorOptions &
  Pick<Settings, 'graphEndpoint' | 'excludeGroups' | 'requestTimeoutMs'> & {
    policy: Pick<PolicySettings, 'privilegedThresholdDays'>
  }

export function createTokenSource(
  settings: TokenSourceOptions,
  io: ActionIO,
  fetch: Fetch,
  clock: Clock
): TokenSource {
  const { credentials } = settings
  const authorityUrl = new URL(settings.authorityHost)
  const auth: Configuration['auth'] = {
    clientId: settings.clientId,
    authority: `${settings.authorityHost}/${settings.tenantId}`,
    // Listing the host (with its port) makes msal trust it without public-cloud instance discovery.
    knownAuthorities: [authorityUrl.host]
  }
  const network = msalNetworkModule(fetch, createRetryContext(clock, io), settings.requestTimeoutMs)
  const system: Configuration['system'] = { networkClient: network }
  const scopes = graphScopes(settings)
  let claims: OidcClaims | undefined
  let acquire: (refresh: boolean) => Promise<AuthenticationResult | null>

  switch (credentials.method) {
    case 'client-secret':
    case 'client-certificate':
    case 'github-oidc': {
      if (credentials.method === 'client-secret') auth.clientSecret = credentials.clientSecret
      if (credentials.method === 'client-certificate') {
        // The key as msal gets it may differ from the input (decrypted, PKCS#8): mask it too.
        maskSecret(io, credentials.privateKey)
        auth.clientCertificate = {
          thumbprintSha256: credentials.thumbprintSha256,
          privateKey: credentials.privateKey,
          x5c: credentials.certificateChain
        }
      }
      if (credentials.method === 'github-oidc') {
        // msal calls back whenever it needs an assertion, so each token request gets a fresh one.
        auth.clientAssertion = async () => {
          const assertion = await githubAssertion(io, credentials.audience)
          claims = assertion.claims
          return assertion.token
        }
      }
      const app = new ConfidentialClientApplication({ auth, system })
      acquire = async (refresh) => {
        // Before any request: without the runner's OIDC variables there is nothing to sign in with.
        if (credentials.method === 'github-oidc') requireGithubOidc(io)
        return app.acquireTokenByClientCredential({ scopes, skipCache: refresh })
      }
      break
    }
    case 'password': {
      const app = credentials.clientSecret
        ? new ConfidentialClientApplication({
            auth: { ...auth, clientSecret: credentials.clientSecret },
            system
          })
        : new PublicClientApplication({ auth, system })
      acquire = () =>
        app.acquireTokenByUsernamePassword({
          scopes,
          username: credentials.username,
          password: credentials.password
        })
      break
    }
  }

  let cached: { token: string; expiresAt: number } | undefined
  const fetchToken = async (refresh: boolean): Promise<string> => {
    const now = clock.now().getTime()
    let result: AuthenticationResult | null
    network.reset()
    try {
      result = await acquire(refresh || cached !== undefined)
    } catch (error) {
      if (error instanceof AuthFailure) throw error
      throw explainAuthError(error, settings, {
        claims,
        networkFailure: network.lastFailure()
      })
    }
    if (!result?.accessToken) throw new AuthFailure('Entra ID returned no access token.')
    io.setSecret(result.accessToken)
    cached = {
      token: result.accessToken,
      expiresAt: result.expiresOn?.getTime() ?? now + 3_600_000
    }
    return result.accessToken
  }
  // Requests that need a token at once (a $batch's sub-requests answered 401 together) share one
  // token request; a refresh never shares one that may come from msal's cache.
  const inFlight = new Map<boolean, Promise<string>>()
  return {
    token(refresh) {
      if (!refresh && cached && cached.expiresAt - EXPIRY_MARGIN_MS > clock.now().getTime())
        return Promise.resolve(cached.token)
      let pending = inFlight.get(refresh)
      if (!pending) {
        pending = fetchToken(refresh).finally(() => inFlight.delete(refresh))
        inFlight.set(refresh, pending)
      }
      return pending
    }
  }
}
