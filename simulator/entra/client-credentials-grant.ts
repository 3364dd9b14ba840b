/**
 * `grant_type=client_credentials`: an app token with the app's Graph application permissions.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 */
import type { TokenStore } from '../tokens.js'
import type { SimApp, SimResponse } from '../types.js'
import { invalidClientCredentialsScope } from './errors.js'
import type { TokenRequest } from './state.js'

/** Answers an authenticated client; the scope must be exactly one `<resource>/.default`. */
export function clientCredentialsGrant(
  request: TokenRequest,
  app: SimApp,
  tokens: TokenStore
): SimResponse {
  const scope = request.form.scope ?? ''
  const resources = scope.split(' ').filter(Boolean)
  if (resources.length !== 1 || !resources[0].endsWith('/.default')) {
    return invalidClientCredentialsScope(scope, request.correlationId)
  }
  const issued = tokens.issue({
    tenantId: request.directory.id,
    clientId: app.clientId,
    roles: [...app.roles],
    scopes: [],
    requestedScope: scope
  })
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      ext_expires_in: issued.expiresIn,
      access_token: issued.accessToken
    }
  }
}
