/**
 * The artifact service `@actions/artifact` v2+ (here v6) talks to:
 *
 * 1. Twirp JSON at `ACTIONS_RESULTS_URL` (only its origin is used):
 *    `POST /twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact` with
 *    `Authorization: Bearer <ACTIONS_RUNTIME_TOKEN>` → `{ ok, signed_upload_url }`.
 * 2. `@azure/storage-blob` `BlockBlobClient.uploadStream` on that URL: `PUT ?comp=block&blockid=…`
 *    per 8 MiB chunk, then `PUT ?comp=blocklist` (a single `PUT` with `x-ms-blob-type` is accepted
 *    too).
 * 3. `FinalizeArtifact` with the size and `sha256:<hex>` of the zip → `{ ok, artifact_id }`.
 *
 * Downloads (`listArtifacts`, `downloadArtifact` of the toolkit's `find/list-artifacts.ts` and
 * `download/download-artifact.ts`): `ListArtifacts` with the caller's backend ids (and an
 * `id_filter` for one artifact) → every finalized artifact of the workflow run, whichever job
 * uploaded it; `GetSignedArtifactURL` with the backend ids *of the artifact* as listed and its
 * name → `{ signed_url }`; then a plain `GET` of that URL for the zip. Any job of a run may read
 * the run's artifacts (a merge job downloads what the matrix legs uploaded).
 *
 * The client parses the runtime token's `scp` claim (`… Actions.Results:<runId>:<jobId>`) for the
 * backend ids it sends; `buildRuntimeToken` makes such a token (HMAC-signed by this process so the
 * service can tell its own tokens apart from forged ones).
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { ResetConnection } from './faults.js'
import type { Fault, Route, RouteContext, SimRequest, SimResponse } from './types.js'

export const ARTIFACT_TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/'
export const ARTIFACT_BLOB_PREFIX = '/_artifact-blob/actions-results/'

export interface StoredArtifact {
  id: number
  name: string
  workflowRunBackendId: string
  workflowJobRunBackendId: string
  mimeType: string | null
  version: number | null
  createdAt: string
  /** ISO 8601 expiry the client asked for (`retentionDays`), or null (repository default). */
  expiresAt: string | null
  /** Whole days from creation to `expiresAt`, or null. */
  retentionDays: number | null
  /** Size the client reported at finalize. */
  size: number
  /** `sha256:<hex>` the client reported at finalize, or null. */
  digest: string | null
  /** The uploaded blob (a zip unless the client used `skipArchive`). */
  bytes: Buffer
  finalized: boolean
}

export interface BackendIds {
  workflowRunBackendId: string
  workflowJobRunBackendId: string
}

export interface ArtifactServiceOptions {
  /** Backend ids of the default runtime token (random GUIDs otherwise). */
  backendIds?: Partial<BackendIds>
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number
}

export interface ArtifactService {
  /** Route module for the simulator (`sim.addRoutes(artifacts.route)`). */
  route: Route
  /** A runtime token for `backendIds` (any token from `buildRuntimeToken` is accepted). */
  readonly runtimeToken: string
  readonly backendIds: BackendIds
  /**
   * `ACTIONS_RESULTS_URL` and `ACTIONS_RUNTIME_TOKEN` for an origin; with `job`, the token of
   * another job of the same workflow run (a matrix leg, a merge job).
   */
  env(origin: string, job?: string): Record<'ACTIONS_RESULTS_URL' | 'ACTIONS_RUNTIME_TOKEN', string>
  /** Finalized artifacts in upload order (`{ all: true }`: created but unfinalized ones too). */
  artifacts(options?: { all?: boolean }): StoredArtifact[]
}

const tokenSecret = randomBytes(32)
const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * An `ACTIONS_RUNTIME_TOKEN` as the runner issues it: a JWT whose `scp` claim holds
 * `Actions.Results:<workflowRunBackendId>:<workflowJobRunBackendId>` (what `@actions/artifact`
 * reads; it never verifies the signature, this service does).
 */
