/**
 * `startSimulator`: one HTTPS server on 127.0.0.1 serving the simulated Entra ID and Microsoft
 * Graph (and whatever other route modules are mounted: GitHub OIDC, the artifact service). It
 * records every request, injects queued faults and adds latency, for the tests, the demo and the
 * benchmark.
 */
import { rmSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { dirname } from 'node:path'
import { createEntra } from './entra/routes.js'
import type { OidcVerifier } from './entra/state.js'
import { FaultQueue, faultResponse, NOT_JSON_BODY, ResetConnection } from './faults.js'
import { createGraph } from './graph.js'
import { graphError } from './http.js'
import { QuotaModel, type QuotaOptions } from './quota.js'
import { generateTenant } from './tenant.js'
import { makeTls } from './tls.js'
import { TokenStore } from './tokens.js'
import type {
  Fault,
  RecordedRequest,
  Route,
  RouteContext,
  SimAccount,
  SimApp,
  SimResponse,
  SimTenantDirectory,
  Tenant
} from './types.js'

export const DEFAULT_TENANT_ID = '8f3c2a1e-5b7d-4c9e-a1f2-3d4e5f6a7b8c'
export const DEFAULT_DOMAIN = 'contoso.onmicrosoft.com'
export const DEFAULT_CLIENT_ID = '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'
export const DEFAULT_CLIENT_SECRET = 'Sim8Q~simulator.client-secret_0123456789abcd'
/** A public client app (no secret) for the password flow. */
export const PUBLIC_CLIENT_ID = '1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a'
/** The GitHub workflow subject the default app has a federated credential for. */
export const DEFAULT_FEDERATED_SUBJECT = 'repo:octo-org/octo-repo:ref:refs/heads/main'
export const DEFAULT_ROLES = [
  'User.Read.All',
  'AuditLog.Read.All',
  'GroupMember.Read.All',
  'RoleManagement.Read.Directory',
  'LicenseAssignment.Read.All'
]

/** Password-flow accounts: one that works, one behind MFA, one locked. */
export const DEFAULT_ACCOUNTS: SimAccount[] = [
  { username: `auditor@${DEFAULT_DOMAIN}`, password: 'Correct-Horse-9' },
  { username: `mfa.user@${DEFAULT_DOMAIN}`, password: 'Correct-Horse-9', mfaRequired: true },
  { username: `locked.user@${DEFAULT_DOMAIN}`, password: 'Correct-Horse-9', locked: true }
]

export interface SimulatorOptions {
  /** The users Graph serves (default: a generated tenant of 25 users, seed 1). */
  tenant?: Tenant
  /** Directories (tenants) Entra knows (default: one premium tenant, DEFAULT_TENANT_ID). */
  directories?: SimTenantDirectory[]
  /** Registered apps (default: DEFAULT_CLIENT_ID with a secret and DEFAULT_ROLES, plus a public client). */
  apps?: SimApp[]
  /** Password-flow accounts (default: DEFAULT_ACCOUNTS). */
  accounts?: SimAccount[]
  /** Every response leaves at least this long after its request arrived (ms). */
  latencyMs?: number
  faults?: Fault[]
  /** Extra DNS names for the server certificate (e.g. login.sim.test reached through a proxy). */
  hostNames?: string[]
  /** Listening port (default 0: any free port). */
  port?: number
  /** Lifetime of issued access tokens (default 3599 s, Entra's). */
  tokenLifetimeSeconds?: number
  /** Route modules mounted from the start (checked before the built-in Entra and Graph routes). */
  routes?: Route[]
  /**
   * Graph's per-app-per-tenant throttling (quota.ts): `{}` for the documented rates, a
   * `timeScale` to shrink the windows. Absent: no quota, so suites that are not about throttling
   * stay fast; the CLI, the demo and the benchmark turn it on.
   */
  quota?: QuotaOptions
}

export interface Simulator {
  /** https://127.0.0.1:<port> */
  readonly origin: string
  readonly port: number
  /** = origin: give `${authorityHost}/${tenantId}` to msal with knownAuthorities [host:port]. */
  readonly authorityHost: string
  /** = origin */
  readonly graphEndpoint: string
  /** The CA certificate file (for NODE_EXTRA_CA_CERTS) and its PEM (for in-process agents). */
  readonly caPath: string
  readonly caPem: string
  readonly tenantId: string
  readonly domain: string
  readonly clientId: string
  readonly clientSecret: string
  readonly tenant: Tenant
  /** Live configuration: tests may push to or edit these between requests. */
  readonly directories: SimTenantDirectory[]
  readonly apps: SimApp[]
  readonly accounts: SimAccount[]
  /** Every request so far, in arrival order (status 0: the connection was reset). */
  readonly requests: RecordedRequest[]
  /** https://<hostName>:<port>, for names from `hostNames` (reached through a proxy). */
  originFor(hostName: string): string
  addFault(fault: Fault): void
  clearFaults(): void
  setLatency(ms: number): void
  resetRequests(): void
  /** Mounts a route module; later ones are consulted first. */
  addRoutes(route: Route): void
  /** Lets the token endpoint accept GitHub OIDC tokens that `verify` recognises. */
  registerOidcIssuer(verify: OidcVerifier): void
  /** Every access token issued so far becomes invalid. */
  revokeTokens(): void
  /** The quota model in force (undefined: none), with its accept/refuse counts. */
  readonly quota: QuotaModel | undefined
  /** Replaces the quota model (a fresh, empty one) or removes it. */
  setQuota(options: QuotaOptions | undefined): void
  close(): Promise<void>
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const tls = makeTls(options.hostNames ?? [])
  const directories: SimTenantDirectory[] = options.directories ?? [
    { id: DEFAULT_TENANT_ID, domains: [DEFAULT_DOMAIN], premium: true }
  ]
  const apps: SimApp[] = options.apps ?? [
    {
      clientId: DEFAULT_CLIENT_ID,
      secret: DEFAULT_CLIENT_SECRET,
      roles: [...DEFAULT_ROLES],
      federatedSubjects: [DEFAULT_FEDERATED_SUBJECT]
    },
    { clientId: PUBLIC_CLIENT_ID, publicClient: true, roles: [...DEFAULT_ROLES] }
  ]
  const accounts = options.accounts ?? DEFAULT_ACCOUNTS.map((a) => ({ ...a }))
  const tenant =
    options.tenant ?? generateTenant({ count: 25, seed: 1, domain: directories[0]?.domains[0] })
  const tokens = new TokenStore(options.tokenLifetimeSeconds ?? 3599)
  const faults = new FaultQueue()
  for (const f of options.faults ?? []) faults.add(f)
  const requests: RecordedRequest[] = []
  const oidcVerifiers: OidcVerifier[] = []
  let latencyMs = options.latencyMs ?? 0
  const extraRoutes: Route[] = [...(options.routes ?? [])].reverse()

  const entra = createEntra({ directories, apps, accounts, tokens, oidcVerifiers })
  const graphState = {
    tenant,
    directories,
    tokens,
    faults,
    quota: options.quota && new QuotaModel(options.quota),
    recordSub: (r: RecordedRequest) => requests.push(r)
  }
  const graph = createGraph(graphState)

  let port = 0
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        // Latency is the time from arrival to response: building the response happens inside it,
        // as at Graph, so a big page costs its latency and not latency + build time.
        const arrived = performance.now()
        const origin = `https://${req.headers.host ?? `127.0.0.1:${port}`}`
        const record: RecordedRequest = {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          target: 'other',
          headers: req.headers,
          at: Date.now(),
          status: 0
        }
        requests.push(record)
        let classified = false
        let reset = false
        let pendingFault: Fault | undefined
        let transport: 'hang' | 'truncate' | undefined
        const ctx: RouteContext = {
          origin,
          nextFault(target) {
            if (!classified) {
              record.target = target
              classified = true
            }
            const fault = faults.next(target)
            // Applied here too, so a route module that ignores a fault still gets it applied.
            if (fault?.kind === 'revoke-token') tokens.revokeAll()
            else if (fault?.kind === 'reset') reset = true
            else if (fault?.kind === 'status' || fault?.kind === 'not-json') pendingFault = fault
            else if (fault?.kind === 'hang' || fault?.kind === 'truncate') transport = fault.kind
            return fault
          },
          record(target, extra) {
            record.target = target
            classified = true
            if (extra) Object.assign(record, extra)
          }
        }
        let response: SimResponse | undefined
        try {
          const simReq = {
            method: record.method,
            url: new URL(record.url, origin),
            headers: req.headers,
            body: Buffer.concat(chunks)
          }
          for (const route of [...extraRoutes, entra, graph]) {
            response = await route(simReq, ctx)
            if (response) break
          }
        } catch (e) {
          if (e instanceof ResetConnection) reset = true
          else {
            // A simulator bug: say so loudly rather than let a test read a plausible 500.
            console.error('simulator: route failed:', e)
            response = graphError(500, 'InternalServerError', `Simulator error: ${String(e)}`)
          }
        }
        let encoded: Encoded | undefined
        if (!reset) {
          if (pendingFault) {
            // Applied here unless the route already answered with it.
            const applied =
              pendingFault.kind === 'not-json'
                ? response?.body === NOT_JSON_BODY
                : response?.status === (pendingFault.status ?? 503)
            if (!applied) response = faultResponse(pendingFault)
          }
          response ??= graphError(
            404,
            'NotFound',
            `No simulated endpoint for ${record.method} ${req.url}`
          )
          record.status = response.status
          encoded = encode(response)
        }
        await waitUntil(arrived + latencyMs)
        if (!encoded) {
          req.socket.destroy()
          return
        }
        // A server that stops answering: the socket stays open and silent until the client gives
        // up (or the simulator closes).
        if (transport === 'hang') return
        res.writeHead(encoded.status, encoded.headers)
        if (transport === 'truncate') {
          // The headers promise the whole body; half of it arrives, then the connection drops.
          res.write(encoded.payload.subarray(0, Math.floor(encoded.payload.length / 2)), () =>
            setImmediate(() => req.socket.destroy())
          )
          return
        }
        sendInPieces(res, encoded.payload)
      })()
    })
  })
  // Keep-alive friendly: clients reuse connections across pages.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const origin = `https://127.0.0.1:${port}`
  const main = apps.find((a) => a.secret !== undefined) ?? apps[0]

  return {
    origin,
    port,
    authorityHost: origin,
    graphEndpoint: origin,
    caPath: tls.caPath,
    caPem: tls.caPem,
    tenantId: directories[0]?.id ?? DEFAULT_TENANT_ID,
    domain: directories[0]?.domains[0] ?? DEFAULT_DOMAIN,
    clientId: main?.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: main?.secret ?? '',
    tenant,
    directories,
    apps,
    accounts,
    requests,
    originFor: (hostName) => `https://${hostName}:${port}`,
    addFault: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    setLatency: (ms) => {
      latencyMs = ms
    },
    resetRequests: () => {
      requests.length = 0
    },
    addRoutes: (route) => {
      extraRoutes.unshift(route)
    },
    registerOidcIssuer: (verify) => {
      oidcVerifiers.push(verify)
    },
    revokeTokens: () => tokens.revokeAll(),
    get quota() {
      return graphState.quota
    },
    setQuota: (quota) => {
      graphState.quota = quota && new QuotaModel(quota)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          rmSync(dirname(tls.caPath), { recursive: true, force: true })
          resolve()
        })
        server.closeAllConnections()
      })
  }
}

