import type { Clock } from '../io.js'
import { parseRetryAfter, type Policy } from './pipeline.js'

/**
 * Graph's throttling windows, per app and tenant (https://learn.microsoft.com/graph/throttling-limits,
 * identity and access reports): the user list with signInActivity 10 requests a minute, the
 * sign-in log 5 per 10 s (each $batch sub-request counted), the rest of the directory far more.
 */
export type QuotaBucket = 'signInActivity' | 'signInLogs' | 'directory'

/** The documented window of each bucket: how long a 429 without Retry-After may take to clear. */
export const DOCUMENTED_WINDOW_MS: Record<QuotaBucket, number> = {
  signInActivity: 60_000,
  signInLogs: 10_000,
  directory: 10_000
}

/** The bucket a Graph request counts against, and how many requests it costs. */
export function quotaOf(
  url: string,
  body: string | undefined
): { bucket: QuotaBucket; cost: number } {
  const { pathname, searchParams } = new URL(url)
  if (/\/\$batch$/.test(pathname)) {
    // A batch's envelope is not counted; each sub-request is, against its own bucket.
    const requests = (JSON.parse(body ?? '{}') as { requests?: Array<{ url: string }> }).requests
    const first = requests?.[0]?.url ?? ''
    return {
      bucket: /auditLogs\/signIns/i.test(first) ? 'signInLogs' : 'directory',
      cost: requests?.length ?? 1
    }
  }
  if (/\/auditLogs\/signIns$/i.test(pathname)) return { bucket: 'signInLogs', cost: 1 }
  if (/(^|,)signInActivity(,|$)/i.test(searchParams.get('$select') ?? ''))
    return { bucket: 'signInActivity', cost: 1 }
  return { bucket: 'directory', cost: 1 }
}

/**
 * Spaces the requests of one bucket so that only a few are refused per window. Graph does not
 * publish a client's remaining quota, so the pacer learns it from the answers: until the first
 * 429 it sends freely; a 429 tells how many requests the window held (those accepted since the
 * last refusal cleared) and the next accepted request how long the window is (from the oldest of
 * them). From then on it keeps at most that many requests in any window of that length. Every
 * 429 also holds the whole bucket until its Retry-After has passed.
 */
/** Accepted requests remembered for learning (far more than any window holds). */
const EPISODE_LIMIT = 4096

export class Pacer {
  /** Send times of accepted requests since the last refusal cleared (one entry per cost unit). */
  private episode: number[] = []
  /** Send times of accepted requests within the learned window. */
  private recent: number[] = []
  private limit: number | undefined
  private windowMs: number | undefined
  private learning = false
  private blockedUntil = 0
  /** 429 answers received, for the end-of-run line and the benchmark. */
  refused = 0

  constructor(private readonly clock: Clock) {}

  /** How many requests of at most `wanted` to send together: no more than a window was seen to hold. */
  batchSize(wanted: number): number {
    return Math.max(1, Math.min(wanted, this.limit ?? wanted))
  }

  /** Waits until `cost` more requests fit; returns the send time to report back. */
  async acquire(cost: number): Promise<number> {
    for (;;) {
      const now = this.clock.now().getTime()
      let until = this.blockedUntil
      if (this.limit !== undefined && this.windowMs !== undefined) {
        const windowMs = this.windowMs
        this.recent = this.recent.filter((at) => at > now - windowMs)
        const excess = this.recent.length + Math.min(cost, this.limit) - this.limit
        if (excess > 0) until = Math.max(until, this.recent[excess - 1] + windowMs)
      }
      if (until <= now) {
        for (let unit = 0; unit < cost; unit++) this.recent.push(now)
        return now
      }
      await this.clock.sleep(until - now)
    }
  }

  /** An accepted answer to a request sent at `sentAt`. */
  accepted(sentAt: number, cost: number): void {
    if (this.learning && this.limit !== undefined) {
      // The window had room again at sentAt, so the oldest of the `limit` requests it held had
      // left: the window is at most this long.
      const oldest = this.episode[Math.max(0, this.episode.length - this.limit)]
      this.windowMs = Math.max(this.windowMs ?? 0, sentAt - oldest)
      this.learning = false
      this.episode = []
    }
    for (let unit = 0; unit < cost; unit++) this.episode.push(sentAt)
    if (this.episode.length > EPISODE_LIMIT)
      this.episode.splice(0, this.episode.length - EPISODE_LIMIT)
  }

  /** A 429 to a request sent at `sentAt`; `waitMs` is how long the bucket is held. */
  throttled(sentAt: number, cost: number, waitMs: number): void {
    this.refused++
    // Refused requests did not use the quota.
    for (let unit = 0; unit < cost; unit++) {
      const at = this.recent.lastIndexOf(sentAt)
      if (at >= 0) this.recent.splice(at, 1)
    }
    if (this.episode.length > 0) {
      this.limit = Math.min(this.limit ?? Infinity, this.episode.length)
      this.learning = true
    }
    this.blockedUntil = Math.max(this.blockedUntil, this.clock.now().getTime() + waitMs)
  }
}

/** Graph's throttling, one pacer per bucket (see Pacer). */
export class Pacing {
  private readonly pacers = new Map<QuotaBucket, Pacer>()
  constructor(private readonly clock: Clock) {}

  pacer(bucket: QuotaBucket): Pacer {
    let pacer = this.pacers.get(bucket)
    if (!pacer) this.pacers.set(bucket, (pacer = new Pacer(this.clock)))
    return pacer
  }

  /** 429 answers received so far, $batch sub-responses included. */
  get refused(): number {
    let refused = 0
    for (const pacer of this.pacers.values()) refused += pacer.refused
    return refused
  }

  /**
   * Waits for room in the request's bucket, then tells the pacer how the answer went; a $batch
   * answer's sub-responses count one by one.
   */
  readonly policy: Policy = async (request, next) => {
    const { bucket, cost } = quotaOf(request.url, request.body)
    const pacer = this.pacer(bucket)
    const sentAt = await pacer.acquire(cost)
    const response = await next(request)
    const retryAfter = (value: string | null | undefined) =>
      parseRetryAfter(value, this.clock.now()) ?? 0
    if (response.status === 429) {
      pacer.throttled(sentAt, cost, retryAfter(response.headers.get('retry-after')))
      return response
    }
    const subResponses = (response.json as { responses?: unknown } | undefined)?.responses
    const refused = Array.isArray(subResponses)
      ? (subResponses as Array<{ status?: number; headers?: Record<string, string> }>).filter(
          (sub) => sub?.status === 429
        )
      : []
    if (cost > refused.length) pacer.accepted(sentAt, cost - refused.length)
    for (const sub of refused) {
      const header = Object.entries(sub.headers ?? {}).find(
        ([name]) => name.toLowerCase() === 'retry-after'
      )?.[1]
      pacer.throttled(sentAt, 1, retryAfter(header))
    }
    return response
  }
}