export function buildRuntimeToken(ids: Partial<BackendIds> = {}, nowMs = Date.now()): string {
  const run = ids.workflowRunBackendId ?? randomUUID()
  const job = ids.workflowJobRunBackendId ?? randomUUID()
  const now = Math.floor(nowMs / 1000)
  const header = { typ: 'JWT', alg: 'HS256', x5t: 'sim' }
  const payload = {
    nameid: 'dddddddd-dddd-dddd-dddd-dddddddddddd',
    scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.UploadArtifacts:00000000-0000-0000-0000-000000000000:${job} Actions.Results:${run}:${job}`,
    ac: '[{"Scope":"refs/heads/main","Permission":3}]',
    iss: 'vstoken.actions.githubusercontent.com',
    aud: 'vso:00000000-0000-0000-0000-000000000000',
    nbf: now - 5,
    exp: now + 6 * 3600
  }
  const input = `${b64url(header)}.${b64url(payload)}`
  return `${input}.${createHmac('sha256', tokenSecret).update(input).digest('base64url')}`
}

/** Backend ids of a runtime token made by `buildRuntimeToken`, if valid and unexpired. */
export function verifyRuntimeToken(token: string, nowMs = Date.now()): BackendIds | undefined {
  try {
    const [h, p, s] = token.split('.')
    if (!h || !p || !s) return undefined
    const expected = createHmac('sha256', tokenSecret).update(`${h}.${p}`).digest()
    const given = Buffer.from(s, 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as {
      scp?: string
      exp?: number
    }
    if (typeof payload.exp !== 'number' || payload.exp * 1000 <= nowMs) return undefined
    for (const scope of (payload.scp ?? '').split(' ')) {
      const parts = scope.split(':')
      if (parts[0] === 'Actions.Results' && parts.length === 3) {
        return { workflowRunBackendId: parts[1], workflowJobRunBackendId: parts[2] }
      }
    }
    return undefined
  } catch {
    return undefined
  }
}

const TWIRP_STATUS: Record<string, number> = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
  unavailable: 503
}

function twirpError(code: keyof typeof TWIRP_STATUS, msg: string): SimResponse {
  return { status: TWIRP_STATUS[code], body: { code, msg } }
}

function blobError(status: number, code: string, message: string): SimResponse {
  return {
    status,
    headers: {
      'content-type': 'application/xml',
      'x-ms-error-code': code,
      'x-ms-request-id': randomUUID()
    },
    body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}</Message></Error>`
  }
}

function faultResponse(fault: Fault, blob: boolean): SimResponse {
  const status = fault.status ?? 503
  let response: SimResponse
  if (fault.body !== undefined) response = { status, body: fault.body as SimResponse['body'] }
  else if (blob) {
    response = blobError(
      status,
      status === 503 ? 'ServerBusy' : 'InternalError',
      'Simulated blob storage failure'
    )
  } else {
    response = {
      status,
      body: {
        code: status === 503 ? 'unavailable' : status >= 500 ? 'internal' : 'unknown',
        msg: 'Simulated artifact service failure'
      }
    }
  }
  if (fault.retryAfter !== undefined) {
    response.headers = { ...response.headers, 'retry-after': fault.retryAfter }
  }
  return response
}

