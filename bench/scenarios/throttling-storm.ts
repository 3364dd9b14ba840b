import { readFileSync } from 'node:fs'
import type { GeneratedTenant } from '../../simulator/tenant.js'
import type { Fault } from '../../simulator/types.js'
import { log } from '../format.js'
import {
  checkCsv,
  loggedWaitsMs,
  reportPath,
  runActionMeasured,
  type SimProcess
} from '../harness.js'
import type { Options } from '../options.js'
import { PAGE_SIZE, type StormResult } from './results.js'
import { requireSuccess } from './run.js'

/**
 * Throttling storm: from the second users page on, every page is answered 429 once, with
 * Retry-After values from 0.2 to 0.6 s (at most 12 throttled pages, so it stays short).
 */
export async function throttlingStorm(
  sim: SimProcess,
  tenant: GeneratedTenant,
  options: Options,
  cleanWallMs: number
): Promise<StormResult> {
  const pages = Math.ceil(tenant.count / PAGE_SIZE)
  const retryAfters = ['0.2', '0.4', '0.6', '0.3', '0.5']
  const faults: Fault[] = []
  // Faults count every users request (retries included): `after: 2k-1` hits the k-th page's
  // first try once each earlier page was throttled once.
  for (let k = 1; k < pages && faults.length < 12; k++) {
    faults.push({
      target: 'users',
      kind: 'status',
      status: 429,
      retryAfter: retryAfters[(k - 1) % retryAfters.length],
      after: 2 * k - 1
    })
  }
  log(`${tenant.count} users: throttling storm (${faults.length} pages answered 429)…`)
  await sim.reset()
  await sim.faults(faults)
  const run = await runActionMeasured(sim, {})
  const stats = await sim.stats()
  requireSuccess(run, `throttling storm at ${tenant.count} users`)
  const complete = await checkCsv(reportPath(run, 'csv'), tenant)
  let jsonUsers = NaN
  let jsonDistinct = NaN
  if (tenant.count <= 200_000) {
    const report = JSON.parse(readFileSync(reportPath(run, 'json'), 'utf8')) as {
      users: { id: string }[]
    }
    jsonUsers = report.users.length
    jsonDistinct = new Set(report.users.map((user) => user.id)).size
  }
  run.cleanup()
  let measuredWaitMs = 0
  const timeline = stats.timeline.filter((entry) => entry.target === 'users')
  timeline.forEach((entry, index) => {
    const retry = timeline[index + 1]
    if (entry.status === 429 && retry) measuredWaitMs += retry.at - entry.at - options.latencyMs
  })
  const throttled = timeline.filter((entry) => entry.status === 429).length
  return {
    users: tenant.count,
    faults: faults.length,
    throttled,
    retryAfterSumMs: faults.reduce((sum, fault) => sum + Number(fault.retryAfter) * 1000, 0),
    loggedWaitMs: loggedWaitsMs(run.stdout).reduce((sum, ms) => sum + ms, 0),
    measuredWaitMs,
    wallMs: run.wallMs,
    exitCode: run.code,
    complete,
    jsonUsers,
    jsonDistinct,
    cleanWallMs
  }
}
