/**
 * The Entra ID (v2.0 endpoint) surface that @azure/msal-node calls for an authority
 * `https://<host>/<tenant>` listed in `knownAuthorities`: the OpenID configuration, instance
 * discovery (msal skips it for known authorities, answered anyway), the signing keys and the token
 * endpoint. Errors use Entra's body and AADSTS codes so the action's error mapping is tested
 * against what it will really read.
 */
import {
  constants,
  createHash,
  generateKeyPairSync,
  randomUUID,
  sign,
  timingSafeEqual,
  verify,
  X509Certificate,
  type KeyObject
} from 'node:crypto'
import { b64url, decodeJwt, entraError } from './http.js'
import { faultResponse } from './faults.js'
import { TokenStore } from './tokens.js'
import type {
  Route,
  RouteContext,
  SimAccount,
  SimApp,
  SimRequest,
  SimResponse,
  SimTenantDirectory
} from './types.js'

/** Verifies a GitHub OIDC token the simulator issued: its claims, or undefined when not ours. */
export type OidcVerifier = (jwt: string) => object | undefined

/** Audiences a federated credential for GitHub accepts, one per cloud (see DESIGN.md). */
export const TOKEN_EXCHANGE_AUDIENCES = [
  'api://AzureADTokenExchange',
  'api://AzureADTokenExchangeUSGov',
  'api://AzureADTokenExchangeChina'
]

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email'])

export interface EntraState {
  directories: SimTenantDirectory[]
  apps: SimApp[]
  accounts: SimAccount[]
  tokens: TokenStore
  oidcVerifiers: OidcVerifier[]
}

type Result<T> = { ok: true; value: T } | { ok: false; response: SimResponse }