interface Upload {
  artifact: StoredArtifact
  sig: string
  blocks: Map<string, Buffer>
  committed: boolean
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export function createArtifactService(options: ArtifactServiceOptions = {}): ArtifactService {
  const now = options.now ?? Date.now
  const backendIds: BackendIds = {
    workflowRunBackendId: options.backendIds?.workflowRunBackendId ?? randomUUID(),
    workflowJobRunBackendId: options.backendIds?.workflowJobRunBackendId ?? randomUUID()
  }
  const runtimeToken = buildRuntimeToken(backendIds, now())
  const uploads = new Map<string, Upload>()
  const order: Upload[] = []
  let nextId = 1

  const find = (run: string, name: string, finalized: boolean): Upload | undefined => {
    for (let i = order.length - 1; i >= 0; i--) {
      const u = order[i]
      if (u.artifact.workflowRunBackendId === run && u.artifact.name === name) {
        if (u.artifact.finalized === finalized) return u
      }
    }
    return undefined
  }

  const twirp = async (
    method: string,
    req: SimRequest,
    ctx: RouteContext
  ): Promise<SimResponse> => {
    if (req.method !== 'POST') return twirpError('bad_route', `unsupported method ${req.method}`)
    const auth = req.headers.authorization ?? ''
    const ids = auth.startsWith('Bearer ') ? verifyRuntimeToken(auth.slice(7), now()) : undefined
    if (!ids) return twirpError('unauthenticated', 'invalid or missing runtime token')
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return twirpError('bad_route', 'only the JSON protocol is simulated')
    }
    let body: Record<string, unknown>
    try {
      body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>
    } catch {
      return twirpError('malformed', 'the request body is not JSON')
    }
    const run = str(body.workflow_run_backend_id ?? body.workflowRunBackendId)
    const job = str(body.workflow_job_run_backend_id ?? body.workflowJobRunBackendId)
    // Reads name the run's artifacts by the job that uploaded them, so only the run must match.
    const reads = method === 'ListArtifacts' || method === 'GetSignedArtifactURL'
    if (run !== ids.workflowRunBackendId || (!reads && job !== ids.workflowJobRunBackendId)) {
      return twirpError('permission_denied', 'backend ids do not match the runtime token')
    }
    const name = str(body.name)
    switch (method) {
      case 'CreateArtifact': {
        if (!name) return twirpError('invalid_argument', 'name is required')
        if (find(run, name, true)) {
          return twirpError(
            'already_exists',
            `an artifact with this name already exists on the workflow run`
          )
        }
        const expires = str(body.expires_at ?? body.expiresAt)
        const createdAt = new Date(now())
        const expiresAt = expires ? new Date(expires) : null
        if (expiresAt && Number.isNaN(expiresAt.getTime())) {
          return twirpError('invalid_argument', 'expires_at is not a timestamp')
        }
        const uploadId = randomUUID()
        const sig = randomBytes(24).toString('base64')
        const upload: Upload = {
          sig,
          blocks: new Map(),
          committed: false,
          artifact: {
            id: 0,
            name,
            workflowRunBackendId: run,
            workflowJobRunBackendId: ids.workflowJobRunBackendId,
            mimeType: str(body.mime_type ?? body.mimeType) ?? null,
            version: typeof body.version === 'number' ? body.version : null,
            createdAt: createdAt.toISOString(),
            expiresAt: expiresAt ? expiresAt.toISOString() : null,
            retentionDays: expiresAt
              ? Math.round((expiresAt.getTime() - createdAt.getTime()) / 86_400_000)
              : null,
            size: 0,
            digest: null,
            bytes: Buffer.alloc(0),
            finalized: false
          }
        }
        uploads.set(uploadId, upload)
        order.push(upload)
        const se = new Date(now() + 3_600_000).toISOString()
        const query = new URLSearchParams({ sv: '2023-11-03', se, sr: 'b', sp: 'cw', sig })
        return {
          status: 200,
          body: {
            ok: true,
            signed_upload_url: `${ctx.origin}${ARTIFACT_BLOB_PREFIX}${uploadId}.zip?${query}`
          }
        }
      }
      case 'FinalizeArtifact': {
        if (!name) return twirpError('invalid_argument', 'name is required')
        const upload = find(run, name, false)
        if (!upload) return twirpError('not_found', `artifact ${name} was not created`)
        if (!upload.committed) {
          return twirpError('failed_precondition', `artifact ${name} has no uploaded content`)
        }
        const size = Number(body.size ?? 0)
        if (size !== upload.artifact.bytes.length) {
          return twirpError(
            'invalid_argument',
            `size ${size} does not match the ${upload.artifact.bytes.length} bytes uploaded`
          )
        }
        const hash = str(body.hash)
        if (hash) {
          const actual = `sha256:${createHash('sha256').update(upload.artifact.bytes).digest('hex')}`
          if (hash !== actual) return twirpError('invalid_argument', `hash ${hash} does not match`)
        }
        upload.artifact.size = size
        upload.artifact.digest = hash ?? null
        upload.artifact.id = nextId++
        upload.artifact.finalized = true
        return { status: 200, body: { ok: true, artifact_id: String(upload.artifact.id) } }
      }
      case 'ListArtifacts': {
        const nameFilter = str(body.name_filter ?? body.nameFilter)
        const idFilter = body.id_filter ?? body.idFilter
        const list = order
          .map((u) => u.artifact)
          .filter((a) => a.finalized && a.workflowRunBackendId === run)
          .filter((a) => nameFilter === undefined || a.name === nameFilter)
          .filter((a) => idFilter === undefined || String(a.id) === String(idFilter))
        return {
          status: 200,
          body: {
            artifacts: list.map((a) => ({
              workflow_run_backend_id: a.workflowRunBackendId,
              workflow_job_run_backend_id: a.workflowJobRunBackendId,
              database_id: String(a.id),
              name: a.name,
              size: String(a.size),
              created_at: a.createdAt,
              ...(a.digest ? { digest: a.digest } : {})
            }))
          }
        }
      }
      case 'GetSignedArtifactURL': {
        const upload = name ? find(run, name, true) : undefined
        if (!upload || upload.artifact.workflowJobRunBackendId !== job) {
          return twirpError('not_found', `artifact ${name} not found`)
        }
        const id = [...uploads].find(([, u]) => u === upload)?.[0]
        return {
          status: 200,
          body: {
            signed_url: `${ctx.origin}${ARTIFACT_BLOB_PREFIX}${id}.zip?${new URLSearchParams({ sig: upload.sig, sp: 'r' })}`
          }
        }
      }
      case 'DeleteArtifact': {
        const upload = name ? find(run, name, true) : undefined
        if (!upload) return twirpError('not_found', `artifact ${name} not found`)
        order.splice(order.indexOf(upload), 1)
        for (const [id, u] of uploads) if (u === upload) uploads.delete(id)
        return { status: 200, body: { ok: true, artifact_id: String(upload.artifact.id) } }
      }
      default:
        return twirpError('bad_route', `no such method ${method}`)
    }
  }

