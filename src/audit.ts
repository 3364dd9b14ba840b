import type { Baseline } from './baseline.js'
import { LOG_WINDOW_DAYS } from './constants.js'
import { compileExclusions, isExpired } from './exclusions.js'
import type { GraphClient } from './graph/client.js'
import { groupExclusions } from './graph/groups.js'
import { signInLogUserPages } from './graph/sign-in-logs.js'
import { userPages } from './graph/users.js'
import type { RetryContext } from './graph/retry.js'
import {
  count,
  decideResult,
  emptyCounts,
  evaluateUser,
  type Counts,
  type PolicyContext,
  type Result,
  type UserRecord
} from './policy.js'
import { ReportFiles, type ReportPaths } from './report/files.js'
import type { ReportMeta } from './report/json.js'
import { redactRecord } from './report/redact.js'
import { WorstUsers } from './report/worst.js'
import type { Settings } from './settings/settings.js'

export interface AuditOutcome {
  counts: Counts
  result: Result
  /** The finished report files. */
  paths: ReportPaths
  /** Stale and warn users, worst first, at most summary-rows. */
  worst: UserRecord[]
  /** Baseline users stale then and not stale now (UPN as the baseline had it). */
  noLongerStale: (string | null)[]
  /** With a baseline: UPNs of the first BASELINE_SAMPLE users stale now and not then / then too. */
  newStaleSample: (string | null)[]
  stillStaleSample: (string | null)[]
}

/** Most users named per baseline list in the summary; the report has them all. */
export const BASELINE_SAMPLE = 20

/** Users evaluated between two turns of the event loop. */
const EVALUATE_SLICE = 100
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

/** Everything in the JSON report before the users; `policy` holds every policy input. */
export function reportMeta(settings: Settings, now: Date): ReportMeta {
  return {
    generatedAt: now.toISOString(),
    tenantId: settings.tenantId,
    cloud: settings.cloud,
    graphVersion: settings.graphVersion,
    source: settings.source,
    policy: reportPolicy(settings)
  }
}

function reportPolicy(settings: Settings): Record<string, unknown> {
  const redactPatterns = settings.redact === 'all'
  return {
    ...settings.policy,
    warnDays: settings.policy.warnDays ?? null,
    exclude: settings.exclusions.map((rule) => ({
      pattern:
        redactPatterns && rule.kind === 'upn-glob'
          ? rule.pattern.replace(/^[^@]*/, (local) => `${local[0] ?? ''}***`)
          : rule.pattern,
      reason: rule.reason,
      until: rule.until ?? null,
      origin: rule.origin
    })),
    excludeGroups: settings.excludeGroups,
    excludeFile: settings.excludeFile ?? null,
    baseline: settings.baselinePath ?? null
  }
}

/**
 * Streams every user page by page through the policy into the report files, keeping only the
 * counts and the worst users in memory. Any read failure aborts the files and throws: a partial
 * listing never becomes a report.
 */
export async function audit(
  settings: Settings,
  graph: GraphClient,
  retry: RetryContext,
  baseline: Baseline | undefined
): Promise<AuditOutcome> {
  const now = retry.clock.now()
  const logs = settings.source === 'sign-in-logs'
  const context: PolicyContext = {
    policy: settings.policy,
    now,
    exclusions: compileExclusions(settings.exclusions.filter((rule) => !isExpired(rule, now))),
    groupExclusions: await groupExclusions(graph, settings.excludeGroups),
    source: logs
      ? {
          capFallback: false,
          neverMeans: `no sign-in within the ${LOG_WINDOW_DAYS}-day log window`
        }
      : { capFallback: true, neverMeans: 'never signed in' }
  }
  const files = await ReportFiles.open(
    settings.reportDir,
    settings.reportFormats,
    reportMeta(settings, now)
  )
  const counts = emptyCounts()
  const worst = new WorstUsers(settings.summaryRows)
  const stillStale = new Set<string>()
  const newStaleSample: (string | null)[] = []
  const stillStaleSample: (string | null)[] = []
  try {
    const source = logs
      ? signInLogUserPages(graph, settings, retry)
      : userPages(graph, { pageSize: settings.pageSize, withSignInActivity: true })
    let page = 0
    for await (const users of source) {
      page++
      const records: UserRecord[] = []
      for (let index = 0; index < users.length; index++) {
        // Let I/O in between (the next page's TLS handshake, its first bytes): a page's work is
        // tens of milliseconds, and a request stuck behind it would add to every run's wall time.
        if (index % EVALUATE_SLICE === 0 && index > 0) await nextTurn()
        const record = evaluateUser(users[index], context)
        const id = record.id.toLowerCase()
        const wasStale = baseline?.stale.has(id) ?? false
        if (record.status === 'stale' && wasStale) stillStale.add(id)
        if (baseline && record.status === 'stale') {
          const sample = wasStale ? stillStaleSample : newStaleSample
          if (sample.length < BASELINE_SAMPLE) sample.push(record.userPrincipalName)
        }
        count(counts, record, record.status === 'stale' && !wasStale)
        worst.add(record)
        records.push(settings.redact === 'all' ? redactRecord(record) : record)
      }
      await files.append(records)
      retry.log(
        `users page ${page}: ${counts.users} users so far (${counts.stale} stale, ${counts.warn} warn)`
      )
    }
  } catch (error) {
    await files.abort()
    throw error
  }
  const result = decideResult(counts, settings.policy)
  const paths = await files.finish(counts, result)
  const noLongerStale = baseline
    ? [...baseline.stale].filter(([id]) => !stillStale.has(id)).map(([, upn]) => upn)
    : []
  return {
    counts,
    result,
    paths,
    worst: worst.list(),
    noLongerStale,
    newStaleSample,
    stillStaleSample
  }
}
