import { RETRY } from '../constants.js'
import type { Clock } from '../io.js'
import { isRetryableStatus, parseRetryAfter, type HttpRequest, type Policy } from './pipeline.js'

/**
 * Graph's throttling windows, per app and tenant (https://learn.microsoft.com/graph/throttling-limits,
 * identity and access reports): the user list with signInActivity 10 requests a minute, the
 * sign-in log 5 per 10 s (each $batch sub-request counted), the rest of the directory far more.
 */
export type QuotaBucket = 'signInActivity' | 'signInLogs' | 'directory'

/** How log lines name each bucket. */
const BUCKET_NAMES: Record<QuotaBucket, string> = {
  signInActivity: 'signInActivity listing',
  signInLogs: 'sign-in log',
  directory: 'directory'
}

/** The documented window of each bucket: how long a 429 without Retry-After may take to clear. */
export const DOCUMENTED_WINDOW_MS: Record<QuotaBucket, number> = {
  signInActivity: 60_000,
  signInLogs: 10_000,
  directory: 10_000
}

/**
 * The bucket a Graph request counts against. A `$batch` envelope never reaches the pacer: its
 * sub-requests pass it one by one (batching.ts sits below), each counted as Graph counts it.
 */
export function quotaOf(url: string): QuotaBucket {
  const { pathname, searchParams } = new URL(url)
  if (/\/auditLogs\/signIns$/i.test(pathname)) return 'signInLogs'
  if (/(^|,)signInActivity(,|$)/i.test(searchParams.get('$select') ?? '')) return 'signInActivity'
  return 'directory'
}

/** Send times remembered for learning (far more than any window holds). */
const EPISODE_LIMIT = 4096
/**
 * The fewest requests a learned window holds. Graph's smallest documented window holds 5; a 429
 * after a single accepted request is a hiccup (or a storm), not a window of one: it is waited out
 * and teaches nothing.
 */
const MIN_LIMIT = 2
/** Windows between probes at most (the gap doubles after each refused probe, from 1). */
const MAX_PROBE_WINDOWS = 8

/** A request let through: when, and whether it was sent beyond the learned limit to test it. */
export interface Ticket {
  sentAt: number
  /** A probe's: the send time of the oldest request the learned window held when it went. */
  probeOldest?: number
}

/**
 * Spaces the requests of one bucket so that only a few are refused per window. Graph does not
 * publish a client's remaining quota, so the pacer learns it from the answers:
 * - until the first 429 it sends freely;
 * - that 429 tells how many requests the window holds (those accepted since the start, or since
 *   the last 429; at least MIN_LIMIT, or it teaches nothing), and holds the bucket for its
 *   Retry-After; then one request (the scout: the refused one, sent again) goes alone until it
 *   is accepted, and its send time tells how long the window is (from the oldest of those
 *   requests). Without Retry-After the scout's backoff finds the window, and the rest of the
 *   bucket does not hammer a full window meanwhile. Waiting for the scout is bounded by its
 *   retries: when it is no longer sent again, whichever way it ended, the next waiter goes;
 * - from then on it keeps at most that many requests in any window of that length. A 429 that
 *   meets a window as full as the pacer allows (the window is longer than learned, or another
 *   client shares the quota) lengthens the window the same way; a 429 that meets a window
 *   nearly empty is not the quota: it is waited out and teaches nothing;
 * - a window is learned a little long (the scout's send time includes a round trip, or without
 *   Retry-After a backoff step), and one learned from a burst of 429s that was not the quota far
 *   too long: now and then, less often after each refusal, one request beyond the limit (a
 *   probe) goes halfway through the window. Accepted, the window is no longer than from the
 *   oldest request it held to the probe, and the next probe may follow at once (so a window far
 *   too long is gone within a few requests); refused, its Retry-After tells when the window
 *   frees, at the cost of one 429.
 * Requests wait in arrival order, except the scout, which never waits behind those it holds back.
 */
