/**
 * The answer to a delegated grant (password or refresh token): an access token with the consented
 * scopes, an id token signed with the simulator's key, client_info, and a refresh token when
 * `offline_access` was asked for.
 */
import { createHash, randomUUID } from 'node:crypto'
import { b64url } from '../http.js'
import type { TokenStore } from '../tokens.js'
import type { SimAccount, SimApp, SimResponse } from '../types.js'
import { consentRequired } from './errors.js'
import type { RefreshTokens } from './refresh-tokens.js'
import type { SigningKey } from './signing-key.js'
import type { TokenRequest } from './state.js'

/** OpenID scopes: never checked against consent; all but offline_access are echoed back. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email'])

/** What a delegated answer is made with. */
export interface DelegatedTokenIssuer {
  tokens: TokenStore
  signingKey: SigningKey
  refreshTokens: RefreshTokens
}

/** A delegated token for `account`, or AADSTS65001 for a scope the app has no consent for. */
export function delegatedToken(
  request: TokenRequest,
  app: SimApp,
  account: SimAccount,
  issuer: DelegatedTokenIssuer
): SimResponse {
  const { directory, correlationId } = request
  const scope = request.form.scope ?? ''
  const consented = (app.delegatedScopes ?? app.roles).map((name) => name.toLowerCase())
  const requested = scope.split(' ').filter(Boolean)
  const granted: string[] = []
  const grantedAsRequested: string[] = []
  for (const requestedScope of requested) {
    if (OIDC_SCOPES.has(requestedScope)) continue
    const name = requestedScope.includes('/')
      ? requestedScope.slice(requestedScope.lastIndexOf('/') + 1)
      : requestedScope
    if (name === '.default') {
      granted.push(...(app.delegatedScopes ?? app.roles))
      grantedAsRequested.push(requestedScope)
    } else if (consented.includes(name.toLowerCase())) {
      granted.push(name)
      grantedAsRequested.push(requestedScope)
    } else {
      return consentRequired(app.clientId, requestedScope, correlationId)
    }
  }
  const issued = issuer.tokens.issue({
    tenantId: directory.id,
    clientId: app.clientId,
    roles: [],
    scopes: granted,
    requestedScope: scope,
    username: account.username
  })
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      scope: [
        ...grantedAsRequested,
        ...requested.filter((name) => OIDC_SCOPES.has(name) && name !== 'offline_access')
      ].join(' '),
      expires_in: issued.expiresIn,
      ext_expires_in: issued.expiresIn,
      access_token: issued.accessToken,
      ...(requested.includes('offline_access')
        ? {
            refresh_token: issuer.refreshTokens.issue({
              tenantId: directory.id,
              clientId: app.clientId,
              username: account.username
            })
          }
        : {}),
      id_token: idToken(issuer.signingKey, request.origin, directory.id, app.clientId, account),
      client_info: b64url(JSON.stringify({ uid: accountObjectId(account), utid: directory.id }))
    }
  }
}

function idToken(
  signingKey: SigningKey,
  origin: string,
  tenantId: string,
  clientId: string,
  account: SimAccount
): string {
  const now = Math.floor(Date.now() / 1000)
  return signingKey.signJwt({
    aud: clientId,
    iss: `${origin}/${tenantId}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    name: account.username.split('@')[0],
    oid: accountObjectId(account),
    preferred_username: account.username,
    rh: '0.sim',
    sub: b64url(createHash('sha256').update(`${clientId}:${account.username}`).digest()).slice(
      0,
      43
    ),
    tid: tenantId,
    uti: b64url(randomUUID()),
    ver: '2.0'
  })
}

/** A stable object id for a password-flow account. */
function accountObjectId(account: SimAccount): string {
  if (account.objectId) return account.objectId
  const hash = createHash('sha256').update(account.username.toLowerCase()).digest('hex')
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-4${hash.slice(13, 16)}-a${hash.slice(17, 20)}-${hash.slice(20, 32)}`
}
