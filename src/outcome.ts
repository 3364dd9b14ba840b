import type { BaselineComparison } from './baseline.js'
import type { Breakdown } from './breakdown.js'
import type { Counts, Result, UserRecord } from './policy.js'
import type { ReportPaths } from './report/files.js'

/** What a complete audit found: every user read, the report files finished. */
export interface AuditOutcome extends BaselineComparison {
  counts: Counts
  result: Result
  /** The inactivity histogram and the users by type and status, for the charts. */
  breakdown: Breakdown
  /** The finished report files. */
  paths: ReportPaths
  /** Stale and warn users, worst first, at most summary-rows. */
  worst: UserRecord[]
}

/** A finished audit, with what the run log and the summary say about it. */
export interface Audited {
  outcome: AuditOutcome
  /** Summary notes known before the first request (expired exclusions, the log window). */
  notes: string[]
  /** Requests sent to Graph, retries included. */
  requests: number
  /** Time spent waiting on throttling. */
  waitedMs: number
}
