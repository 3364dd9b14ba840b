/** One tenant size: the action against it, the article's unpaged list, and the reading floor. */
import { generateTenant } from '../../simulator/tenant.js'
import { unpagedBetaList } from '../article.js'
import { formatSeconds, log } from '../format.js'
import {
  checkCsv,
  htmlReportPath,
  reportPath,
  runActionMeasured,
  runReaderMeasured,
  startSimProcess
} from '../harness.js'
import type { Options } from '../options.js'
import { measureHtmlReport } from './html-report.js'
import { floorRequests, type SizeResult, type StormResult } from './results.js'
import { requireSuccess, sumCounts } from './run.js'
import { throttlingStorm } from './throttling-storm.js'

const MB = 1024 * 1024

/** The action, then the reading floor, against a generated tenant of `users`. */
export async function measureSize(
  users: number,
  options: Options,
  startupMs: number,
  storm: boolean
): Promise<{ size: SizeResult; storm?: StormResult }> {
  const now = Date.now()
  const tenant = generateTenant({ count: users, seed: options.seed, now })
  const sim = await startSimProcess({
    users,
    seed: options.seed,
    now,
    latencyMs: options.latencyMs
  })
  try {
    log(`${users} users: running the action…`)
    await sim.reset()
    const run = await runActionMeasured(sim, {})
    const stats = await sim.stats()
    requireSuccess(run, `${users} users`)
    const complete = await checkCsv(reportPath(run, 'csv'), tenant)
    const html = await measureHtmlReport(htmlReportPath(run), users)
    run.cleanup()
    const requests = stats.http
    const graphRequests = sumCounts(stats, ['users', 'signIns', 'batch', 'groups'])
    const tokenRequests = sumCounts(stats, ['token'])
    await sim.reset()
    const unpaged = await unpagedBetaList(sim)
    log(`${users} users: the reading floor…`)
    await sim.reset()
    const reader = await runReaderMeasured(sim)
    const readerStats = await sim.stats()
    if (reader.users !== users)
      throw new Error(`the reading-floor client read ${reader.users} of ${users} users`)
    const size: SizeResult = {
      users,
      exitCode: run.code,
      userCount: Number(run.outputs['user-count']),
      complete,
      requests,
      graphRequests,
      tokenRequests,
      otherRequests: requests - graphRequests - tokenRequests,
      floor: floorRequests(users),
      wallMs: run.wallMs,
      wallFloorMs: requests * options.latencyMs,
      cpuMs: run.cpuMs,
      cpuUsPerUser: (run.cpuMs * 1000) / users,
      marginalCpuUsPerUser: (Math.max(0, run.cpuMs - startupMs) * 1000) / users,
      peakRssMb: run.maxRssBytes / MB,
      simCpuMs: stats.cpuMs,
      html,
      unpaged: { ...unpaged, missed: users - unpaged.users },
      reader: {
        users: reader.users,
        requests: readerStats.http,
        wallMs: reader.wallMs,
        cpuUsPerUser: (reader.cpuMs * 1000) / users
      }
    }
    log(
      `${users} users: ${requests} requests (floor ${size.floor}), ${formatSeconds(run.wallMs)} wall, ${size.cpuUsPerUser.toFixed(1)} µs CPU/user, ${size.peakRssMb.toFixed(0)} MB peak RSS`
    )
    return {
      size,
      storm: storm ? await throttlingStorm(sim, tenant, options, run.wallMs) : undefined
    }
  } finally {
    await sim.close()
  }
}
