import type { Settings } from '../settings/settings.js'
import { AuthFailure } from '../errors.js'
import type { NetworkFailure } from './network.js'

/** Non-secret claims of the GitHub OIDC token, printed when no federated credential matches. */
export interface OidcClaims {
  iss?: string
  sub?: string
  aud?: string | string[]
}

/** What the token source knows beyond msal's error. */
export interface AuthErrorContext {
  /** The last GitHub OIDC token's non-secret claims, when that flow was used. */
  claims?: OidcClaims
  /** A request that got no answer, or not Entra's answer (msal hides the cause). */
  networkFailure?: NetworkFailure
}

/** What an explanation names: the app, the tenant, the authority and the credential. */
export type AuthErrorOptions = Pick<
  Settings,
  'tenantId' | 'clientId' | 'authorityHost' | 'credentials'
>

/** Turns an msal error into one message that says what failed and how to fix it. */
export function explainAuthError(
  error: unknown,
  settings: AuthErrorOptions,
  context: AuthErrorContext = {}
): AuthFailure {
  const { claims, networkFailure } = context
  const { tenantId, clientId, authorityHost } = settings
  const host = new URL(authorityHost).host
  const err = error as { errorCode?: string; errorMessage?: string; message?: string }
  const text = `${err.errorMessage ?? ''} ${err.message ?? ''}`
  const code = /AADSTS(\d+)/.exec(text)?.[1]
  const username =
    settings.credentials.method === 'password' ? settings.credentials.username : 'the user'
  switch (code) {
    case '7000215':
      return new AuthFailure(
        `Entra ID rejected the client secret for app ${clientId} (AADSTS7000215): set 'client-secret' to the secret's Value (not its Secret ID) and check it was not rotated.`
      )
    case '7000222':
      return new AuthFailure(
        `The client secret of app ${clientId} has expired (AADSTS7000222): create a new secret and update 'client-secret'.`
      )
    case '7000218':
      return new AuthFailure(
        `App ${clientId} requires a client credential (AADSTS7000218): give 'client-secret' or 'client-certificate', or for the password flow without a secret enable "Allow public client flows" on the app registration.`
      )
    case '700016':
      return new AuthFailure(
        `App ${clientId} was not found in tenant ${tenantId} (AADSTS700016): check 'client-id', and that the app is registered in this tenant or an admin consented to it there.`
      )
    case '90002':
      return new AuthFailure(
        `Tenant ${tenantId} was not found (AADSTS90002): check 'tenant-id' and 'cloud'.`
      )
    case '50076':
    case '50079':
      return new AuthFailure(
        `${username} must complete multi-factor authentication (AADSTS${code}), which the password flow cannot do. Use auth-method github-oidc (no secret) or client-certificate with application permissions instead.`
      )
    case '50126':
      return new AuthFailure(
        `Invalid username or password for ${username} (AADSTS50126): check 'username' and 'password'.`
      )
    case '50053':
      return new AuthFailure(
        `The account ${username} is locked (AADSTS50053) after too many failed sign-ins or by policy: wait for the lockout to end or have an admin unblock it.`
      )
    case '50034':
      return new AuthFailure(
        `The account ${username} does not exist in tenant ${tenantId} (AADSTS50034): check 'username'.`
      )
    // The federated-credential codes: Entra's own text names one claim; the token's iss, sub and
    // aud are what the admin must copy into the credential (workload identity federation,
    // https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations).
    case '700213':
    case '70021':
      return new AuthFailure(
        `No federated credential on app ${clientId} matches this workflow (AADSTS${code}). ${tokenClaims(claims)}: add a federated credential with exactly that issuer, subject and audience to the app registration.`
      )
    case '7002138':
      return new AuthFailure(
        `A federated credential on app ${clientId} names this workflow's subject in different upper and lower case (AADSTS7002138); Entra compares subjects case-sensitively. ${tokenClaims(claims)}: change the credential's subject to exactly that subject, with the owner and repository spelled as GitHub spells them.`
      )
    case '700211':
      return new AuthFailure(
        `No federated credential on app ${clientId} trusts the issuer of this workflow's token (AADSTS700211). ${tokenClaims(claims)}: add a federated credential with exactly that issuer (GitHub Enterprise Server issues from https://HOSTNAME/_services/token, an enterprise with its own issuer URL from https://token.actions.githubusercontent.com/ENTERPRISE), and that subject and audience.`
      )
    case '700212':
      return new AuthFailure(
        `No federated credential on app ${clientId} accepts the audience of this workflow's token (AADSTS700212). ${tokenClaims(claims)}: give the federated credential exactly that audience, or set 'cloud' / 'oidc-audience' to the audience the credential names (api://AzureADTokenExchange, or …USGov / …China in the national clouds).`
      )
    case '700027':
      return new AuthFailure(
        `App ${clientId} does not accept this certificate (AADSTS700027): upload the certificate (SHA-256 thumbprint ${settings.credentials.method === 'client-certificate' ? settings.credentials.thumbprintSha256 : '?'}) to the app registration.`
      )
    case '65001':
      return new AuthFailure(
        `App ${clientId} lacks consent for the Graph permissions (AADSTS65001): an admin must grant consent.`
      )
  }
  const proxyHint = 'and HTTPS_PROXY / NO_PROXY if the runner needs a proxy'
  const unreachable = networkFailure?.kind === 'network' ? networkFailure.text : undefined
  if (err.errorCode === 'endpoints_resolution_error') {
    return new AuthFailure(
      networkFailure
        ? `Tenant ${tenantId} not found in this cloud (or authority host unreachable): ${unreachable ? `could not reach ${unreachable}` : networkFailure.text}. Check 'authority-host' / 'cloud' ${proxyHint}.`
        : `Tenant ${tenantId} not found in this cloud (or authority host unreachable): ${host} has no tenant "${tenantId}". Check 'tenant-id' and 'cloud' / 'authority-host'.`
    )
  }
  if (unreachable) {
    return new AuthFailure(
      `Could not reach Entra ID for a token (${unreachable}): check 'authority-host' / 'cloud' ${proxyHint}.`
    )
  }
  if (networkFailure?.kind === 'status') {
    return new AuthFailure(
      `Entra ID did not answer the token request (${networkFailure.text}): a 5xx or 429 is temporary, run the job again; otherwise check 'authority-host' ${proxyHint}.`
    )
  }
  const detail = (err.errorMessage || err.message || String(error)).split(/\r?\n/)[0]
  return new AuthFailure(`Sign-in to Entra ID (${host}) failed: ${detail}`)
}

/** The GitHub OIDC token's non-secret claims, as an admin copies them into a federated credential. */
function tokenClaims(claims: OidcClaims | undefined): string {
  const audience = Array.isArray(claims?.aud) ? claims.aud.join(',') : claims?.aud
  return `The GitHub token has issuer "${claims?.iss ?? '?'}", subject "${claims?.sub ?? '?'}", audience "${audience ?? '?'}"`
}
