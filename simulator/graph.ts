/**
 * The Microsoft Graph surface the action reads, for `beta` and `v1.0`: the user list with
 * signInActivity (paged, `$select`, `$top`), its `$count`, the sign-in logs (a conjunction of the
 * filters the action sends), JSON `$batch` and group transitive members. Pages are built on demand
 * from the lazy tenant, so a million-user tenant costs nothing until it is read. Permission,
 * licence and token checks answer with Graph's own codes and wording; with a quota model, every
 * request (each `$batch` sub-request too) is counted against its app's and tenant's window.
 */
import { directoryTarget, listDirectory } from './directory.js'
import { faultResponse, type FaultQueue } from './faults.js'
import { graphError } from './http.js'
import type { QuotaClass, QuotaModel } from './quota.js'
import { TokenStore, type IssuedToken } from './tokens.js'
import type {
  Fault,
  FaultTarget,
  GraphUser,
  RecordedRequest,
  Route,
  SimResponse,
  SimTenantDirectory,
  Tenant
} from './types.js'

export interface GraphState {
  tenant: Tenant
  directories: SimTenantDirectory[]
  tokens: TokenStore
  faults: FaultQueue
  /** Graph's throttling (absent: no quota, every request answered). */
  quota?: QuotaModel
  /** Adds a record for a $batch sub-request. */
  recordSub(r: RecordedRequest): void
}

/** Properties of microsoft.graph.user the simulator knows; those not in GraphUser read as null. */
const USER_PROPERTIES = [
  'id',
  'userPrincipalName',
  'displayName',
  'userType',
  'accountEnabled',
  'createdDateTime',
  'signInActivity',
  'mail',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'officeLocation',
  'mobilePhone',
  'businessPhones',
  'preferredLanguage',
  'companyName',
  'employeeId',
  'externalUserState',
  'creationType',
  'onPremisesSyncEnabled',
  'lastPasswordChangeDateTime',
  'externalUserStateChangeDateTime',
  'assignedLicenses'
]
const USER_PROPERTY_BY_LOWER = new Map(USER_PROPERTIES.map((p) => [p.toLowerCase(), p]))
/** What Graph returns without $select (v1.0 has a short default set; beta returns everything). */
const DEFAULT_SELECT: Record<string, string[]> = {
  'v1.0': [
    'businessPhones',
    'displayName',
    'givenName',
    'jobTitle',
    'mail',
    'mobilePhone',
    'officeLocation',
    'preferredLanguage',
    'surname',
    'userPrincipalName',
    'id'
  ],
  beta: USER_PROPERTIES.filter((p) => p !== 'signInActivity')
}

const READ_USERS = [
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All'
]
const READ_AUDIT = ['AuditLog.Read.All']
const READ_GROUPS = [
  'GroupMember.Read.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All'
]
const MAX_BATCH = 20

interface GraphCall {
  method: string
  version: string
  /** Path after the version, starting with '/'. */
  path: string
  query: URLSearchParams
  authorization: string | undefined
  /** The ConsistencyLevel header (advanced queries such as `$count`). */
  consistencyLevel?: string
  origin: string
}

type Denied = { denied: SimResponse }

