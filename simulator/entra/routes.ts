/**
 * The Entra ID (v2.0 endpoint) surface that @azure/msal-node calls for an authority
 * `https://<host>/<tenant>` listed in `knownAuthorities`: instance discovery, the OpenID
 * configuration, the signing keys and the token endpoint. Errors use Entra's body and AADSTS codes
 * (errors.ts) so the action's error mapping is tested against what it will really read.
 */
import { randomUUID } from 'node:crypto'
import { faultResponse } from '../faults.js'
import type { Route, SimTenantDirectory } from '../types.js'
import { tenantNotFound } from './errors.js'
import { instanceDiscovery, openIdConfiguration } from './metadata.js'
import { RefreshTokens } from './refresh-tokens.js'
import { createSigningKey } from './signing-key.js'
import type { EntraState } from './state.js'
import { tokenEndpoint } from './token-endpoint.js'

const TENANT_ENDPOINT =
  /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token)$/

export function createEntra(state: EntraState): Route {
  const issuer = {
    tokens: state.tokens,
    signingKey: createSigningKey(),
    refreshTokens: new RefreshTokens()
  }

  const findDirectory = (segment: string): SimTenantDirectory | undefined => {
    const wanted = segment.toLowerCase()
    return state.directories.find(
      (directory) =>
        directory.id.toLowerCase() === wanted ||
        directory.domains.some((domain) => domain.toLowerCase() === wanted)
    )
  }

  return async (req, ctx) => {
    const path = req.url.pathname
    const correlationId = String(req.headers['client-request-id'] ?? randomUUID())

    if (req.method === 'GET' && path === '/common/discovery/instance') {
      ctx.record('discovery')
      const authorizationEndpoint = req.url.searchParams.get('authorization_endpoint') ?? ''
      return { status: 200, body: instanceDiscovery(ctx.origin, authorizationEndpoint) }
    }

    const match = TENANT_ENDPOINT.exec(path)
    if (!match) return undefined
    const [, segment, endpoint] = match
    const directory = findDirectory(decodeURIComponent(segment))

    if (endpoint === 'oauth2/v2.0/token') {
      if (req.method !== 'POST') return undefined
      const form = Object.fromEntries(new URLSearchParams(req.body.toString('utf8')))
      ctx.record('token', { form })
      const fault = ctx.nextFault('token')
      if (fault) {
        const response = faultResponse(fault)
        if (response) return response
      }
      if (!directory) return tenantNotFound(segment, 'token', correlationId)
      const authorization = String(req.headers.authorization ?? '')
      return tokenEndpoint(
        { form, authorization, origin: ctx.origin, directory, correlationId },
        state,
        issuer
      )
    }
    if (req.method !== 'GET') return undefined
    ctx.record('discovery')
    if (!directory) return tenantNotFound(segment, 'metadata', correlationId)
    if (endpoint === 'discovery/v2.0/keys') {
      return { status: 200, body: { keys: [issuer.signingKey.jwk] } }
    }
    return { status: 200, body: openIdConfiguration(ctx.origin, directory.id) }
  }
}