interface Encoded {
  status: number
  headers: Record<string, string>
  payload: Buffer
}

/** setTimeout fires on whole milliseconds of the event loop's cached clock: up to ≈ 2 ms late. */
const TIMER_SLACK_MS = 2

/**
 * Waits until `performance.now()` reaches `deadline`: a timer for all but the last milliseconds,
 * then event-loop turns, so every response leaves at its latency and not ≈ 2 ms later (which the
 * benchmark would otherwise count against the action).
 */
async function waitUntil(deadline: number): Promise<void> {
  const coarse = deadline - performance.now() - TIMER_SLACK_MS
  if (coarse > 0) await new Promise((resolve) => setTimeout(resolve, coarse))
  while (performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve))
}

/** How much of a body is encrypted and sent in one turn of the event loop. */
const PIECE_BYTES = 64 * 1024

/**
 * Sends a body a piece per event-loop turn. TLS encrypts all of one write before the loop moves
 * on: a 270 KB page written at once kept the simulator busy ≈ 1–2 ms, and a request arriving
 * meanwhile (the client's next page) was seen late and answered late.
 */
function sendInPieces(res: ServerResponse, payload: Buffer, from = 0): void {
  if (payload.length - from <= PIECE_BYTES) {
    res.end(from === 0 ? payload : payload.subarray(from))
    return
  }
  res.write(payload.subarray(from, from + PIECE_BYTES))
  setImmediate(() => sendInPieces(res, payload, from + PIECE_BYTES))
}

/** The response as bytes (serialised before the latency wait, as a server would). */
function encode(r: SimResponse): Encoded {
  let payload: Buffer
  const headers: Record<string, string> = { ...r.headers }
  const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')
  if (r.body === undefined) payload = Buffer.alloc(0)
  else if (Buffer.isBuffer(r.body)) payload = r.body
  else if (typeof r.body === 'string') payload = Buffer.from(r.body)
  else {
    payload = Buffer.from(JSON.stringify(r.body))
    if (!hasType) headers['Content-Type'] = 'application/json; charset=utf-8'
  }
  headers['Content-Length'] = String(payload.length)
  return { status: r.status, headers, payload }
}
