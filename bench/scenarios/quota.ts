/**
 * Graph's quota (simulator/quota.ts): the action's wall time against the quota floor, and the 429s
 * it received. At the documented rates (10 signInActivity pages a minute, 5 sign-in log requests
 * per 10 s) 10k and 100k users and the sign-in-log source on 1,000 users: about 22 minutes and 40
 * minutes; 1M users take over 3 h (BENCH_QUOTA_SIZES=10000,100000,1000000; an empty
 * BENCH_QUOTA_SIZES runs the sign-in-log source alone). With --quick (CI) the quota runs
 * 30 times faster (10 requests per 2 s, 5 per 0.33 s, Retry-After scaled alike): 10k users and
 * the sign-in-log source on 1,000 users, about 1.5 minutes.
 */
import { startSimProcess, runActionMeasured } from '../harness.js'
import { formatCount, formatSeconds, log } from '../format.js'
import type { Options } from '../options.js'
import type { Check } from '../targets.js'
import { PAGE_SIZE } from './results.js'

export interface QuotaResult {
  source: 'sign-in-activity' | 'sign-in-logs'
  users: number
  timeScale: number
  /** Requests the bucket's window lets through, and the window (scaled). */
  window: { requests: number; windowMs: number }
  /** Requests counted against the window (pages, or log sub-requests answered). */
  counted: number
  /** The first window's worth goes at once; each further one waits a window; plus latency. */
  floorMs: number
  wallMs: number
  refused: number
  windows: number
  complete: boolean
}

export async function quotaRuns(options: Options): Promise<QuotaResult[]> {
  const timeScale = options.quick ? 1 / 30 : 1
  const activitySizes = (
    process.env.BENCH_QUOTA_SIZES ?? (options.quick ? '10000' : '10000,100000')
  )
    .split(',')
    .filter((size) => size.trim() !== '')
    .map(Number)
  const runs: Array<[QuotaResult['source'], number]> = [
    ...activitySizes.map((users) => ['sign-in-activity', users] as [QuotaResult['source'], number]),
    ['sign-in-logs', 1000] as [QuotaResult['source'], number]
  ]
  const out: QuotaResult[] = []
  for (const [source, users] of runs) {
    const logs = source === 'sign-in-logs'
    const window = logs
      ? { requests: 5, windowMs: Math.round(10_000 * timeScale) }
      : { requests: 10, windowMs: Math.round(60_000 * timeScale) }
    const sim = await startSimProcess({
      users,
      seed: options.seed,
      now: Date.now(),
      latencyMs: options.latencyMs,
      quota: { timeScale }
    })
    try {
      log(`quota ×${timeScale.toFixed(3)}: ${source}, ${formatCount(users)} users…`)
      await sim.reset()
      // At the documented rates a run takes its quota floor: 35 min for the log source on 1,000
      // users, over 3 h for 1M users. Stopped only far beyond that.
      const run = await runActionMeasured(
        sim,
        logs ? { source: 'sign-in-logs', 'graph-version': 'beta', 'threshold-days': '30' } : {},
        Math.max(30 * 60_000, 5 * 3_600_000 * timeScale)
      )
      const stats = await sim.stats()
      run.cleanup()
      const refused = stats.byStatus['429'] ?? 0
      const counted = logs ? stats.subRequests - refused : Math.ceil(users / PAGE_SIZE)
      out.push({
        source,
        users,
        timeScale,
        window,
        counted,
        floorMs:
          Math.max(0, Math.ceil(counted / window.requests) - 1) * window.windowMs +
          stats.http * options.latencyMs,
        wallMs: run.wallMs,
        refused,
        windows: Math.max(1, Math.ceil(counted / window.requests)),
        complete: run.code !== null && run.outputs['user-count'] === String(users)
      })
    } finally {
      await sim.close()
    }
  }
  return out
}

/** Wall ≤ 1.05 × the quota floor (+ 3 s start-up), at most one 429 per window, complete. */
export function quotaChecks(results: QuotaResult[]): Check[] {
  return results.flatMap((q) => {
    const name = `quota ${q.source} ${formatCount(q.users)}`
    return [
      {
        target: `${name}: wall ≤ 1.05 × quota floor + 3 s start-up`,
        measured: `${formatSeconds(q.wallMs)} / ${formatSeconds(q.floorMs)}`,
        pass: q.wallMs <= 1.05 * q.floorMs + 3000
      },
      {
        target: `${name}: ≤ 1 refused request per quota window, every user`,
        measured: `${q.refused} 429s in ${q.windows} windows; ${q.complete ? 'complete' : 'INCOMPLETE'}`,
        pass: q.refused <= q.windows && q.complete
      }
    ]
  })
}

export function renderQuota(results: QuotaResult[], options: Options): string {
  const rows = [
    ['source', 'users', 'window', 'counted requests', 'quota floor', 'wall', 'ratio', '429s'],
    ...results.map((q) => [
      q.source,
      formatCount(q.users),
      `${q.window.requests} per ${formatSeconds(q.window.windowMs)}`,
      String(q.counted),
      formatSeconds(q.floorMs),
      formatSeconds(q.wallMs),
      (q.wallMs / Math.max(1, q.floorMs)).toFixed(3),
      String(q.refused)
    ])
  ]
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)))
  const line = (row: string[]) =>
    `| ${row.map((cell, col) => cell.padEnd(widths[col])).join(' | ')} |`
  return [
    `### Graph's quota (${options.quick ? 'scaled ×1/30' : 'the documented rates'}), ${options.latencyMs} ms per request`,
    '',
    line(rows[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line)
  ].join('\n')
}