export class Pacer {
  /** Send times of every request let through (refused ones too: they count), oldest first. */
  private sent: number[] = []
  /** Send times of requests accepted since the last refusal. */
  private sinceRefusal: number[] = []
  /** Those accepted before the refusal the scout's round is about. */
  private heldAtRefusal: number[] = []
  private limit: number | undefined
  private windowMs: number | undefined
  /**
   * The oldest request of the full window a refusal met while paced, for lengthening the window;
   * undefined while learning the limit too.
   */
  private windowStart: number | undefined
  /** When the refusal that started the scout's round arrived. */
  private refusedAt = -Infinity
  private scout: HttpRequest | undefined
  private blockedUntil = 0
  /** Probes are due `probeEvery` windows after this. */
  private probeFrom = -Infinity
  private probeEvery = 1
  private probing = false
  /** Arrival order: each waiter starts once the one before it has been let through. */
  private turn: Promise<unknown> = Promise.resolve()
  /** Waiters held back by the scout, woken by its acceptance. */
  private waking: Array<() => void> = []
  /** 429 answers received (the tests read it). */
  refused = 0

  constructor(
    private readonly clock: Clock,
    private readonly describe: (limit: number, windowMs: number) => void = () => undefined
  ) {}

  /** Waits until `request` may be sent. */
  acquire(request: HttpRequest): Promise<Ticket> {
    if (request === this.scout) return this.room(request)
    const ticket = this.turn.then(() => this.room(request))
    this.turn = ticket.catch(() => undefined)
    return ticket
  }

  private paced(): boolean {
    return this.limit !== undefined && this.windowMs !== undefined && this.scout === undefined
  }

  /** Drops send times that have left the learned window; returns how many are in it. */
  private inWindow(now: number): number {
    while (this.sent.length > 0 && this.sent[0] <= now - this.windowMs!) this.sent.shift()
    return this.sent.length
  }

  private async room(request: HttpRequest): Promise<Ticket> {
    for (;;) {
      const now = this.clock.now().getTime()
      if (this.blockedUntil > now) {
        await this.clock.sleep(this.blockedUntil - now)
        continue
      }
      if (this.scout !== undefined && this.scout !== request) {
        await new Promise<void>((resolve) => this.waking.push(resolve))
        continue
      }
      if (this.paced() && this.inWindow(now) >= this.limit!) {
        const windowMs = this.windowMs!
        const oldest = this.sent[this.sent.length - this.limit!]
        if (!this.probing && now - this.probeFrom >= this.probeEvery * windowMs) {
          // Halfway through the window: accepted, the window is half as long; refused, its
          // Retry-After tells when the window frees.
          const probeAt = oldest + windowMs / 2
          if (now >= probeAt) {
            this.probing = true
            this.sent.push(now)
            return { sentAt: now, probeOldest: oldest }
          }
          await this.clock.sleep(probeAt - now)
          continue
        }
        await this.clock.sleep(oldest + windowMs - now)
        continue
      }
      this.sent.push(now)
      if (this.sent.length > EPISODE_LIMIT) this.sent.shift()
      return { sentAt: now }
    }
  }

  /** The answer to `request` was not a 429: it fit the window. */
  accepted(ticket: Ticket, request: HttpRequest): void {
    if (ticket.probeOldest !== undefined) {
      this.probing = false
      this.windowMs = Math.min(this.windowMs!, ticket.sentAt - ticket.probeOldest)
      this.probeEvery = 1
      this.probeFrom = -Infinity
      this.describe(this.limit!, this.windowMs)
    }
    this.sinceRefusal.push(ticket.sentAt)
    if (this.sinceRefusal.length > EPISODE_LIMIT) this.sinceRefusal.shift()
    if (request === this.scout) {
      this.learn(ticket.sentAt)
      this.settled(request)
    }
  }

  /**
   * The scout sent at `scoutSentAt` was accepted: the window had room again, so the oldest request
   * of the full window the refusal met had left. Requests sent before the refusal arrived and
   * accepted (answered before or after it: a $batch's sub-responses come together) were that
   * window.
   */
  private learn(scoutSentAt: number): void {
    if (this.windowStart === undefined) {
      const refusedAt = this.refusedAt
      const held = [...this.heldAtRefusal, ...this.sinceRefusal.filter((at) => at <= refusedAt)]
      this.sinceRefusal = this.sinceRefusal.filter((at) => at > refusedAt)
      if (held.length < MIN_LIMIT) return
      this.limit = Math.min(this.limit ?? Infinity, held.length)
      this.windowStart = held[held.length - this.limit]
    }
    this.windowMs = Math.max(this.windowMs ?? 0, scoutSentAt - this.windowStart)
    this.windowStart = undefined
    this.probeFrom = this.clock.now().getTime()
    this.describe(this.limit!, this.windowMs)
  }

