/** The targets, and each one judged against what the scenarios measured. */
import { formatCount, formatSeconds } from './format.js'
import type { Options } from './options.js'
import {
  readerWallRatio,
  type LogsBaselineResult,
  type SizeResult,
  type StormResult
} from './scenarios/results.js'

/** The targets (ratios measured in one run on one machine). */
const TARGETS = {
  /** Wall time ≤ this × requests × latency, judged at 100k users. */
  wallRatio: 1.1,
  wallRatioAt: 100_000,
  cpuUsPerUser: 10,
  rssMb: { 100_000: 150, 1_000_000: 400 } as Record<number, number>,
  /** The batched sign-in-log source: at least this many times fewer requests than one per user. */
  logRequestsFactor: 15,
  /** Storm: measured waiting ≤ this × the sum of Retry-After. */
  stormCeiling: 1.2,
  /** The HTML report: bytes per user at every size; first render in Chromium, judged at 100k. */
  htmlBytesPerUser: 400,
  htmlFirstRenderMs: 3000,
  htmlFirstRenderAt: 100_000
}

/** One target: what it asks, what was measured, met or not. */
export interface Check {
  target: string
  measured: string
  pass: boolean
}

export function checkTargets(
  sizes: SizeResult[],
  storms: StormResult[],
  logs: LogsBaselineResult,
  options: Options
): Check[] {
  const checks: Check[] = []
  for (const size of sizes) {
    checks.push({
      target: `${formatCount(size.users)}: Graph + token requests = floor (${size.floor})`,
      measured: `${size.graphRequests} + ${size.tokenRequests}`,
      pass: size.graphRequests + size.tokenRequests === size.floor
    })
    checks.push({
      target: `${formatCount(size.users)}: every user once, in order`,
      measured: `${size.complete.rows} rows, ${size.complete.misplaced} misplaced, ${size.complete.missing} missing; user-count ${size.userCount}`,
      pass:
        size.complete.rows === size.users &&
        size.complete.misplaced === 0 &&
        size.complete.missing === 0 &&
        size.userCount === size.users
    })
    if (size.users === TARGETS.wallRatioAt) {
      checks.push({
        target: `${formatCount(size.users)}: wall ≤ ${TARGETS.wallRatio} × requests × latency`,
        measured: `${(size.wallMs / size.wallFloorMs).toFixed(3)} × (reading alone ${readerWallRatio(size, options).toFixed(3)} ×)`,
        pass: size.wallMs <= TARGETS.wallRatio * size.wallFloorMs
      })
    }
    if (size.users >= 100_000) {
      checks.push({
        target: `${formatCount(size.users)}: CPU ≤ ${TARGETS.cpuUsPerUser} µs/user`,
        measured: `${size.cpuUsPerUser.toFixed(2)} µs (reading alone ${size.reader.cpuUsPerUser.toFixed(2)} µs)`,
        pass: size.cpuUsPerUser <= TARGETS.cpuUsPerUser
      })
    }
    checks.push({
      target: `${formatCount(size.users)}: HTML report ≤ ${TARGETS.htmlBytesPerUser} bytes/user`,
      measured: `${size.html.bytesPerUser.toFixed(0)} bytes/user (${(size.html.bytes / 1024 ** 2).toFixed(1)} MiB)`,
      pass: size.html.bytesPerUser <= TARGETS.htmlBytesPerUser
    })
    if (size.users === TARGETS.htmlFirstRenderAt) {
      const { firstRenderMs, notOpened, problems } = size.html
      checks.push({
        target: `${formatCount(size.users)}: HTML first render ≤ ${formatSeconds(TARGETS.htmlFirstRenderMs)}, no request or console error`,
        measured:
          firstRenderMs === undefined
            ? `not measured: ${notOpened}`
            : `${formatSeconds(firstRenderMs)}; ${problems.length} request(s)/error(s)`,
        pass:
          firstRenderMs !== undefined &&
          firstRenderMs <= TARGETS.htmlFirstRenderMs &&
          problems.length === 0
      })
    }
    const rss = TARGETS.rssMb[size.users]
    if (rss !== undefined) {
      checks.push({
        target: `${formatCount(size.users)}: peak RSS ≤ ${rss} MB`,
        measured: `${size.peakRssMb.toFixed(0)} MB`,
        pass: size.peakRssMb <= rss
      })
    }
  }
  for (const storm of storms) {
    checks.push({
      target: `storm ${formatCount(storm.users)}: Σ Retry-After ≤ waiting ≤ ${TARGETS.stormCeiling} × Σ`,
      measured: `Σ ${formatSeconds(storm.retryAfterSumMs)}; logged ${formatSeconds(storm.loggedWaitMs)}, at the simulator ${formatSeconds(storm.measuredWaitMs)}`,
      pass:
        storm.throttled === storm.faults &&
        storm.loggedWaitMs >= storm.retryAfterSumMs &&
        // The simulator's clock has 1 ms steps: allow 1 ms per retry below the sum.
        storm.measuredWaitMs >= storm.retryAfterSumMs - storm.throttled &&
        storm.measuredWaitMs <= TARGETS.stormCeiling * storm.retryAfterSumMs
    })
    checks.push({
      target: `storm ${formatCount(storm.users)}: no duplicate or missing user`,
      measured: `${storm.complete.rows} CSV rows (${storm.complete.misplaced} misplaced), ${storm.jsonDistinct}/${storm.jsonUsers} distinct JSON users`,
      pass:
        storm.complete.rows === storm.users &&
        storm.complete.misplaced === 0 &&
        (Number.isNaN(storm.jsonUsers) ||
          (storm.jsonUsers === storm.users && storm.jsonDistinct === storm.users))
    })
  }
  checks.push({
    target: `${formatCount(logs.users)}: sign-in-logs ≥ ${TARGETS.logRequestsFactor}× fewer requests than one per user`,
    measured: `log lookups ${logs.perUser.lookups} / ${logs.batched.batches} = ${logs.lookupFactor.toFixed(1)} × (all requests ${logs.perUser.requests} / ${logs.batched.requests} = ${logs.factor.toFixed(1)} ×)`,
    pass: logs.lookupFactor >= TARGETS.logRequestsFactor
  })
  return checks
}
