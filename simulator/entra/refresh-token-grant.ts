/** `grant_type=refresh_token`: a new delegated token for the user a refresh token was issued to. */
import type { SimAccount, SimApp, SimResponse } from '../types.js'
import { delegatedToken, type DelegatedTokenIssuer } from './delegated-token.js'
import { invalidRefreshToken } from './errors.js'
import type { TokenRequest } from './state.js'

/** The token must be one this simulator issued, to this app, in this tenant. */
export function refreshTokenGrant(
  request: TokenRequest,
  app: SimApp,
  accounts: SimAccount[],
  issuer: DelegatedTokenIssuer
): SimResponse {
  const grant = issuer.refreshTokens.find(request.form.refresh_token ?? '')
  const account = grant && accounts.find((candidate) => candidate.username === grant.username)
  if (
    !grant ||
    !account ||
    grant.clientId !== app.clientId ||
    grant.tenantId !== request.directory.id
  ) {
    return invalidRefreshToken(request.correlationId)
  }
  return delegatedToken(request, app, account, issuer)
}