export function createEntra(state: EntraState): Route {
  // Signs id tokens; published at …/discovery/v2.0/keys like Entra's keys.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const kid = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url')
    .slice(0, 27)
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, kty: 'RSA', use: 'sig' }

  const refreshTokens = new Map<string, { tenantId: string; clientId: string; username: string }>()
  const refreshToken = (tenantId: string, clientId: string, username: string): string => {
    const rt = 'sim-rt.' + b64url(randomUUID())
    refreshTokens.set(rt, { tenantId, clientId, username })
    return rt
  }

  const findTenant = (segment: string): SimTenantDirectory | undefined => {
    const s = segment.toLowerCase()
    return state.directories.find(
      (d) => d.id.toLowerCase() === s || d.domains.some((x) => x.toLowerCase() === s)
    )
  }

  const tenantNotFound = (segment: string, body: 'config' | 'token', corr: string): SimResponse =>
    entraError(
      400,
      body === 'config' ? 'invalid_tenant' : 'invalid_request',
      90002,
      `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      {},
      corr
    )

  function openIdConfiguration(origin: string, tid: string): object {
    const base = `${origin}/${tid}`
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: [
        'client_secret_post',
        'private_key_jwt',
        'client_secret_basic'
      ],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${origin}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub',
        'iss',
        'cloud_instance_name',
        'cloud_instance_host_name',
        'cloud_graph_host_name',
        'msgraph_host',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'acr',
        'nonce',
        'preferred_username',
        'name',
        'tid',
        'ver',
        'at_hash',
        'c_hash',
        'email'
      ],
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: new URL(origin).host,
      rbac_url: 'https://pas.windows.net'
    }
  }

  function idToken(origin: string, tid: string, clientId: string, user: SimAccount): string {
    const now = Math.floor(Date.now() / 1000)
    const header = { typ: 'JWT', alg: 'RS256', kid }
    const payload = {
      aud: clientId,
      iss: `${origin}/${tid}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      name: user.username.split('@')[0],
      oid: accountObjectId(user),
      preferred_username: user.username,
      rh: '0.sim',
      sub: b64url(createHash('sha256').update(`${clientId}:${user.username}`).digest()).slice(
        0,
        43
      ),
      tid,
      uti: b64url(randomUUID()),
      ver: '2.0'
    }
    const signed = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
    return `${signed}.${b64url(sign('sha256', Buffer.from(signed), privateKey))}`
  }

  /** Authenticates a confidential client by secret or assertion (`undefined`: none was sent). */
  function authenticateClient(
    req: SimRequest,
    form: Record<string, string>,
    app: SimApp,
    origin: string,
    corr: string
  ): Result<void> | undefined {
    let secret = form.client_secret
    const basic = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))
    if (secret === undefined && basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
      secret = decodeURIComponent(decoded.slice(decoded.indexOf(':') + 1))
    }
    if (form.client_assertion !== undefined) {
      return verifyAssertion(form, app, origin, corr)
    }
    if (secret === undefined) return undefined
    if (app.secret === undefined || !sameText(secret, app.secret)) {
      return fail(
        entraError(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
          {},
          corr
        )
      )
    }
    return { ok: true, value: undefined }
  }

  function verifyAssertion(
    form: Record<string, string>,
    app: SimApp,
    origin: string,
    corr: string
  ): Result<void> {
    const err = (code: number, text: string, status = 401, error = 'invalid_client') =>
      fail(entraError(status, error, code, text, {}, corr))
    if (form.client_assertion_type !== JWT_BEARER) {
      return err(
        50027,
        `Invalid client_assertion_type '${form.client_assertion_type ?? ''}'; expected '${JWT_BEARER}'.`,
        400,
        'invalid_request'
      )
    }
    const jwt = decodeJwt(form.client_assertion)
    if (!jwt) return err(50027, 'JWT token is invalid or malformed.', 400, 'invalid_request')
    const { header, payload } = jwt
    const now = Date.now() / 1000
    const timeOk = () =>
      typeof payload.exp === 'number' &&
      payload.exp > now - 300 &&
      (typeof payload.nbf !== 'number' || payload.nbf <= now + 300)

    // A token from a registered OIDC issuer is a federated credential even though GitHub's header
    // carries x5t too; any other assertion with x5t/x5c is a certificate credential.
    const claims = state.oidcVerifiers.map((v) => v(form.client_assertion)).find((c) => c) as
      Record<string, unknown> | undefined
    if (!claims && ('x5t#S256' in header || 'x5t' in header || 'x5c' in header)) {
      // A certificate credential: msal-node signs PS256 with `x5t#S256` (hex thumbprint, base64url)
      // and `x5c` (base64 DER chain, leaf first) when given the public certificate.
      const sha256 = 'x5t#S256' in header
      const thumb = Buffer.from(String(header[sha256 ? 'x5t#S256' : 'x5t'] ?? ''), 'base64url')
        .toString('hex')
        .toUpperCase()
      const x5c = Array.isArray(header.x5c) ? String(header.x5c[0]) : undefined
      const certs = registeredCertificates(app, x5c)
      const cert = certs.find((c) => (sha256 ? c.sha256 : c.sha1) === thumb)
      if (!cert) {
        return err(
          700027,
          `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumb}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`
        )
      }
      if (!verifySignature(String(header.alg), jwt.signed, jwt.signature, cert.key)) {
        return err(700027, 'Client assertion failed signature validation.')
      }
      if (payload.iss !== app.clientId || payload.sub !== app.clientId) {
        return err(
          700021,
          "Client assertion application identifier doesn't match 'client_id' parameter."
        )
      }
      const aud = String(payload.aud ?? '')
      if (!aud.startsWith(origin) && !/\/oauth2\/v2\.0\/token$/.test(aud)) {
        return err(
          50027,
          `JWT token is invalid or malformed: audience '${aud}' is not this token endpoint.`
        )
      }
      if (!timeOk()) return err(700024, 'Client assertion is not within its valid time range.')
      return { ok: true, value: undefined }
    }

    // Otherwise a federated credential: a GitHub OIDC token from an issuer the simulator knows.
    const iss = String(claims?.iss ?? payload.iss ?? '')
    const sub = String(claims?.sub ?? payload.sub ?? '')
    const auds = [claims?.aud ?? payload.aud].flat().map(String)
    if (!claims) {
      return err(
        700211,
        `No matching federated identity record found for presented assertion issuer '${iss}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`
      )
    }
    if (!app.federatedSubjects?.length) {
      return err(
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${auds.join(',')}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
        400,
        'invalid_request'
      )
    }
    if (!auds.some((a) => TOKEN_EXCHANGE_AUDIENCES.includes(a))) {
      return err(
        700212,
        `No matching federated identity record found for presented assertion audience '${auds.join(',')}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`
      )
    }
    if (!app.federatedSubjects.includes(sub)) {
      return err(
        700213,
        `No matching federated identity record found for presented assertion subject '${sub}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`
      )
    }
    if (typeof claims.exp === 'number' && claims.exp < now) {
      return err(700024, 'Client assertion is not within its valid time range.')
    }
    return { ok: true, value: undefined }
  }

  async function token(
    req: SimRequest,
    ctx: RouteContext,
    dir: SimTenantDirectory,
    form: Record<string, string>,
    corr: string
  ): Promise<SimResponse> {
    const app = state.apps.find(
      (a) => a.clientId.toLowerCase() === (form.client_id ?? '').toLowerCase()
    )
    const grant = form.grant_type
    if (grant !== 'client_credentials' && grant !== 'password' && grant !== 'refresh_token') {
      return entraError(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grant ?? ''}'.`,
        {},
        corr
      )
    }
    if (!app) {
      return entraError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.client_id ?? ''}' was not found in the directory '${dir.domains[0] ?? dir.id}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        {},
        corr
      )
    }
    const auth = authenticateClient(req, form, app, ctx.origin, corr)
    if (auth && !auth.ok) return auth.response
    if (!auth && !(grant !== 'client_credentials' && app.publicClient)) {
      return entraError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        {},
        corr
      )
    }
    const scope = form.scope ?? ''
    if (grant === 'client_credentials') {
      const resources = scope.split(' ').filter(Boolean)
      if (resources.length !== 1 || !resources[0].endsWith('/.default')) {
        return entraError(
          400,
          'invalid_scope',
          1002012,
          `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
          {},
          corr
        )
      }
      const issued = state.tokens.issue({
        tenantId: dir.id,
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

    if (grant === 'refresh_token') {
      const rt = refreshTokens.get(form.refresh_token ?? '')
      const account = rt && state.accounts.find((a) => a.username === rt.username)
      if (!rt || !account || rt.clientId !== app.clientId || rt.tenantId !== dir.id) {
        return entraError(
          400,
          'invalid_grant',
          70000,
          "The provided value for the 'refresh_token' is not valid.",
          {},
          corr
        )
      }
      return delegated(ctx, dir, app, account, scope, corr)
    }

    // Resource-owner password credentials.
    const account = state.accounts.find(
      (a) => a.username.toLowerCase() === (form.username ?? '').toLowerCase()
    )
    if (account?.locked) {
      return entraError(
        400,
        'invalid_grant',
        50053,
        'The account is locked because the user tried to sign in too many times with an incorrect user ID or password.',
        {},
        corr
      )
    }
    if (!account || account.password !== form.password) {
      return entraError(
        400,
        'invalid_grant',
        50126,
        'Error validating credentials due to invalid username or password.',
        {},
        corr
      )
    }
    if (account.mfaRequired) {
      return entraError(
        400,
        'invalid_grant',
        50076,
        "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
        {
          suberror: 'basic_action',
          claims: '{"access_token":{"capolids":{"essential":true,"values":["0d9a2b1c-sim-mfa"]}}}'
        },
        corr
      )
    }
    return delegated(ctx, dir, app, account, scope, corr)
  }

  /** A delegated token for `account` (password or refresh grant), with id token and client_info. */
  function delegated(
    ctx: RouteContext,
    dir: SimTenantDirectory,
    app: SimApp,
    account: SimAccount,
    scope: string,
    corr: string
  ): SimResponse {
    const consented = (app.delegatedScopes ?? app.roles).map((s) => s.toLowerCase())
    const requested = scope.split(' ').filter(Boolean)
    const granted: string[] = []
    const grantedQualified: string[] = []
    for (const s of requested) {
      if (OIDC_SCOPES.has(s)) continue
      const name = s.includes('/') ? s.slice(s.lastIndexOf('/') + 1) : s
      if (name === '.default') {
        granted.push(...(app.delegatedScopes ?? app.roles))
        grantedQualified.push(s)
      } else if (consented.includes(name.toLowerCase())) {
        granted.push(name)
        grantedQualified.push(s)
      } else {
        return entraError(
          400,
          'invalid_grant',
          65001,
          `The user or administrator has not consented to use the application with ID '${app.clientId}' named 'entra-signin-check'. Send an interactive authorization request for this user and resource. (scope '${s}')`,
          { suberror: 'consent_required' },
          corr
        )
      }
    }
    const issued = state.tokens.issue({
      tenantId: dir.id,
      clientId: app.clientId,
      roles: [],
      scopes: granted,
      requestedScope: scope,
      username: account.username
    })
    const oid = accountObjectId(account)
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        scope: [
          ...grantedQualified,
          ...requested.filter((s) => OIDC_SCOPES.has(s) && s !== 'offline_access')
        ].join(' '),
        expires_in: issued.expiresIn,
        ext_expires_in: issued.expiresIn,
        access_token: issued.accessToken,
        ...(requested.includes('offline_access')
          ? { refresh_token: refreshToken(dir.id, app.clientId, account.username) }
          : {}),
        id_token: idToken(ctx.origin, dir.id, app.clientId, account),
        client_info: b64url(JSON.stringify({ uid: oid, utid: dir.id }))
      }
    }
  }

  return async (req, ctx) => {
    const path = req.url.pathname
    const corr = String(req.headers['client-request-id'] ?? randomUUID())

    if (req.method === 'GET' && path === '/common/discovery/instance') {
      ctx.record('discovery')
      const authEndpoint = req.url.searchParams.get('authorization_endpoint') ?? ''
      const tenant = /^https:\/\/[^/]+\/([^/]+)\//.exec(authEndpoint)?.[1] ?? 'common'
      const host = new URL(ctx.origin).host
      return {
        status: 200,
        body: {
          tenant_discovery_endpoint: `${ctx.origin}/${tenant}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }]
        }
      }
    }

    const m =
      /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token)$/.exec(
        path
      )
    if (!m) return undefined
    const [, segment, what] = m
    const dir = findTenant(decodeURIComponent(segment))

    if (what === 'oauth2/v2.0/token') {
      if (req.method !== 'POST') return undefined
      const form = Object.fromEntries(new URLSearchParams(req.body.toString('utf8')))
      ctx.record('token', { form })
      const fault = ctx.nextFault('token')
      if (fault) {
        const r = faultResponse(fault)
        if (r) return r
      }
      if (!dir) return tenantNotFound(segment, 'token', corr)
      return token(req, ctx, dir, form, corr)
    }
    if (req.method !== 'GET') return undefined
    ctx.record('discovery')
    if (!dir) return tenantNotFound(segment, 'config', corr)
    if (what === 'discovery/v2.0/keys') return { status: 200, body: { keys: [jwk] } }
    return { status: 200, body: openIdConfiguration(ctx.origin, dir.id) }
  }
}

