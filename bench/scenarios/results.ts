/** What each scenario measures, as the targets and the tables read it (and results.json holds). */
import type { Completeness } from '../harness.js'
import type { Options } from '../options.js'
import type { HtmlReportMeasure } from './html-report.js'

/** Users per Graph page the action asks for. */
export const PAGE_SIZE = 500

/** The fewest requests that can list `users`: ⌈N/500⌉ pages + 1 token. */
export const floorRequests = (users: number) => Math.ceil(Math.max(users, 1) / PAGE_SIZE) + 1

/** One tenant size: the action, then the reading floor, against the same tenant. */
export interface SizeResult {
  users: number
  exitCode: number | null
  userCount: number
  complete: Completeness
  requests: number
  graphRequests: number
  tokenRequests: number
  otherRequests: number
  floor: number
  wallMs: number
  wallFloorMs: number
  cpuMs: number
  cpuUsPerUser: number
  /** CPU per user beyond a run against a one-user tenant (node, msal and TLS start-up). */
  marginalCpuUsPerUser: number
  peakRssMb: number
  simCpuMs: number
  /** The HTML report: size, and time to first render and to sort in Chromium. */
  html: HtmlReportMeasure
  unpaged: { users: number; missed: number; hadNextLink: boolean }
  /** The reading floor (bench/reader.ts) against the same tenant: listing it and nothing else. */
  reader: { users: number; requests: number; wallMs: number; cpuUsPerUser: number }
}

/** The throttling storm at one tenant size. */
export interface StormResult {
  users: number
  faults: number
  throttled: number
  retryAfterSumMs: number
  /** What the action logged ("waiting X s before retry"). */
  loggedWaitMs: number
  /** Seen at the simulator: each retry's arrival − the throttled request's − the latency. */
  measuredWaitMs: number
  wallMs: number
  /** The same tenant's run without throttling. */
  cleanWallMs: number
  exitCode: number | null
  complete: Completeness
  jsonUsers: number
  jsonDistinct: number
}

/** Article v1.0 (one audit-log request per user) against `source: sign-in-logs`. */
export interface LogsBaselineResult {
  users: number
  perUser: { requests: number; lookups: number; wallMs: number; withSignIn: number }
  batched: { requests: number; batches: number; wallMs: number; exitCode: number | null }
  /** Every request of one run against every request of the other (fixed per-run ones included). */
  factor: number
  /** The log lookups alone: one request per user against the `$batch` requests. */
  lookupFactor: number
}

/** The reading floor's wall time against its own requests × latency. */
export const readerWallRatio = (size: SizeResult, options: Options) =>
  size.reader.wallMs / (size.reader.requests * options.latencyMs)