export function createGraph(state: GraphState): Route {
  const insufficient = () =>
    graphError(
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.'
    )
  /**
   * Graph's answer when a required permission is not in the token, e.g. signInActivity or the
   * sign-in log without AuditLog.Read.All (the body Graph sends; the List signIns pages name
   * AuditLog.Read.All as required).
   */
  const permissionMissing = (permission: string) =>
    graphError(
      403,
      'Authentication_MSGraphPermissionMissing',
      `Calling principal does not have required MSGraph permissions ${permission}`
    )
  const nonPremium = () =>
    graphError(
      403,
      'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
      "Neither tenant is B2C or tenant doesn't have premium license"
    )
  const isPremium = (token: IssuedToken) =>
    state.directories.find((d) => d.id === token.tenantId)?.premium !== false

  function authenticate(authorization: string | undefined): IssuedToken | Denied {
    const check = state.tokens.check(authorization)
    if (check.ok) return check.token
    const message = {
      missing: 'Access token is empty.',
      unknown: 'Invalid JWT token. Token format not valid.',
      expired: 'Lifetime validation failed, the token is expired.',
      revoked:
        'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp'
    }[check.reason]
    return {
      denied: graphError(401, 'InvalidAuthenticationToken', message, {
        'WWW-Authenticate':
          'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
      })
    }
  }

  /** Classifies a call for faults and records. */
  function targetOf(method: string, path: string): FaultTarget | 'other' {
    if (method === 'GET' && /^\/users\/?$/i.test(path)) return 'users'
    if (method === 'GET' && /^\/users\/\$count$/i.test(path)) return 'count'
    if (method === 'GET' && /^\/auditLogs\/signIns\/?$/i.test(path)) return 'signIns'
    if (
      method === 'GET' &&
      /^\/groups\/[^/]+\/transitiveMembers(\/microsoft\.graph\.user)?\/?$/i.test(path)
    )
      return 'groups'
    if (method === 'POST' && path === '/$batch') return 'batch'
    return directoryTarget(method, path) ?? 'other'
  }

  /** Applies a fault: a response to send instead, or undefined to carry on (revocation done). */
  function applyFault(fault: Fault | undefined): SimResponse | undefined {
    if (!fault) return undefined
    if (fault.kind === 'revoke-token') {
      state.tokens.revokeAll()
      return undefined
    }
    return faultResponse(fault)
  }

  /** One GET the action makes, directly or inside a $batch. */
  function get(call: GraphCall, target: FaultTarget | 'other', fault?: Fault): SimResponse {
    const auth = authenticate(call.authorization)
    if ('denied' in auth) return auth.denied
    const throttled = state.quota?.take(quotaClass(call, target), auth.tenantId, auth.clientId)
    if (throttled) return throttled
    switch (target) {
      case 'users':
        return listUsers(call, auth, fault)
      case 'count':
        return countUsers(call, auth)
      case 'signIns':
        return listSignIns(call, auth)
      case 'groups':
        return listGroupMembers(call, auth)
      default: {
        const directory = directoryTarget(call.method, call.path)
        return directory
          ? listDirectory(directory, directoryCall(call), auth, state.tenant)
          : notFound(call.path)
      }
    }
  }

  /** `fault`: a `repeat-user` or `drop-id` fault that hits this page. */
  function listUsers(call: GraphCall, token: IssuedToken, fault?: Fault): SimResponse {
    if (!TokenStore.grants(token, ...READ_USERS)) return insufficient()
    for (const unsupported of ['$filter', '$search', '$orderby', '$expand']) {
      if (call.query.has(unsupported)) {
        return graphError(
          400,
          'Request_UnsupportedQuery',
          `The simulator does not support ${unsupported} on users.`
        )
      }
    }
    const selectParam = call.query.get('$select')
    let select: string[]
    if (selectParam === null) {
      select = DEFAULT_SELECT[call.version]
    } else {
      select = []
      for (const raw of selectParam.split(',')) {
        const name = USER_PROPERTY_BY_LOWER.get(raw.trim().toLowerCase())
        if (!name) {
          return graphError(
            400,
            'Request_BadRequest',
            `Could not find a property named '${raw.trim()}' on type 'Microsoft.DirectoryServices.User'.`
          )
        }
        if (!select.includes(name)) select.push(name)
      }
    }
    const withActivity = select.includes('signInActivity')
    const top = parseTop(call.query.get('$top'), 100, 999)
    if (typeof top !== 'number') return top
    if (withActivity) {
      if (top > 500) {
        return graphError(400, 'BadRequest', 'Cannot query data for more than 500 users at a time.')
      }
      if (!TokenStore.grants(token, ...READ_AUDIT)) return permissionMissing('AuditLog.Read.All')
      if (!isPremium(token)) return nonPremium()
    }
    const offset = parseSkipToken(call.query.get('$skiptoken'))
    if (offset === undefined) return expiredPageToken()

    // A user added before the cursor while the list is read shifts it back by one: the page
    // starts with the previous page's last user again.
    const start = fault?.kind === 'repeat-user' ? Math.max(offset - 1, 0) : offset
    const end = Math.min(start + top, state.tenant.count)
    const value: Record<string, unknown>[] = []
    for (let i = start; i < end; i++) value.push(project(state.tenant.user(i), select))
    if (fault?.kind === 'drop-id' && value.length > 0) delete value[0].id
    const body: Record<string, unknown> = {
      '@odata.context': `${call.origin}/${call.version}/$metadata#users(${select.join(',')})`
    }
    if (end < state.tenant.count) body['@odata.nextLink'] = nextLink(call, end)
    body.value = value
    return json(body)
  }

  /**
   * `GET /users/$count`: a plain-text number, only with `ConsistencyLevel: eventual` (advanced
   * query capabilities on directory objects, https://learn.microsoft.com/graph/aad-advanced-queries;
   * Graph answers 400 Request_BadRequest without the header).
   */
  function countUsers(call: GraphCall, token: IssuedToken): SimResponse {
    if (!TokenStore.grants(token, ...READ_USERS)) return insufficient()
    if (call.consistencyLevel?.toLowerCase() !== 'eventual') {
      return graphError(400, 'Request_BadRequest', '$count is not currently supported.')
    }
    return {
      status: 200,
      headers: { 'Content-Type': 'text/plain;charset=utf-8' },
      body: String(state.tenant.count)
    }
  }

  /**
   * `GET auditLogs/signIns` as documented (List signIns, beta and v1.0; the beta signIn resource:
   * "This API returns only interactive sign-ins unless you set an explicit filter"): only
   * interactive sign-ins unless the filter names `signInEventTypes` (beta only: v1.0's signIn has
   * no such property, so v1.0 never returns non-interactive ones); newest first; at most 1,000 a
   * page. The filter is a conjunction of `userId eq '…'`, `createdDateTime ge|gt|le|lt <date>`,
   * `status/errorCode eq <n>` and `signInEventTypes/any(t: t eq '…' [or t eq '…'])`.
   */
  function listSignIns(call: GraphCall, token: IssuedToken): SimResponse {
    if (!TokenStore.grants(token, ...READ_AUDIT)) return permissionMissing('AuditLog.Read.All')
    if (!isPremium(token)) return nonPremium()
    const filter = parseSignInFilter(call.query.get('$filter') ?? '', call.version)
    if ('error' in filter) return graphError(400, 'BadRequest', filter.error)
    const orderby = call.query.get('$orderby')
    if (orderby !== null && orderby !== 'createdDateTime desc') {
      return graphError(400, 'BadRequest', `Unsupported $orderby: ${orderby}`)
    }
    const top = parseTop(call.query.get('$top'), 1000, 1000)
    if (typeof top !== 'number') return top
    const value = state.tenant
      .signIns(filter.userId)
      .filter((e) =>
        filter.eventTypes.includes(e.isInteractive ? 'interactiveUser' : 'nonInteractiveUser')
      )
      .filter((e) => filter.errorCode === undefined || e.status.errorCode === filter.errorCode)
      .filter((e) => filter.dates.every((test) => test(Date.parse(e.createdDateTime))))
      .slice(0, top)
      .map((e) =>
        // beta's signIn carries signInEventTypes; v1.0's does not.
        call.version === 'beta'
          ? { ...e, signInEventTypes: [e.isInteractive ? 'interactiveUser' : 'nonInteractiveUser'] }
          : e
      )
    return json({
      '@odata.context': `${call.origin}/${call.version}/$metadata#auditLogs/signIns`,
      value
    })
  }

  function listGroupMembers(call: GraphCall, token: IssuedToken): SimResponse {
    if (!TokenStore.grants(token, ...READ_GROUPS)) return insufficient()
    const groupId = decodeURIComponent(call.path.split('/')[2])
    const members = state.tenant.groupMembers(groupId)
    if (!members) {
      return graphError(
        404,
        'Request_ResourceNotFound',
        `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`
      )
    }
    const select = (call.query.get('$select') ?? 'id,displayName,userPrincipalName')
      .split(',')
      .map((s) => USER_PROPERTY_BY_LOWER.get(s.trim().toLowerCase()) ?? s.trim())
    const top = parseTop(call.query.get('$top'), 100, 999)
    if (typeof top !== 'number') return top
    const offset = parseSkipToken(call.query.get('$skiptoken'))
    if (offset === undefined) return expiredPageToken()
    const end = Math.min(offset + top, members.length)
    const value = members.slice(offset, end).map((id) => {
      const user = state.tenant.userById?.(id)
      return { '@odata.type': '#microsoft.graph.user', ...project(user ?? { id }, select), id }
    })
    const body: Record<string, unknown> = {
      '@odata.context': `${call.origin}/${call.version}/$metadata#directoryObjects(${select.join(',')})`
    }
    if (end < members.length) body['@odata.nextLink'] = nextLink(call, end)
    body.value = value
    return json(body)
  }

  function directoryCall(call: GraphCall) {
    return {
      version: call.version,
      query: call.query,
      origin: call.origin,
      nextLink: (offset: number) => nextLink(call, offset),
      offset: () => parseSkipToken(call.query.get('$skiptoken'))
    }
  }

  function batch(call: GraphCall, body: Buffer, headers: RecordedRequest['headers']): SimResponse {
    const auth = authenticate(call.authorization)
    if ('denied' in auth) return auth.denied
    let requests: unknown
    try {
      requests = (JSON.parse(body.toString('utf8')) as { requests?: unknown }).requests
    } catch {
      requests = undefined
    }
    if (!Array.isArray(requests) || requests.length === 0) {
      return graphError(400, 'BadRequest', 'Invalid batch payload format.')
    }
    if (requests.length > MAX_BATCH) {
      return graphError(
        400,
        'BadRequest',
        `The number of requests in the batch (${requests.length}) exceeds the limit of ${MAX_BATCH}.`
      )
    }
    const ids = new Set<string>()
    for (const r of requests as Array<{ id?: unknown; method?: unknown; url?: unknown }>) {
      if (typeof r?.id !== 'string' || typeof r.url !== 'string' || typeof r.method !== 'string') {
        return graphError(400, 'BadRequest', 'Each batch request needs string id, method and url.')
      }
      if (ids.has(r.id)) {
        return graphError(
          400,
          'BadRequest',
          `Batch request contains duplicate request id '${r.id}'.`
        )
      }
      ids.add(r.id)
    }
    const responses = (requests as Array<{ id: string; method: string; url: string }>).map((r) => {
      const rel = r.url.startsWith('/') ? r.url : '/' + r.url
      const url = new URL(rel, 'https://sub.invalid')
      const method = r.method.toUpperCase()
      const sub: GraphCall = { ...call, method, path: url.pathname, query: url.searchParams }
      const target = targetOf(method, sub.path)
      let res: SimResponse
      const fault =
        state.faults.next('batch-item') ??
        (target === 'other' ? undefined : state.faults.next(target))
      res = applyFault(fault) ?? (method === 'GET' ? get(sub, target) : notFound(sub.path))
      if (fault?.kind === 'status' && res.status !== (fault.status ?? 503))
        res = faultResponse(fault)!
      state.recordSub({
        method,
        url: rel,
        target: target === 'other' ? 'batch-item' : target,
        headers,
        at: Date.now(),
        status: res.status,
        inBatch: true
      })
      return {
        id: r.id,
        status: res.status,
        headers: {
          'Cache-Control': 'no-cache',
          'Content-Type': 'application/json',
          ...res.headers
        },
        body: res.body
      }
    })
    return json({ responses })
  }

  return async (req, ctx) => {
    const m = /^\/(beta|v1\.0)(\/.*)$/.exec(req.url.pathname)
    if (!m) return undefined
    const consistency = req.headers.consistencylevel
    const call: GraphCall = {
      method: req.method,
      version: m[1],
      path: m[2],
      query: req.url.searchParams,
      authorization: req.headers.authorization,
      consistencyLevel: Array.isArray(consistency) ? consistency[0] : consistency,
      origin: ctx.origin
    }
    const target = targetOf(req.method, call.path)
    if (target === 'other') {
      ctx.record('other')
      return notFound(call.path)
    }
    ctx.record(target)
    const fault = ctx.nextFault(target)
    const faulted = applyFault(fault)
    if (faulted) return faulted
    return target === 'batch' ? batch(call, req.body, req.headers) : get(call, target, fault)
  }
}