function fail(response: SimResponse): { ok: false; response: SimResponse } {
  return { ok: false, response }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** A stable object id for a password-flow account. */
export function accountObjectId(account: SimAccount): string {
  if (account.objectId) return account.objectId
  const h = createHash('sha256').update(account.username.toLowerCase()).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

interface KnownCert {
  sha256: string
  sha1: string
  key: KeyObject
}

/**
 * The certificates an assertion may be signed with: the app's registered PEMs, plus the x5c leaf
 * when its thumbprint is registered (an app may list only thumbprints, as the portal shows them).
 */
function registeredCertificates(app: SimApp, x5c: string | undefined): KnownCert[] {
  const out: KnownCert[] = []
  const add = (cert: X509Certificate) => {
    out.push({
      sha256: createHash('sha256').update(cert.raw).digest('hex').toUpperCase(),
      sha1: createHash('sha1').update(cert.raw).digest('hex').toUpperCase(),
      key: cert.publicKey
    })
  }
  for (const pem of app.certificates ?? []) add(new X509Certificate(pem))
  if (x5c) {
    try {
      const leaf = new X509Certificate(Buffer.from(x5c, 'base64'))
      const sha256 = createHash('sha256').update(leaf.raw).digest('hex').toUpperCase()
      const sha1 = createHash('sha1').update(leaf.raw).digest('hex').toUpperCase()
      const listed = (app.certificateThumbprints ?? []).map((t) =>
        t.replace(/[^0-9a-f]/gi, '').toUpperCase()
      )
      if (listed.includes(sha256) || listed.includes(sha1)) add(leaf)
    } catch {
      // An unparsable x5c is simply not a registered certificate.
    }
  }
  return out
}

function verifySignature(alg: string, signed: string, signature: Buffer, key: KeyObject): boolean {
  const data = Buffer.from(signed)
  if (alg === 'PS256') {
    return verify(
      'sha256',
      data,
      {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST
      },
      signature
    )
  }
  if (alg === 'RS256') return verify('sha256', data, key, signature)
  return false
}
