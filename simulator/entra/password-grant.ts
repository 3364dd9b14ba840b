/**
 * `grant_type=password` (resource-owner password credentials): a delegated token for a user.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc
 */
import type { SimAccount, SimApp, SimResponse } from '../types.js'
import { delegatedToken, type DelegatedTokenIssuer } from './delegated-token.js'
import { accountLocked, invalidUsernameOrPassword, mfaRequired } from './errors.js'
import type { TokenRequest } from './state.js'

/** A locked account, a wrong password and an MFA demand each get Entra's own error. */
export function passwordGrant(
  request: TokenRequest,
  app: SimApp,
  accounts: SimAccount[],
  issuer: DelegatedTokenIssuer
): SimResponse {
  const { form, correlationId } = request
  const account = accounts.find(
    (candidate) => candidate.username.toLowerCase() === (form.username ?? '').toLowerCase()
  )
  if (account?.locked) return accountLocked(correlationId)
  if (!account || account.password !== form.password) {
    return invalidUsernameOrPassword(correlationId)
  }
  if (account.mfaRequired) return mfaRequired(correlationId)
  return delegatedToken(request, app, account, issuer)
}
