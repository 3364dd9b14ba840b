/**
 * `POST /<tenant>/oauth2/v2.0/token`: finds the app, authenticates the client, and hands the
 * request to its grant. Checks run in Entra's order: grant type, app, client credential, scope.
 */
import type { SimResponse } from '../types.js'
import { clientCredentialsGrant } from './client-credentials-grant.js'
import { authenticateClient } from './client-authentication.js'
import type { DelegatedTokenIssuer } from './delegated-token.js'
import { applicationNotFound, clientCredentialMissing, unsupportedGrantType } from './errors.js'
import { passwordGrant } from './password-grant.js'
import { refreshTokenGrant } from './refresh-token-grant.js'
import type { EntraState, TokenRequest } from './state.js'

const GRANT_TYPES = ['client_credentials', 'password', 'refresh_token'] as const
type GrantType = (typeof GRANT_TYPES)[number]

export function tokenEndpoint(
  request: TokenRequest,
  state: EntraState,
  issuer: DelegatedTokenIssuer
): SimResponse {
  const { form, correlationId } = request
  const grantType = form.grant_type
  if (!isGrantType(grantType)) return unsupportedGrantType(grantType ?? '', correlationId)
  const app = state.apps.find(
    (candidate) => candidate.clientId.toLowerCase() === (form.client_id ?? '').toLowerCase()
  )
  if (!app) return applicationNotFound(form.client_id ?? '', request.directory, correlationId)
  const authentication = authenticateClient(request, app, state)
  if (authentication.outcome === 'rejected') return authentication.response
  // Only a public client may leave out the client credential, and never for an app token.
  const mayBePublic = grantType !== 'client_credentials' && app.publicClient
  if (authentication.outcome === 'none' && !mayBePublic) {
    return clientCredentialMissing(correlationId)
  }
  if (grantType === 'client_credentials') return clientCredentialsGrant(request, app, state.tokens)
  if (grantType === 'refresh_token') {
    return refreshTokenGrant(request, app, state.accounts, issuer)
  }
  return passwordGrant(request, app, state.accounts, issuer)
}

function isGrantType(value: string | undefined): value is GrantType {
  return (GRANT_TYPES as readonly (string | undefined)[]).includes(value)
}
