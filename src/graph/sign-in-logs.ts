import { BATCH_CONCURRENCY, BATCH_SIZE, RETRY } from '../constants.js'
import type { DirectoryUser } from '../users.js'
import type { Settings } from '../settings/settings.js'
import type { GraphClient } from './client.js'
import { GraphFailure } from '../errors.js'
import { explainGraphError, type GraphErrorOptions } from './errors.js'
import { isRetryableStatus, retryDelayMs, type RetryContext } from './retry.js'
import { userPages, type UserListing } from './users.js'

interface SignInEntry {
  createdDateTime: string
  isInteractive?: boolean
  status?: { errorCode?: number }
}

interface BatchResponse {
  responses?: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[]
}

/** The sub-request for one user's newest sign-in (only successful ones for `activity: successful`). */
export function lastSignInPath(userId: string, successfulOnly: boolean): string {
  const filter = `userId eq '${userId}'${successfulOnly ? ' and status/errorCode eq 0' : ''}`
  return `/auditLogs/signIns?$filter=${encodeURIComponent(filter)}&$orderby=${encodeURIComponent('createdDateTime desc')}&$top=1`
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
 * one: a throttled one is sent again after its own Retry-After, a failed one fails the run and is
 * never taken for "no sign-in".
 */
async function newestEntries(
  graph: GraphClient,
  users: DirectoryUser[],
  successfulOnly: boolean,
  options: GraphErrorOptions,
  retry: RetryContext
): Promise<Map<string, SignInEntry | undefined>> {
  const entries = new Map<string, SignInEntry | undefined>()
  let pending = users
  for (let attempt = 0; pending.length > 0; attempt++) {
    const batch = await graph.post<BatchResponse>(
      '$batch',
      {
        requests: pending.map((user, index) => ({
          id: String(index),
          method: 'GET',
          url: lastSignInPath(user.id, successfulOnly)
        }))
      },
      { resource: 'signInLogs', what: `sign-in logs batch of ${pending.length} users` }
    )
    const again: DirectoryUser[] = []
    let wait = 0
    pending.forEach((user, index) => {
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
      if (!isRetryableStatus(response.status) || attempt >= RETRY.maxRetries) {
        throw explainGraphError(
          response.status,
          JSON.stringify(response.body ?? {}),
          { resource: 'signInLogs', what },
          options
        )
      }
      const header = Object.entries(response.headers ?? {}).find(
        ([name]) => name.toLowerCase() === 'retry-after'
      )?.[1]
      wait = Math.max(wait, retryDelayMs(what, header, attempt, retry.clock))
      again.push(user)
    })
    if (again.length > 0) {
      retry.log(
        `sign-in logs: ${again.length} sub-request(s) throttled; waiting ${(wait / 1000).toFixed(2)} s before retry ${attempt + 1} of ${RETRY.maxRetries}`
      )
      retry.waited.ms += wait
      await retry.clock.sleep(wait)
    }
    pending = again
  }
  return entries
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
export type SignInLogOptions = Pick<Settings, 'pageSize'> & GraphErrorOptions

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
