import type { Response } from 'node-fetch'
import { RETRY } from '../constants.js'
import type { Clock } from '../io.js'

/**
 * Retry-After as milliseconds: whole or fractional seconds, or an HTTP date. Undefined when
 * absent or unreadable (then the caller backs off exponentially).
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const date = Date.parse(text)
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

/** Thrown when a Retry-After asks for longer than the action is willing to wait. */
export class RetryAfterTooLong extends Error {}

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
    const retryAfter = response
      ? parseRetryAfter(response.headers.get('retry-after'), context.clock.now())
      : undefined
    if (retryAfter !== undefined && retryAfter > RETRY.maxRetryAfterSeconds * 1000) {
      throw new RetryAfterTooLong(
        `${what}: Graph asked to wait ${Math.round(retryAfter / 1000)} s (Retry-After), longer than the ${RETRY.maxRetryAfterSeconds} s the action waits; run again later.`
      )
    }
    const wait = retryAfter ?? backoffMs(retry, context.clock.random)
    const reason = response
      ? `HTTP ${response.status}${retryAfter !== undefined ? `, Retry-After ${response.headers.get('retry-after')}` : ''}`
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
