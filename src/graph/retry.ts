import type { Response } from 'node-fetch'
import { RETRY } from '../constants.js'
import type { ActionIO, Clock } from '../io.js'
import { GraphFailure } from '../errors.js'

/**
 * Retry-After as milliseconds: whole or fractional seconds, or an HTTP date. Undefined when
 * absent or unreadable (then the caller backs off exponentially).
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  // An HTTP date has a weekday or month name; Date.parse would also take "-1" or "1.5.2".
  const date = /[a-z]/i.test(text) ? Date.parse(text) : NaN
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now.getTime())
}

/** Backoff before retry number `retry` (0-based): 1, 2, 4, 8 s, each ±20% jitter. */
export function backoffMs(retry: number, random: () => number): number {
  const base = RETRY.backoffSeconds[Math.min(retry, RETRY.backoffSeconds.length - 1)] * 1000
  return Math.round(base * (0.8 + 0.4 * random()))
}

export function isRetryableStatus(status: number): boolean {
  return (RETRY.statuses as readonly number[]).includes(status)
}

export interface RetryContext {
  clock: Clock
  /** Reports every wait with its reason and length. */
  log(message: string): void
  /** Total time spent waiting, for the end-of-run line and the benchmark. */
  waited: { ms: number }
}

/** A fresh context: every wait logged as an info line, the waiting time summed from zero. */
export function createRetryContext(clock: Clock, io: Pick<ActionIO, 'info'>): RetryContext {
  return { clock, log: (message) => io.info(message), waited: { ms: 0 } }
}

/**
 * The wait before retry number `retry`: Retry-After exactly when given, else backoff. A
 * Retry-After beyond RETRY.maxRetryAfterSeconds fails the run instead of hanging the job.
 */
export function retryDelayMs(
  what: string,
  retryAfter: string | null | undefined,
  retry: number,
  clock: Clock
): number {
  const asked = parseRetryAfter(retryAfter, clock.now())
  if (asked !== undefined && asked > RETRY.maxRetryAfterSeconds * 1000) {
    throw new GraphFailure(
      `${what}: Graph asked to wait ${Math.round(asked / 1000)} s (Retry-After), longer than the ${RETRY.maxRetryAfterSeconds} s the action waits; run again later.`
    )
  }
  return asked ?? backoffMs(retry, () => clock.random())
}

/**
 * Sends, and sends again on 429/500/502/503/504 or a network error, at most RETRY.maxRetries
 * times. Returns the last response (the caller maps a final error status); throws the last
 * network error.
 */
export async function withRetry(
  what: string,
  send: () => Promise<Response>,
  context: RetryContext
): Promise<Response> {
  for (let retry = 0; ; retry++) {
    let response: Response | undefined
    let failure: unknown
    try {
      response = await send()
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error
      failure = error
    }
    if (response && !isRetryableStatus(response.status)) return response
    if (retry >= RETRY.maxRetries) {
      if (response) return response
      throw failure
    }
    const retryAfter = response?.headers.get('retry-after')
    const wait = retryDelayMs(what, retryAfter, retry, context.clock)
    const reason = response
      ? `HTTP ${response.status}${retryAfter ? `, Retry-After ${retryAfter}` : ''}`
      : `network error: ${(failure as Error).message}`
    context.log(
      `${what}: ${reason}; waiting ${(wait / 1000).toFixed(2)} s before retry ${retry + 1} of ${RETRY.maxRetries}`
    )
    // Drain the body so the keep-alive connection can be reused.
    if (response) await response.arrayBuffer().catch(() => undefined)
    context.waited.ms += wait
    await context.clock.sleep(wait)
  }
}
