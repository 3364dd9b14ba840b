/**
 * GitHub's OIDC token endpoint as a runner exposes it to a job with `permissions: id-token: write`:
 * `ACTIONS_ID_TOKEN_REQUEST_URL` (`<origin>/_oidc/token?api-version=2.0`) and
 * `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (the bearer that must accompany the request).
 * `core.getIDToken(audience)` GETs `<url>&audience=<audience>` and reads `{ value: <JWT> }`.
 *
 * Tokens are RS256 JWTs signed by a key generated once per process, so `verifyOidcToken` (used by
 * the simulated Entra token endpoint to accept a client assertion) needs nothing but the JWT.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { ResetConnection } from './faults.js'
import type { Fault, Route, RouteContext, SimResponse } from './types.js'

export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com'
export const DEFAULT_OIDC_PATH = '/_oidc/token'

/** The claims of a GitHub Actions OIDC token (the ones this project reads, and the usual rest). */
export interface OidcClaims {
  iss: string
  sub: string
  aud: string
  exp: number
  iat: number
  nbf: number
  jti: string
  repository: string
  repository_owner: string
  ref: string
  ref_type: string
  sha: string
  workflow: string
  event_name: string
  run_id: string
  run_number: string
  run_attempt: string
  actor: string
  environment?: string
  job_workflow_ref: string
  runner_environment: string
  [claim: string]: unknown
}

export interface GithubOidcOptions {
  /** `owner/repo` (default `octo-org/octo-repo`). */
  repository?: string
  /** Git ref (default `refs/heads/main`). */
  ref?: string
  /** Deployment environment: the subject becomes `repo:<repo>:environment:<env>`. */
  environment?: string
  /** Triggering event (default `schedule`); `pull_request` makes the subject `repo:<repo>:pull_request`. */
  eventName?: string
  /** Explicit subject; otherwise derived from the above the way GitHub does. */
  subject?: string
  /** Bearer the request must carry (default: random). */
  requestToken?: string
  /** Token lifetime in seconds (default 300, as GitHub's). */
  lifetimeSeconds?: number
  /** Extra or overriding claims. */
  claims?: Record<string, unknown>
  /** Path of the token endpoint (default `/_oidc/token`). */
  path?: string
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number
}

export interface GithubOidc {
  /** Route module for the simulator (`sim.addRoutes(oidc.route)`). */
  route: Route
  /** The bearer the runner hands out as `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
  readonly requestToken: string
  /** `ACTIONS_ID_TOKEN_REQUEST_URL` for an origin (`https://127.0.0.1:1234`). */
  requestUrl(origin: string): string
  /** Both runner variables for an origin. */
  env(
    origin: string
  ): Record<'ACTIONS_ID_TOKEN_REQUEST_URL' | 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', string>
  /** Every audience requested, in order (`null`: the request named none). */
  audiences(): Array<string | null>
  /** Every token issued, in order. */
  issued(): string[]
  /** The subject tokens currently get. */
  subject(): string
  /** Change claims for later tokens (e.g. another ref or environment). */
  configure(options: Partial<Omit<GithubOidcOptions, 'requestToken' | 'path'>>): void
  /** Mint a token directly (no HTTP). */
  issue(audience?: string): string
}

export interface VerifyOidcOptions {
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number
  /** When given, `aud` must equal it. */
  audience?: string
  /** Clock skew tolerated on exp/nbf, seconds (default 0). */
  skewSeconds?: number
  /**
   * Check exp/nbf (default true). `false` leaves the time check to the caller, e.g. so the Entra
   * side can answer an expired assertion with AADSTS700024 rather than "unknown issuer".
   */
  checkTime?: boolean
}

interface SigningKey {
  privateKey: KeyObject
  publicKey: KeyObject
  kid: string
}

let signingKey: SigningKey | undefined
/** `jti`s of tokens that no longer verify (a `revoke-token` fault on `oidc`). */
const revoked = new Set<string>()

function key(): SigningKey {
  if (!signingKey) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const der = publicKey.export({ type: 'spki', format: 'der' })
    const kid = createHash('sha256').update(der).digest('base64url').slice(0, 32)
    signingKey = { privateKey, publicKey, kid }
  }
  return signingKey
}

const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** The JWKS GitHub publishes at `/.well-known/jwks`, for this process's signing key. */
export function oidcJwks(): { keys: object[] } {
  const { publicKey, kid } = key()
  const jwk = publicKey.export({ format: 'jwk' })
  return { keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256' }] }
}

/**
 * Check a GitHub OIDC token minted by this module: RS256 signature by this process's key, issuer,
 * `nbf <= now < exp`, not revoked. Returns its claims, or undefined for anything else (never throws).
 */
export function verifyOidcToken(
  jwt: string,
  options: VerifyOidcOptions = {}
): OidcClaims | undefined {
  try {
    if (typeof jwt !== 'string') return undefined
    const parts = jwt.split('.')
    if (parts.length !== 3) return undefined
    const [h, p, s] = parts
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >
    if (header.alg !== 'RS256' || !signingKey || header.kid !== signingKey.kid) return undefined
    const ok = verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      signingKey.publicKey,
      Buffer.from(s, 'base64url')
    )
    if (!ok) return undefined
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as OidcClaims
    if (claims.iss !== GITHUB_OIDC_ISSUER) return undefined
    if (typeof claims.exp !== 'number' || typeof claims.nbf !== 'number') return undefined
    const now = (options.now ?? Date.now)() / 1000
    const skew = options.skewSeconds ?? 0
    if (options.checkTime !== false && (now >= claims.exp + skew || now < claims.nbf - skew)) {
      return undefined
    }
    if (revoked.has(claims.jti)) return undefined
    if (options.audience !== undefined && claims.aud !== options.audience) return undefined
    return claims
  } catch {
    return undefined
  }
}

