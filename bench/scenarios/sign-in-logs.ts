import { perUserAuditLog } from '../article.js'
import { log } from '../format.js'
import { runActionMeasured, startSimProcess } from '../harness.js'
import type { Options } from '../options.js'
import type { LogsBaselineResult } from './results.js'
import { requireSuccess } from './run.js'

/** Article v1.0 (one request per user, in sequence) against `source: sign-in-logs`. */
export async function logsBaseline(options: Options): Promise<LogsBaselineResult> {
  const users = options.baselineUsers
  const sim = await startSimProcess({
    users,
    seed: options.seed,
    now: Date.now(),
    latencyMs: options.latencyMs
  })
  try {
    log(`${users} users: article v1.0, one audit-log request per user…`)
    await sim.reset()
    const perUser = await perUserAuditLog(sim)
    const perUserStats = await sim.stats()
    log(`${users} users: source sign-in-logs ($batch)…`)
    await sim.reset()
    const run = await runActionMeasured(sim, {
      source: 'sign-in-logs',
      'graph-version': 'v1.0',
      'threshold-days': '30'
    })
    const stats = await sim.stats()
    requireSuccess(run, 'sign-in-logs source')
    run.cleanup()
    return {
      users,
      perUser: {
        requests: perUserStats.http,
        lookups: perUserStats.byTarget.signIns ?? 0,
        wallMs: perUser.wallMs,
        withSignIn: perUser.withSignIn
      },
      batched: {
        requests: stats.http,
        batches: stats.byTarget.batch ?? 0,
        wallMs: run.wallMs,
        exitCode: run.code
      },
      factor: perUserStats.http / stats.http,
      lookupFactor: (perUserStats.byTarget.signIns ?? 0) / Math.max(1, stats.byTarget.batch ?? 0)
    }
  } finally {
    await sim.close()
  }
}