  /** A 429 to `request`, with its Retry-After in milliseconds when it had one. */
  throttled(ticket: Ticket, request: HttpRequest, retryAfterMs: number | undefined): void {
    const now = this.clock.now().getTime()
    this.refused++
    // A Retry-After the action will not wait for ends that request, not the bucket.
    if (retryAfterMs !== undefined && retryAfterMs <= RETRY.maxRetryAfterSeconds * 1000)
      this.blockedUntil = Math.max(this.blockedUntil, now + retryAfterMs)
    if (ticket.probeOldest !== undefined) {
      // The window frees when Retry-After says; test it less often.
      this.probing = false
      if (retryAfterMs !== undefined) {
        const freesAt = Math.max(ticket.sentAt, now + retryAfterMs)
        this.windowMs = Math.min(this.windowMs!, freesAt - ticket.probeOldest)
      }
      this.probeEvery = Math.min(MAX_PROBE_WINDOWS, this.probeEvery * 2)
      this.probeFrom = now
      return
    }
    // A refused request stays counted: Graph says all requests accrue against the quota.
    if (this.scout !== undefined) return
    if (this.paced()) {
      // A window as full as the pacer allows: it is longer than learned (or shared); a window
      // nearly empty: this refusal is not the quota and teaches nothing.
      const held = this.inWindow(now) - 1
      if (held <= 0 || held < this.limit! - 1) return
      this.windowStart = this.sent[0]
    }
    this.refusedAt = now
    this.scout = request
    this.heldAtRefusal = this.sinceRefusal
    this.sinceRefusal = []
  }

  /**
   * No answer, or one that says nothing of the window (a network error, a timeout, a 5xx, a 401):
   * the request may have counted, so it stays counted; a scout stays the scout.
   */
  failed(ticket: Ticket): void {
    if (ticket.probeOldest !== undefined) this.probing = false
  }

  /** `request` is not sent again: if it was the scout, the next waiter goes. */
  settled(request: HttpRequest): void {
    if (request !== this.scout) return
    this.scout = undefined
    for (const wake of this.waking.splice(0)) wake()
  }
}

/** Graph's throttling, one pacer per bucket (see Pacer). */
export class Pacing {
  private readonly pacers = new Map<QuotaBucket, Pacer>()
  constructor(
    private readonly clock: Clock,
    private readonly log: (message: string) => void = () => undefined
  ) {}

  pacer(bucket: QuotaBucket): Pacer {
    let pacer = this.pacers.get(bucket)
    if (!pacer) {
      pacer = new Pacer(this.clock, (limit, windowMs) =>
        this.log(
          `Graph's ${BUCKET_NAMES[bucket]} quota, as learned from its answers: pacing to ${limit} requests per ${(windowMs / 1000).toFixed(2)} s`
        )
      )
      this.pacers.set(bucket, pacer)
    }
    return pacer
  }

  /**
   * Waits for room in the request's bucket, then tells the pacer how the answer went: a 429, an
   * answer the service gave (2xx, 400, 403, 404: the request fit the window), or none.
   */
  readonly policy: Policy = async (request, next) => {
    const pacer = this.pacer(quotaOf(request.url))
    const ticket = await pacer.acquire(request)
    let response
    try {
      response = await next(request)
    } catch (error) {
      pacer.failed(ticket)
      throw error
    }
    if (response.status === 429) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.clock.now())
      pacer.throttled(ticket, request, retryAfter)
    } else if (response.status === 401 || isRetryableStatus(response.status)) {
      pacer.failed(ticket)
    } else {
      pacer.accepted(ticket, request)
    }
    return response
  }

  /** For the retry layer: `request` is not sent again. */
  readonly settled = (request: HttpRequest): void => {
    this.pacers.get(quotaOf(request.url))?.settled(request)
  }
}