/** Derive the `sub` claim the way GitHub does for the default subject template. */
export function oidcSubject(options: GithubOidcOptions = {}): string {
  if (options.subject) return options.subject
  const repository = options.repository ?? 'octo-org/octo-repo'
  if (options.environment) return `repo:${repository}:environment:${options.environment}`
  if (options.eventName === 'pull_request') return `repo:${repository}:pull_request`
  return `repo:${repository}:ref:${options.ref ?? 'refs/heads/main'}`
}

function jtiOf(jwt: string): string {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as {
    jti: string
  }
  return payload.jti
}

function faultResponse(fault: Fault, defaultMessage: string): SimResponse {
  const headers: Record<string, string> = {}
  if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter
  return {
    status: fault.status ?? 503,
    headers,
    body: (fault.body as SimResponse['body']) ?? { message: defaultMessage }
  }
}

export function createGithubOidc(initial: GithubOidcOptions = {}): GithubOidc {
  const options: GithubOidcOptions = { ...initial }
  const requestToken = initial.requestToken ?? randomBytes(24).toString('base64url')
  const path = initial.path ?? DEFAULT_OIDC_PATH
  const base = path.replace(/\/token$/, '')
  const audiences: Array<string | null> = []
  const issued: string[] = []
  let runNumber = 0

  const issue = (audience?: string): string => {
    const nowSec = Math.floor((options.now ?? Date.now)() / 1000)
    const repository = options.repository ?? 'octo-org/octo-repo'
    const owner = repository.split('/')[0]
    const ref = options.ref ?? 'refs/heads/main'
    const { privateKey, kid } = key()
    runNumber++
    const claims: OidcClaims = {
      jti: randomUUID(),
      sub: oidcSubject(options),
      aud: audience ?? `https://github.com/${owner}`,
      ref,
      ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      sha: createHash('sha1').update(ref).digest('hex'),
      repository,
      repository_owner: owner,
      repository_id: '74',
      repository_owner_id: '65',
      repository_visibility: 'private',
      actor: 'octocat',
      actor_id: '12',
      workflow: 'entra-signin-check',
      event_name: options.eventName ?? 'schedule',
      head_ref: '',
      base_ref: '',
      run_id: '4242',
      run_number: String(runNumber),
      run_attempt: '1',
      runner_environment: 'github-hosted',
      job_workflow_ref: `${repository}/.github/workflows/audit.yml@${ref}`,
      ...(options.environment ? { environment: options.environment } : {}),
      iss: GITHUB_OIDC_ISSUER,
      nbf: nowSec - 5,
      iat: nowSec,
      exp: nowSec + (options.lifetimeSeconds ?? 300),
      ...options.claims
    }
    // GitHub's header carries x5t as well as kid.
    const header = { typ: 'JWT', alg: 'RS256', kid, x5t: kid }
    const signingInput = `${b64url(header)}.${b64url(claims)}`
    const signature = sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')
    const jwt = `${signingInput}.${signature}`
    issued.push(jwt)
    return jwt
  }

  const route: Route = async (req, ctx: RouteContext): Promise<SimResponse | undefined> => {
    const pathname = req.url.pathname
    if (pathname === `${base}/.well-known/jwks`) {
      ctx.record('oidc')
      return { status: 200, body: oidcJwks() }
    }
    if (pathname === `${base}/.well-known/openid-configuration`) {
      ctx.record('oidc')
      return {
        status: 200,
        body: {
          issuer: GITHUB_OIDC_ISSUER,
          jwks_uri: `${ctx.origin}${base}/.well-known/jwks`,
          subject_types_supported: ['public', 'pairwise'],
          response_types_supported: ['id_token'],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid']
        }
      }
    }
    if (pathname !== path) return undefined
    ctx.record('oidc')
    const fault = ctx.nextFault('oidc')
    if (fault?.kind === 'reset') throw new ResetConnection()
    if (fault?.kind === 'status')
      return faultResponse(fault, 'Simulated OIDC token service failure')
    if (fault?.kind === 'revoke-token') {
      for (const jwt of issued) revoked.add(jtiOf(jwt))
    }
    if (req.method !== 'GET') {
      return { status: 405, headers: { allow: 'GET' }, body: { message: 'Method not allowed' } }
    }
    const auth = req.headers.authorization ?? ''
    if (auth !== `Bearer ${requestToken}`) {
      return {
        status: 401,
        headers: { 'www-authenticate': 'Bearer' },
        body: { message: auth ? 'Bad credentials' : 'Requires authentication' }
      }
    }
    if (!req.url.searchParams.has('api-version')) {
      return { status: 400, body: { message: 'api-version is required' } }
    }
    const audience = req.url.searchParams.get('audience')
    audiences.push(audience)
    return { status: 200, body: { value: issue(audience ?? undefined) } }
  }

  return {
    route,
    requestToken,
    requestUrl: (origin) => `${origin}${path}?api-version=2.0`,
    env: (origin) => ({
      ACTIONS_ID_TOKEN_REQUEST_URL: `${origin}${path}?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken
    }),
    audiences: () => [...audiences],
    issued: () => [...issued],
    subject: () => oidcSubject(options),
    configure: (change) => Object.assign(options, change),
    issue
  }
}