function json(body: object): SimResponse {
  return {
    status: 200,
    headers: {
      'Content-Type':
        'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'
    },
    body
  }
}

function notFound(path: string): SimResponse {
  return graphError(
    400,
    'BadRequest',
    `Resource not found for the segment '${path.split('/')[1] ?? ''}'.`
  )
}

function expiredPageToken(): SimResponse {
  return graphError(
    400,
    'Directory_ExpiredPageToken',
    'The specified page token value has expired and can no longer be included in your request.'
  )
}

/** `$top`: an integer 1..max, or Graph's 400. */
function parseTop(raw: string | null, dflt: number, max: number): number | SimResponse {
  if (raw === null) return dflt
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!(n >= 1 && n <= max)) {
    return graphError(
      400,
      'Request_BadRequest',
      `Invalid page size specified: '${raw}'. Must be between 1 and ${max} inclusive.`
    )
  }
  return n
}

/**
 * Skip tokens are opaque to clients (like Graph's) but simply carry the next offset with a check
 * word, so no server-side cursor state is needed however many pages are open.
 */
const SKIP_PREFIX = 'RFNwdAIA'
function makeSkipToken(offset: number): string {
  const payload = `sim:${offset}:${(offset * 2654435761) >>> 0}`
  return SKIP_PREFIX + Buffer.from(payload).toString('base64url')
}
function parseSkipToken(raw: string | null): number | undefined {
  if (raw === null) return 0
  if (!raw.startsWith(SKIP_PREFIX)) return undefined
  const m = /^sim:(\d+):(\d+)$/.exec(
    Buffer.from(raw.slice(SKIP_PREFIX.length), 'base64url').toString()
  )
  if (!m) return undefined
  const offset = Number(m[1])
  return (offset * 2654435761) >>> 0 === Number(m[2]) ? offset : undefined
}

