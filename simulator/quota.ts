/**
 * Graph's throttling as a per-app-per-tenant quota: one sliding window per resource class.
 *
 * The documented rates (Microsoft Graph service-specific throttling limits,
 * https://learn.microsoft.com/graph/throttling-limits, "Identity and access reports service
 * limits", microsoftgraph/microsoft-graph-docs-contrib includes/throttling-entra-logs-reports.md):
 * - `GET …/users?$select=…signInActivity…`: 10 requests per minute per app per tenant;
 * - identity and access reports (`auditLogs/signIns` among them): 5 requests per 10 seconds per
 *   app per tenant, each sub-request of a JSON `$batch` counted on its own (JSON batching,
 *   https://learn.microsoft.com/graph/json-batching: "each individual request is evaluated against
 *   the applicable limits");
 * - the rest of the directory ("Identity and access service limits"): a resource-unit budget per
 *   app and tenant of 3,500 units per 10 s for the smallest tenants. Costs per request are not
 *   modelled: each request costs one unit (a generous stand-in, it never binds the action).
 * A full window answers 429 with Retry-After, the whole seconds until its oldest request leaves it
 * (scaled with the window under `timeScale`).
 * Graph "usually" sends Retry-After (https://learn.microsoft.com/graph/throttling): `retryAfter:
 * false` drops it, to test clients that must then wait out the window on their own.
 * Refused requests use the quota too, as Microsoft's general throttling page says ("all requests
 * accrue against your usage limits", https://learn.microsoft.com/graph/throttling, best practices):
 * a client that retries at once stays throttled. `refusedCount: false` lets them go free, the
 * lenient reading, to check that a client does not depend on either.
 */
import { graphError } from './http.js'
import type { SimResponse } from './types.js'

export type QuotaClass = 'signInActivity' | 'reports' | 'directory'

export interface QuotaWindow {
  requests: number
  windowMs: number
}

/** The documented rates (see above). */
export const DOCUMENTED_QUOTA: Readonly<Record<QuotaClass, QuotaWindow>> = {
  signInActivity: { requests: 10, windowMs: 60_000 },
  reports: { requests: 5, windowMs: 10_000 },
  directory: { requests: 3500, windowMs: 10_000 }
}

export interface QuotaOptions {
  /**
   * Every window's length times this (default 1: the documented rates). 1/30 turns 10 per minute
   * into 10 per 2 s, for tests and the demo.
   */
  timeScale?: number
  /** Per-class overrides of the documented windows (before `timeScale`). */
  limits?: Partial<Record<QuotaClass, QuotaWindow>>
  /** Send Retry-After on a 429 (default true). */
  retryAfter?: boolean
  /** A refused request counts against its window (default true, as Graph documents). */
  refusedCount?: boolean
}

/** What the model decided for one request. */
export interface QuotaStats {
  accepted: Record<QuotaClass, number>
  refused: Record<QuotaClass, number>
}

export class QuotaModel {
  private readonly windows: Record<QuotaClass, QuotaWindow>
  private readonly retryAfter: boolean
  private readonly refusedCount: boolean
  private readonly scale: number
  /** Accept times per `${class} ${tenant} ${app}`, oldest first. */
  private readonly used = new Map<string, number[]>()
  readonly stats: QuotaStats = {
    accepted: { signInActivity: 0, reports: 0, directory: 0 },
    refused: { signInActivity: 0, reports: 0, directory: 0 }
  }

  constructor(
    options: QuotaOptions = {},
    private readonly now: () => number = Date.now
  ) {
    const scale = options.timeScale ?? 1
    this.scale = scale
    const limits = { ...DOCUMENTED_QUOTA, ...options.limits }
    this.windows = {
      signInActivity: scaled(limits.signInActivity, scale),
      reports: scaled(limits.reports, scale),
      directory: scaled(limits.directory, scale)
    }
    this.retryAfter = options.retryAfter ?? true
    this.refusedCount = options.refusedCount ?? true
  }

  window(resource: QuotaClass): QuotaWindow {
    return this.windows[resource]
  }

  /** Counts one request: undefined when the window has room, else the 429 to answer. */
  take(resource: QuotaClass, tenantId: string, clientId: string): SimResponse | undefined {
    const { requests, windowMs } = this.windows[resource]
    const key = `${resource} ${tenantId} ${clientId}`
    const now = this.now()
    let times = this.used.get(key)
    if (!times) this.used.set(key, (times = []))
    while (times.length > 0 && times[0] <= now - windowMs) times.shift()
    if (times.length < requests) {
      times.push(now)
      this.stats.accepted[resource]++
      return undefined
    }
    this.stats.refused[resource]++
    // The window has room again once all but `requests - 1` of what it holds (this refused
    // request too, when refused requests count) have left.
    if (this.refusedCount) times.push(now)
    const roomAt = times[times.length - requests] + windowMs
    // Whole seconds of the documented clock, scaled with the windows: at the documented rates an
    // integer, as Graph sends it; scaled, the same fraction of it (0.333 for 10 s at 1/30).
    const seconds = Math.max(1, Math.ceil((roomAt - now) / (1000 * this.scale)))
    // Rounded up to the millisecond: never shorter than the wait it stands for.
    const retryAfter = Math.ceil(seconds * this.scale * 1000) / 1000
    return graphError(
      429,
      'TooManyRequests',
      'Too many requests. Please try again later.',
      this.retryAfter ? { 'Retry-After': String(retryAfter) } : {}
    )
  }
}

function scaled(window: QuotaWindow, scale: number): QuotaWindow {
  return { requests: window.requests, windowMs: Math.max(1, Math.round(window.windowMs * scale)) }
}
