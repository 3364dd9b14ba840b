import { BATCH_CONCURRENCY, BATCH_SIZE, LOG_WINDOW_DAYS } from '../constants.js'
import type { DirectoryUser } from '../users.js'
import type { Settings } from '../settings/settings.js'
import type { GraphClient } from './client.js'
import { GraphFailure } from '../errors.js'
import { explainGraphError, type GraphErrorOptions } from './errors.js'
import { isRetryableStatus } from './pipeline.js'
import { RetriesExhausted, RetryStrategy, type RetryContext } from './retry.js'
import { userPages, type UserListing } from './users.js'

interface SignInEntry {
  createdDateTime: string
  isInteractive?: boolean
  status?: { errorCode?: number }
}

interface BatchResponse {
  responses?: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[]
}

/**
 * List signIns returns interactive sign-ins only unless the filter names signInEventTypes, which
 * only beta's signIn has (beta signIn resource: "This API returns only interactive sign-ins
 * unless you set an explicit filter").
 */
const EVERY_USER_SIGN_IN =
  "signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')"

/** The log window as a createdDateTime range (Microsoft asks for one so queries do not time out). */
export function logWindow(now: Date): { from: string; to: string } {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
  return { from: iso(now.getTime() - LOG_WINDOW_DAYS * 86_400_000), to: iso(now.getTime()) }
}

/**
 * The sub-request for one user's newest sign-in in the log window (only successful ones for
 * `activity: successful`); on beta of every user sign-in kind, on v1.0 of interactive ones.
 */
export function lastSignInPath(
  userId: string,
  successfulOnly: boolean,
  graphVersion: string,
  window: { from: string; to: string }
): string {
  const clauses = [
    `userId eq '${userId}'`,
    `createdDateTime ge ${window.from}`,
    `createdDateTime le ${window.to}`
  ]
  if (successfulOnly) clauses.push('status/errorCode eq 0')
  if (graphVersion === 'beta') clauses.push(EVERY_USER_SIGN_IN)
  return `/auditLogs/signIns?$filter=${encodeURIComponent(clauses.join(' and '))}&$orderby=${encodeURIComponent('createdDateTime desc')}&$top=1`
}

/**
 * Fills the user's sign-in fields (DESIGN.md, Decisions): the newest entry of any outcome is the
 * interactive or non-interactive sign-in by its `isInteractive`; the newest successful one is the
 * successful sign-in.
 */
export function applyEntries(
  user: DirectoryUser,
  newest: SignInEntry | undefined,
  newestSuccess: SignInEntry | undefined
): DirectoryUser {
  return {
    ...user,
    lastSignInDateTime: newest && newest.isInteractive !== false ? newest.createdDateTime : null,
    lastNonInteractiveSignInDateTime:
      newest?.isInteractive === false ? newest.createdDateTime : null,
    lastSuccessfulSignInDateTime: newestSuccess?.createdDateTime ?? null
  }
}

const succeeded = (entry: SignInEntry | undefined) => entry?.status?.errorCode === 0

/**
 * The newest log entry of each of up to 20 users in one $batch. Sub-responses are handled one by
 * one with the same RetryStrategy as whole requests: a throttled or failed one is sent again (in
 * the next batch) after its own Retry-After or backoff; one that keeps failing, or fails for
 * good, fails the run and is never taken for "no sign-in". A batch holds no more sub-requests than
 * the sign-in log's quota window was seen to take.
 */
async function newestEntries(
  graph: GraphClient,
  users: DirectoryUser[],
  successfulOnly: boolean,
  options: SignInLogOptions,
  retry: RetryContext
): Promise<Map<string, SignInEntry | undefined>> {
  const entries = new Map<string, SignInEntry | undefined>()
  const window = logWindow(retry.clock.now())
  const strategies = new Map<string, RetryStrategy>()
  let pending = users
  while (pending.length > 0) {
    const size = Math.min(pending.length, graph.pacing.pacer('signInLogs').batchSize(BATCH_SIZE))
    const sending = pending.slice(0, size)
    const batch = await graph.post<BatchResponse>(
      '$batch',
      {
        requests: sending.map((user, index) => ({
          id: String(index),
          method: 'GET',
          url: lastSignInPath(user.id, successfulOnly, options.graphVersion, window)
        }))
      },
      { resource: 'signInLogs', what: `sign-in logs batch of ${sending.length} users` }
    )
    const again: DirectoryUser[] = []
    let wait = 0
    sending.forEach((user, index) => {
      const response = batch.responses?.find((candidate) => candidate.id === String(index))
      const what = `the sign-in log of user ${user.id}`
      if (!response) {
        throw new GraphFailure(
          `Graph's $batch answer has no response for ${what}; the result cannot be trusted.`
        )
      }
      if (response.status >= 200 && response.status < 300) {
        const value = (response.body as { value?: SignInEntry[] } | undefined)?.value
        if (!Array.isArray(value))
          throw new GraphFailure(`Graph answered ${what} without a "value" list.`)
        entries.set(user.id, value[0])
        return
      }
      const body = JSON.stringify(response.body ?? {})
      const call = { resource: 'signInLogs', what } as const
      if (!isRetryableStatus(response.status))
        throw explainGraphError(response.status, body, call, options)
      let strategy = strategies.get(user.id)
      if (!strategy) strategies.set(user.id, (strategy = new RetryStrategy(retry, 'signInLogs')))
      const header = Object.entries(response.headers ?? {}).find(
        ([name]) => name.toLowerCase() === 'retry-after'
      )?.[1]
      const next = strategy.next(what, { status: response.status, retryAfter: header ?? null })
      if (next instanceof RetriesExhausted)
        throw explainGraphError(response.status, body, call, options, next.message)
      wait = Math.max(wait, next)
      again.push(user)
    })
    if (again.length > 0) {
      retry.log(
        `sign-in logs: ${again.length} sub-request(s) throttled or failed; waiting ${(wait / 1000).toFixed(2)} s before sending them again`
      )
      retry.waited.ms += wait
      await retry.clock.sleep(wait)
    }
    pending = [...again, ...pending.slice(size)]
  }
  return entries
}

