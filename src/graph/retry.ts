import { RETRY, THROTTLE } from '../constants.js'
import type { ActionIO, Clock } from '../io.js'
import { DOCUMENTED_WINDOW_MS, quotaOf, type QuotaBucket } from './pacing.js'
import {
  isRetryableStatus,
  parseRetryAfter,
  TransientError,
  type HttpRequest,
  type HttpResponse,
  type Policy,
  type Send
} from './pipeline.js'

export interface RetryContext {
  clock: Clock
  /** Reports every wait with its reason and length. */
  log(message: string): void
  /** Total time spent waiting, for the end-of-run line and the benchmark. */
  waited: { ms: number }
}

export function createRetryContext(clock: Clock, io: Pick<ActionIO, 'info'>): RetryContext {
  return { clock, log: (message) => io.info(message), waited: { ms: 0 } }
}

/** A request that kept failing: the last answer or failure, and why the retries stopped. */
export class RetriesExhausted extends Error {
  constructor(
    message: string,
    /** `too-long`: a Retry-After beyond what the action waits; the message says it all. */
    readonly reason: 'throttled' | 'failed' | 'too-long',
    readonly response?: HttpResponse,
    readonly failure?: TransientError
  ) {
    super(message)
    this.name = 'RetriesExhausted'
  }
}

/**
 * How long to wait before sending a request again, and when to stop: one strategy for Graph
 * requests, `$batch` sub-requests and token requests.
 * - 429 (throttled): Retry-After exactly; without it 1, 2, 4 … s, capped at the bucket's
 *   documented window, so the window has passed before the run gives up. At most
 *   THROTTLE.maxRefusals answers and THROTTLE.maxWaitMs of waiting per request: throttling ends
 *   only a run that has stopped making progress.
 * - 500/502/503/504, network errors, timeouts: Retry-After when given, else 1, 2, 4, 8 s ±20 %;
 *   at most RETRY.maxRetries retries; a body cut off or not what it must be: RETRY.maxBodyRetries.
 * - A Retry-After over RETRY.maxRetryAfterSeconds is not waited for.
 */
export class RetryStrategy {
  private throttled = 0
  private failed = 0
  private waitedMs = 0
  /** The retry the last wait was for, and the bound on such retries, for the log line. */
  retry = { number: 0, of: 0 }

  constructor(
    private readonly log: RetryContext,
    private readonly bucket: QuotaBucket
  ) {}

  /** The wait before the next attempt, or a RetriesExhausted to throw. */
  next(
    what: string,
    outcome: { status: number; retryAfter: string | null } | { failure: TransientError }
  ): number | RetriesExhausted {
    const now = this.log.clock.now()
    const asked = 'status' in outcome ? parseRetryAfter(outcome.retryAfter, now) : undefined
    if (asked !== undefined && asked > RETRY.maxRetryAfterSeconds * 1000) {
      return new RetriesExhausted(
        `${what}: Graph asked to wait ${Math.round(asked / 1000)} s (Retry-After), longer than the ${RETRY.maxRetryAfterSeconds} s the action waits; run again later.`,
        'too-long'
      )
    }
    let wait: number
    this.retry.number++
    if ('status' in outcome && outcome.status === 429) {
      this.throttled++
      this.retry.of = THROTTLE.maxRefusals
      // Retry-After 0 (or a date gone by) would spend every refusal at once: back off instead.
      wait =
        asked !== undefined && asked > 0
          ? asked
          : Math.min(1000 * 2 ** (this.throttled - 1), DOCUMENTED_WINDOW_MS[this.bucket])
      if (this.throttled > THROTTLE.maxRefusals || this.waitedMs + wait > THROTTLE.maxWaitMs) {
        return new RetriesExhausted(
          `refused ${this.throttled} times in a row after waiting ${(this.waitedMs / 1000).toFixed(1)} s in all`,
          'throttled'
        )
      }
    } else {
      this.failed++
      // A broken body is sent again fewer times: it is a fault of the answer, rarely of the moment.
      const limit =
        'failure' in outcome && outcome.failure.kind === 'body'
          ? RETRY.maxBodyRetries
          : RETRY.maxRetries
      this.retry.of = limit
      if (this.failed > limit) {
        const reason = 'status' in outcome ? `HTTP ${outcome.status}` : outcome.failure.message
        return new RetriesExhausted(`${what} failed after ${limit} retries: ${reason}`, 'failed')
      }
      const base = RETRY.backoffSeconds[Math.min(this.failed - 1, RETRY.backoffSeconds.length - 1)]
      wait = asked ?? Math.round(base * 1000 * (0.8 + 0.4 * this.log.clock.random()))
    }
    this.waitedMs += wait
    return wait
  }
}

/**
 * Sends again per RetryStrategy. Returns the first answer that is not retryable; when the
 * retries run out, throws RetriesExhausted carrying the last answer or failure. `settled` hears
 * of each request once it is no longer sent again, whichever way it ended (pacing lets go of it).
 */
export function retrying(
  log: RetryContext,
  settled: (request: HttpRequest) => void = () => undefined
): Policy {
  return async (request, next) => {
    try {
      return await sendRetrying(log, request, next)
    } finally {
      settled(request)
    }
  }
}

async function sendRetrying(
  log: RetryContext,
  request: HttpRequest,
  next: Send
): Promise<HttpResponse> {
  const strategy = new RetryStrategy(log, quotaOf(request.url))
  for (;;) {
    let response: HttpResponse | undefined
    let failure: TransientError | undefined
    try {
      response = await next(request)
    } catch (error) {
      if (!(error instanceof TransientError)) throw error
      failure = error
    }
    if (response && !isRetryableStatus(response.status)) return response
    const retryAfter = response?.headers.get('retry-after') ?? null
    const wait = strategy.next(
      request.what,
      response ? { status: response.status, retryAfter } : { failure: failure! }
    )
    if (wait instanceof RetriesExhausted) {
      throw new RetriesExhausted(wait.message, wait.reason, response, failure)
    }
    const reason = response
      ? `HTTP ${response.status}${retryAfter ? `, Retry-After ${retryAfter}` : ''}`
      : failure!.kind === 'network'
        ? `network error: ${failure!.message}`
        : failure!.message
    log.log(
      `${request.what}: ${reason}; waiting ${(wait / 1000).toFixed(2)} s before retry ${strategy.retry.number} of ${strategy.retry.of}`
    )
    log.waited.ms += wait
    await log.clock.sleep(wait)
  }
}