  const blob = (uploadId: string, req: SimRequest): SimResponse => {
    const upload = uploads.get(uploadId)
    const sig = req.url.searchParams.get('sig') ?? ''
    if (!upload || sig !== upload.sig) {
      return blobError(
        403,
        'AuthenticationFailed',
        'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.'
      )
    }
    const ok = (status: number, extra: Record<string, string> = {}): SimResponse => ({
      status,
      headers: {
        'x-ms-request-id': randomUUID(),
        'x-ms-version': '2025-11-05',
        'x-ms-request-server-encrypted': 'true',
        date: new Date(now()).toUTCString(),
        ...extra
      },
      body: ''
    })
    const etag = `"0x${createHash('md5').update(upload.artifact.bytes).digest('hex').slice(0, 15).toUpperCase()}"`
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (!upload.committed)
        return blobError(404, 'BlobNotFound', 'The specified blob does not exist.')
      return {
        ...ok(200, {
          'content-type': upload.artifact.mimeType ?? 'application/octet-stream',
          'x-ms-blob-type': 'BlockBlob',
          etag
        }),
        body: req.method === 'GET' ? upload.artifact.bytes : ''
      }
    }
    if (req.method !== 'PUT') {
      return blobError(
        405,
        'UnsupportedHttpVerb',
        'The resource does not support the specified HTTP verb.'
      )
    }
    if (upload.artifact.finalized) {
      return blobError(409, 'BlobImmutable', 'The artifact is already finalized.')
    }
    const comp = req.url.searchParams.get('comp')
    if (comp === 'block') {
      const blockId = req.url.searchParams.get('blockid')
      if (!blockId) return blobError(400, 'InvalidQueryParameterValue', 'blockid is required.')
      upload.blocks.set(blockId, req.body)
      return ok(201)
    }
    const committed = (): SimResponse => {
      upload.committed = true
      const contentType = req.headers['x-ms-blob-content-type']
      if (typeof contentType === 'string') upload.artifact.mimeType = contentType
      return ok(201, {
        etag: `"0x${createHash('md5').update(upload.artifact.bytes).digest('hex').slice(0, 15).toUpperCase()}"`,
        'last-modified': new Date(now()).toUTCString()
      })
    }
    if (comp === 'blocklist') {
      const xml = req.body.toString('utf8')
      const parts: Buffer[] = []
      for (const m of xml.matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)) {
        const id = m[2]
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&apos;/g, "'")
          .replace(/&amp;/g, '&')
        const block = upload.blocks.get(id)
        if (!block)
          return blobError(400, 'InvalidBlockList', 'The specified block list is invalid.')
        parts.push(block)
      }
      upload.artifact.bytes = Buffer.concat(parts)
      upload.blocks.clear()
      return committed()
    }
    if (comp === null && req.headers['x-ms-blob-type'] === 'BlockBlob') {
      upload.artifact.bytes = req.body
      return committed()
    }
    return blobError(400, 'InvalidQueryParameterValue', `unsupported operation comp=${comp}`)
  }

  const route: Route = async (req, ctx) => {
    const pathname = req.url.pathname
    const isTwirp = pathname.startsWith(ARTIFACT_TWIRP_PREFIX)
    const isBlob = pathname.startsWith(ARTIFACT_BLOB_PREFIX)
    if (!isTwirp && !isBlob) return undefined
    ctx.record('artifact')
    const fault = ctx.nextFault('artifact')
    if (fault?.kind === 'reset') throw new ResetConnection()
    if (fault?.kind === 'status') return faultResponse(fault, isBlob)
    if (isTwirp) return twirp(pathname.slice(ARTIFACT_TWIRP_PREFIX.length), req, ctx)
    const file = pathname.slice(ARTIFACT_BLOB_PREFIX.length)
    return blob(file.replace(/\.zip$/, ''), req)
  }

  return {
    route,
    runtimeToken,
    backendIds,
    env: (origin, job) => ({
      ACTIONS_RESULTS_URL: `${origin}/`,
      ACTIONS_RUNTIME_TOKEN:
        job === undefined
          ? runtimeToken
          : buildRuntimeToken({ ...backendIds, workflowJobRunBackendId: job }, now())
    }),
    artifacts: (opts) =>
      order.map((u) => u.artifact).filter((a) => opts?.all === true || a.finalized)
  }
}