/**
 * How long the sign-in log source takes on a real tenant: each user is one log request (two when
 * the newest sign-in failed) and Graph allows 5 per 10 s per app and tenant (throttling limits,
 * identity and access reports), so 2 s a user at least.
 */
export function signInLogPace(): string {
  return 'sign-in logs: Graph allows 5 log requests per 10 s (each user is one, two when the newest sign-in failed): at least 2 s a user, about 35 min per 1,000 users.'
}

/** `query` over `users` in $batch chunks of 20, a few in flight, merged into one map. */
async function batched(
  users: DirectoryUser[],
  query: (chunk: DirectoryUser[]) => Promise<Map<string, SignInEntry | undefined>>
): Promise<Map<string, SignInEntry | undefined>> {
  const chunks: DirectoryUser[][] = []
  for (let start = 0; start < users.length; start += BATCH_SIZE)
    chunks.push(users.slice(start, start + BATCH_SIZE))
  const maps = await inParallel(
    chunks.map((chunk) => () => query(chunk)),
    BATCH_CONCURRENCY
  )
  return new Map(maps.flatMap((map) => [...map]))
}

/** Runs `tasks` with at most `limit` in flight, keeping their order in the result. */
async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++
      results[index] = await tasks[index]()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
  return results
}

/**
 * The `sign-in-logs` source: users listed without signInActivity, then each user's newest
 * sign-in from the audit logs, 20 users a $batch, a few batches in flight. Only users whose newest
 * entry failed are asked again for their newest success (`status/errorCode eq 0`); they wait, across
 * user pages, until 20 of them fill a $batch (the rest go in one last batch), so the run costs
 * user pages + ⌈n/20⌉ batches a page (⌈N/20⌉ when page-size is a multiple of 20, as the default
 * 500 is) + ⌈F/20⌉ (F: users whose newest entry failed), never one request per user. Pages are
 * yielded as users are complete: those waiting for their newest success come in a later page.
 */
/** Page size of the user listing, and what error explanations need. */
export type SignInLogOptions = Pick<Settings, 'pageSize' | 'graphVersion'> & GraphErrorOptions

export async function* signInLogUserPages(
  graph: GraphClient,
  options: SignInLogOptions,
  retry: RetryContext,
  listing: UserListing
): AsyncGenerator<DirectoryUser[]> {
  let waiting: { user: DirectoryUser; newest: SignInEntry }[] = []
  const withNewestSuccess = async (group: typeof waiting): Promise<DirectoryUser[]> => {
    const successes = await batched(
      group.map(({ user }) => user),
      (chunk) => newestEntries(graph, chunk, true, options, retry)
    )
    return group.map(({ user, newest }) => applyEntries(user, newest, successes.get(user.id)))
  }
  for await (const users of userPages(graph, {
    pageSize: options.pageSize,
    withSignInActivity: false,
    listing
  })) {
    const newest = await batched(users, (chunk) =>
      newestEntries(graph, chunk, false, options, retry)
    )
    const ready: DirectoryUser[] = []
    for (const user of users) {
      const entry = newest.get(user.id)
      if (entry !== undefined && !succeeded(entry)) waiting.push({ user, newest: entry })
      else ready.push(applyEntries(user, entry, entry))
    }
    const full = waiting.length - (waiting.length % BATCH_SIZE)
    if (full > 0) {
      ready.push(...(await withNewestSuccess(waiting.slice(0, full))))
      waiting = waiting.slice(full)
    }
    if (ready.length > 0) yield ready
  }
  if (waiting.length > 0) yield await withNewestSuccess(waiting)
}
