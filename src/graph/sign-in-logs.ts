import { BATCH_CONCURRENCY, BATCH_SIZE, LOG_WINDOW_DAYS } from '../constants.js'
import type { DirectoryUser } from '../users.js'
import type { Settings } from '../settings/settings.js'
import type { GraphClient } from './client.js'
import type { Clock } from '../io.js'
import { isPage } from './paginate.js'
import { userPages, type UserListing } from './users.js'

interface SignInEntry {
  createdDateTime: string
  isInteractive?: boolean
  status?: { errorCode?: number }
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
  return `auditLogs/signIns?$filter=${encodeURIComponent(clauses.join(' and '))}&$orderby=${encodeURIComponent('createdDateTime desc')}&$top=1`
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
 * The newest log entry (the newest successful one with `successfulOnly`) of each user. Each
 * lookup is a request of its own through the whole pipeline, so a throttled or failed one is
 * retried on its own with the same strategy as any request, and one that keeps failing, or fails
 * for good, fails the run and is never taken for "no sign-in". The batching layer sends the
 * lookups in flight together, 20 to a $batch; BATCH_CONCURRENCY batches' worth are in flight.
 */
async function newestEntries(
  graph: GraphClient,
  users: DirectoryUser[],
  successfulOnly: boolean,
  graphVersion: string,
  window: { from: string; to: string }
): Promise<Map<string, SignInEntry | undefined>> {
  const lookups = users.map((user) => async () => {
    const page = await graph.get<{ value: SignInEntry[] }>(
      lastSignInPath(user.id, successfulOnly, graphVersion, window),
      { resource: 'signInLogs', what: `the sign-in log of user ${user.id}` },
      { expect: isPage, batch: true }
    )
    return [user.id, page.value[0]] as const
  })
  return new Map(await inParallel(lookups, BATCH_SIZE * BATCH_CONCURRENCY))
}

/**
 * How long the sign-in log source takes on a real tenant: each user is one log request (two when
 * the newest sign-in failed) and Graph allows 5 per 10 s per app and tenant (throttling limits,
 * identity and access reports), so 2 s a user at least.
 */
export function signInLogPace(): string {
  return 'sign-in logs: Graph allows 5 log requests per 10 s (each user is one, two when the newest sign-in failed): at least 2 s a user, about 35 min per 1,000 users.'
}

/**
 * Runs `tasks` with at most `limit` in flight, keeping their order in the result. Once one fails
 * no further task starts: the run is failing, and a paced log would take minutes to finish.
 */
async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  let failed = false
  const worker = async () => {
    while (next < tasks.length && !failed) {
      const index = next++
      try {
        results[index] = await tasks[index]()
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
  return results
}

/** Page size of the user listing, and the Graph version (its log holds different sign-ins). */
export type SignInLogOptions = Pick<Settings, 'pageSize' | 'graphVersion'>

/**
 * The `sign-in-logs` source: users listed without signInActivity, then each user's newest
 * sign-in from the audit logs (see newestEntries). Only users whose newest entry failed are asked
 * again for their newest success (`status/errorCode eq 0`); they wait, across user pages, until
 * 20 of them fill a $batch (the rest go in one last batch). Unthrottled, the run costs user pages
 * + ⌈n/20⌉ batches a page (⌈N/20⌉ when page-size is a multiple of 20, as the default 500 is) +
 * ⌈F/20⌉ (F: users whose newest entry failed), never one request per user; under Graph's log
 * quota a batch holds what the pacer lets through together (5 at the documented rate). Pages are
 * yielded as users are complete: those waiting for their newest success come in a later page.
 */
export async function* signInLogUserPages(
  graph: GraphClient,
  options: SignInLogOptions,
  clock: Clock,
  listing: UserListing
): AsyncGenerator<DirectoryUser[]> {
  // One log window for the whole run: every user is judged against the same range.
  const window = logWindow(clock.now())
  let waiting: { user: DirectoryUser; newest: SignInEntry }[] = []
  const withNewestSuccess = async (group: typeof waiting): Promise<DirectoryUser[]> => {
    const users = group.map(({ user }) => user)
    const successes = await newestEntries(graph, users, true, options.graphVersion, window)
    return group.map(({ user, newest }) => applyEntries(user, newest, successes.get(user.id)))
  }
  let first = true
  for await (const users of userPages(graph, {
    pageSize: options.pageSize,
    withSignInActivity: false,
    listing
  })) {
    // The run's first batch goes alone: if the log is throttled, the pacer learns its quota from
    // one batch's answers before more are sent.
    const alone = first ? BATCH_SIZE : 0
    first = false
    const newest = new Map([
      ...(await newestEntries(graph, users.slice(0, alone), false, options.graphVersion, window)),
      ...(await newestEntries(graph, users.slice(alone), false, options.graphVersion, window))
    ])
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