/** The absolute next-page URL: same origin and query, new `$skiptoken` (Graph keeps `$` literal). */
function nextLink(call: GraphCall, offset: number): string {
  const parts: string[] = []
  for (const [k, v] of call.query) {
    if (k !== '$skiptoken') parts.push(`${k}=${encodeURIComponent(v)}`)
  }
  parts.push(`$skiptoken=${makeSkipToken(offset)}`)
  return `${call.origin}/${call.version}${call.path}?${parts.join('&')}`
}

/** The selected properties of a user, in `select` order; unknown-to-us properties are null. */
function project(user: Partial<GraphUser>, select: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const rec = user as Record<string, unknown>
  // A derived type (agentUser) is annotated whatever the $select, as OData does in a collection.
  if (typeof rec['@odata.type'] === 'string') out['@odata.type'] = rec['@odata.type']
  for (const p of select) {
    if (p === 'businessPhones' || p === 'assignedLicenses') out[p] = rec[p] ?? []
    else if (p === 'signInActivity') {
      // Absent on the user (never signed in): Graph omits nothing, it sends null or the object;
      // the generator's "absent" form is kept absent so that clients handle it too.
      if (p in rec) out[p] = rec[p]
    } else out[p] = rec[p] ?? null
  }
  return out
}

/** The quota window a GET counts against (see quota.ts). */
function quotaClass(call: GraphCall, target: FaultTarget | 'other'): QuotaClass {
  if (target === 'signIns') return 'reports'
  if (target === 'users' && /(^|,)\s*signInActivity\s*(,|$)/i.test(call.query.get('$select') ?? ''))
    return 'signInActivity'
  return 'directory'
}

