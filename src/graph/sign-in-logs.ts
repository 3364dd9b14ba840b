import { BATCH_CONCURRENCY, BATCH_SIZE, RETRY } from '../constants.js'
import type { DirectoryUser } from '../policy.js'
import type { Settings } from '../settings.js'
import type { GraphClient } from './client.js'
import { explainGraphError, GraphFailure } from './errors.js'
import { backoffMs, isRetryableStatus, parseRetryAfter, type RetryContext } from './retry.js'
import { userPages } from './users.js'

/** Entra keeps sign-in logs this long at most (7 days without a premium licence). */
export const LOG_WINDOW_DAYS = 30

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

/** Fills the user's sign-in fields from their newest log entry (DESIGN.md, Decisions). */
export function applyEntry(user: DirectoryUser, entry: SignInEntry | undefined): DirectoryUser {
  if (!entry) return user
  return {
    ...user,
    lastSignInDateTime: entry.isInteractive === false ? null : entry.createdDateTime,
    lastNonInteractiveSignInDateTime: entry.isInteractive === false ? entry.createdDateTime : null,
    lastSuccessfulSignInDateTime: entry.status?.errorCode === 0 ? entry.createdDateTime : null
  }
}

/**
 * Each user's newest sign-in for up to 20 users in one $batch. Sub-responses are handled one by
 * one: a throttled one is sent again after its own Retry-After, a failed one fails the run and is
 * never taken for "no sign-in".
 */
async function batchLastSignIns(
  graph: GraphClient,
  users: DirectoryUser[],
  settings: Settings,
  retry: RetryContext
): Promise<DirectoryUser[]> {
  const successfulOnly = settings.policy.activity === 'successful'
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
      `sign-in logs batch of ${pending.length} users`
    )
    const again: DirectoryUser[] = []
    let wait = 0
    pending.forEach((user, index) => {
      const response = batch.responses?.find((candidate) => candidate.id === String(index))
      const what = `the sign-in log of user ${user.id}`
      if (!response)
        throw new GraphFailure(
          `Graph's $batch answer has no response for ${what}; the result cannot be trusted.`
        )
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
          what,
          settings
        )
      }
      const header = Object.entries(response.headers ?? {}).find(
        ([name]) => name.toLowerCase() === 'retry-after'
      )?.[1]
      wait = Math.max(
        wait,
        parseRetryAfter(header, retry.clock.now()) ?? backoffMs(attempt, retry.clock.random)
      )
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
  return users.map((user) => applyEntry(user, entries.get(user.id)))
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
 * sign-in from the audit logs, 20 users a $batch, a few batches in flight. Requests: user pages
 * + ⌈N/20⌉ batches, never one per user.
 */
export async function* signInLogUserPages(
  graph: GraphClient,
  settings: Settings,
  retry: RetryContext
): AsyncGenerator<DirectoryUser[]> {
  for await (const users of userPages(graph, {
    pageSize: settings.pageSize,
    withSignInActivity: false
  })) {
    const chunks: DirectoryUser[][] = []
    for (let start = 0; start < users.length; start += BATCH_SIZE)
      chunks.push(users.slice(start, start + BATCH_SIZE))
    const filled = await inParallel(
      chunks.map((chunk) => () => batchLastSignIns(graph, chunk, settings, retry)),
      BATCH_CONCURRENCY
    )
    yield filled.flat()
  }
}