type SignInEventType = 'interactiveUser' | 'nonInteractiveUser'

interface SignInFilter {
  userId: string
  errorCode?: number
  eventTypes: SignInEventType[]
  dates: Array<(ms: number) => boolean>
}

const DATE_CLAUSE =
  /^createdDateTime (ge|gt|le|lt) (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z)$/
const EVENT_TYPES_CLAUSE = /^\(?signInEventTypes\/any\(t: (t eq '\w+'(?: or t eq '\w+')*)\)\)?$/

/** The sign-in log filter as a conjunction of the clauses the simulator knows, or why not. */
export function parseSignInFilter(text: string, version: string): SignInFilter | { error: string } {
  // Without a signInEventTypes clause, List signIns returns interactive sign-ins only.
  const filter: SignInFilter = { userId: '', eventTypes: ['interactiveUser'], dates: [] }
  for (const clause of text.split(' and ')) {
    const user = /^userId eq '([^']+)'$/.exec(clause)
    const status = /^status\/errorCode eq (\d+)$/.exec(clause)
    const date = DATE_CLAUSE.exec(clause)
    const types = EVENT_TYPES_CLAUSE.exec(clause)
    if (user) filter.userId = user[1]
    else if (status) filter.errorCode = Number(status[1])
    else if (date) {
      const at = Date.parse(date[2])
      const op = date[1]
      filter.dates.push((ms) =>
        op === 'ge' ? ms >= at : op === 'gt' ? ms > at : op === 'le' ? ms <= at : ms < at
      )
    } else if (types) {
      if (version !== 'beta') {
        return {
          error:
            "Could not find a property named 'signInEventTypes' on type 'microsoft.graph.signIn'."
        }
      }
      filter.eventTypes = [...types[1].matchAll(/'(\w+)'/g)].map((t) => t[1] as SignInEventType)
    } else {
      return {
        error: `Invalid filter clause: the simulator knows userId eq, createdDateTime ge|gt|le|lt, status/errorCode eq and signInEventTypes/any joined by 'and', got: ${clause}`
      }
    }
  }
  if (filter.userId === '') return { error: "The simulator needs a userId eq '<id>' clause." }
  return filter
}
