/**
 * `npm run bench`: the action against generated tenants of 10k, 100k and 1M users behind a
 * simulated Graph with a fixed per-request latency, against the floors it cannot beat (requests:
 * ⌈N/500⌉ pages + 1 token; wall time: requests × latency), with the source article's two ways as
 * baselines and a throttling storm. Prints a table with PASS/MISS per target and writes
 * bench/results.json.
 *
 *   node build/bench/bench.js [--sizes 10000,100000,1000000] [--latency 50] [--quick]
 *                             [--throttle] [--baseline-users 1000] [--seed 1] [--out PATH]
 *
 * Environment: BENCH_SIZES, BENCH_LATENCY, BENCH_QUICK=1, BENCH_THROTTLE=1 stand for the flags.
 */
import { cpus, totalmem } from 'node:os'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateTenant, type GeneratedTenant } from '../simulator/tenant.js'
import type { Fault } from '../simulator/types.js'
import { ROOT } from '../__fixtures__/action.js'
import { perUserAuditLog, unpagedBetaList } from './article.js'
import {
  checkCsv,
  loggedWaitsMs,
  reportPath,
  runActionMeasured,
  runReaderMeasured,
  startSimProcess,
  type ActionMeasure,
  type Completeness,
  type SimProcess
} from './harness.js'
import type { SimStats } from './sim-process.js'

const USAGE =
  'usage: bench.js [--sizes 10000,100000,1000000] [--latency MS] [--quick] [--throttle] [--baseline-users N] [--seed S] [--out PATH]'
const PAGE_SIZE = 500
const MB = 1024 * 1024

/** The targets (ratios measured in one run on one machine). */
export const TARGETS = {
  /** Wall time ≤ this × requests × latency, judged at 100k users. */
  wallRatio: 1.1,
  wallRatioAt: 100_000,
  cpuUsPerUser: 10,
  rssMb: { 100_000: 150, 1_000_000: 400 } as Record<number, number>,
  /** The batched sign-in-log source: at least this many times fewer requests than one per user. */
  logRequestsFactor: 15,
  /** Storm: measured waiting ≤ this × the sum of Retry-After. */
  stormCeiling: 1.2
}

interface Options {
  sizes: number[]
  latencyMs: number
  quick: boolean
  throttle: boolean
  baselineUsers: number
  seed: number
  out: string
}

function options(): Options {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        sizes: { type: 'string', default: process.env.BENCH_SIZES },
        latency: { type: 'string', default: process.env.BENCH_LATENCY },
        quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' },
        throttle: { type: 'boolean', default: process.env.BENCH_THROTTLE === '1' },
        'baseline-users': { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean' }
      },
      strict: true
    }))
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const int = (name: string, raw: string | undefined, dflt: number, min: number): number => {
    if (raw === undefined || raw === '') return dflt
    if (!/^\d+$/.test(raw.replace(/_/g, '')) || Number(raw.replace(/_/g, '')) < min)
      throw new UsageError(`--${name}: expected an integer >= ${min}, got '${raw}'`)
    return Number(raw.replace(/_/g, ''))
  }
  const quick = values.quick ?? false
  const sizes =
    values.sizes !== undefined && values.sizes !== ''
      ? values.sizes.split(',').map((size) => int('sizes', size.trim(), 0, 1))
      : quick
        ? [10_000]
        : [10_000, 100_000, 1_000_000]
  return {
    sizes,
    latencyMs: int('latency', values.latency, 50, 0),
    quick,
    throttle: values.throttle ?? false,
    baselineUsers: int('baseline-users', values['baseline-users'], quick ? 400 : 1000, 1),
    seed: int('seed', values.seed, 1, 0),
    out: values.out ?? join(ROOT, 'bench', 'results.json')
  }
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------

interface SizeResult {
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
  unpaged: { users: number; missed: number; hadNextLink: boolean }
  /** The reading floor (bench/reader.ts) against the same tenant: listing it and nothing else. */
  reader: { users: number; requests: number; wallMs: number; cpuUsPerUser: number }
}

interface StormResult {
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

interface LogsBaselineResult {
  users: number
  perUser: { requests: number; wallMs: number; withSignIn: number }
  batched: { requests: number; batches: number; wallMs: number; exitCode: number | null }
  factor: number
}

const floorRequests = (users: number) => Math.ceil(Math.max(users, 1) / PAGE_SIZE) + 1

const sumCounts = (stats: SimStats, targets: string[]) =>
  targets.reduce((sum, target) => sum + (stats.byTarget[target] ?? 0), 0)

function requireSuccess(run: ActionMeasure, what: string): void {
  if (run.code !== 0 && run.code !== 1) {
    throw new Error(`${what}: the action crashed (exit ${run.code}):\n${run.stderr || run.stdout}`)
  }
  if (run.outputs.result === 'error' || run.outputs.result === undefined) {
    const tail = run.stdout.split('\n').slice(-15).join('\n')
    throw new Error(`${what}: the action ended with result=error:\n${tail}\n${run.stderr}`)
  }
}

/** CPU of a run against a one-user tenant: what every run pays before the first user. */
async function startupCpuMs(options: Options): Promise<number> {
  const sim = await startSimProcess({
    users: 1,
    seed: options.seed,
    now: Date.now(),
    latencyMs: 0
  })
  try {
    const runs: number[] = []
    for (let k = 0; k < 3; k++) {
      const run = await runActionMeasured(sim, {})
      requireSuccess(run, 'start-up run')
      runs.push(run.cpuMs)
      run.cleanup()
    }
    return Math.min(...runs)
  } finally {
    await sim.close()
  }
}

async function measureSize(
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
      unpaged: { ...unpaged, missed: users - unpaged.users },
      reader: {
        users: reader.users,
        requests: readerStats.http,
        wallMs: reader.wallMs,
        cpuUsPerUser: (reader.cpuMs * 1000) / users
      }
    }
    log(
      `${users} users: ${requests} requests (floor ${size.floor}), ${fmtS(run.wallMs)} wall, ${size.cpuUsPerUser.toFixed(1)} µs CPU/user, ${size.peakRssMb.toFixed(0)} MB peak RSS`
    )
    return {
      size,
      storm: storm ? await throttlingStorm(sim, tenant, options, run.wallMs) : undefined
    }
  } finally {
    await sim.close()
  }
}

/**
 * Throttling storm: from the second users page on, every page is answered 429 once, with
 * Retry-After values from 0.2 to 0.6 s (at most 12 throttled pages, so it stays short).
 */
async function throttlingStorm(
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

/** Article v1.0 (one request per user, in sequence) against `source: sign-in-logs`. */
async function logsBaseline(options: Options): Promise<LogsBaselineResult> {
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
        wallMs: perUser.wallMs,
        withSignIn: perUser.withSignIn
      },
      batched: {
        requests: stats.http,
        batches: stats.byTarget.batch ?? 0,
        wallMs: run.wallMs,
        exitCode: run.code
      },
      factor: perUserStats.http / stats.http
    }
  } finally {
    await sim.close()
  }
}

// ---------------------------------------------------------------------------------------------

interface Check {
  target: string
  measured: string
  pass: boolean
}

function checks(
  sizes: SizeResult[],
  storms: StormResult[],
  logs: LogsBaselineResult,
  options: Options
): Check[] {
  const out: Check[] = []
  for (const s of sizes) {
    out.push({
      target: `${fmtN(s.users)}: Graph + token requests = floor (${s.floor})`,
      measured: `${s.graphRequests} + ${s.tokenRequests}`,
      pass: s.graphRequests + s.tokenRequests === s.floor
    })
    out.push({
      target: `${fmtN(s.users)}: every user once, in order`,
      measured: `${s.complete.rows} rows, ${s.complete.misplaced} misplaced, ${s.complete.missing} missing; user-count ${s.userCount}`,
      pass:
        s.complete.rows === s.users &&
        s.complete.misplaced === 0 &&
        s.complete.missing === 0 &&
        s.userCount === s.users
    })
    if (s.users === TARGETS.wallRatioAt) {
      out.push({
        target: `${fmtN(s.users)}: wall ≤ ${TARGETS.wallRatio} × requests × latency`,
        measured: `${(s.wallMs / s.wallFloorMs).toFixed(3)} × (reading alone ${readerWallRatio(s, options).toFixed(3)} ×)`,
        pass: s.wallMs <= TARGETS.wallRatio * s.wallFloorMs
      })
    }
    if (s.users >= 100_000) {
      out.push({
        target: `${fmtN(s.users)}: CPU ≤ ${TARGETS.cpuUsPerUser} µs/user`,
        measured: `${s.cpuUsPerUser.toFixed(2)} µs (reading alone ${s.reader.cpuUsPerUser.toFixed(2)} µs)`,
        pass: s.cpuUsPerUser <= TARGETS.cpuUsPerUser
      })
    }
    const rss = TARGETS.rssMb[s.users]
    if (rss !== undefined) {
      out.push({
        target: `${fmtN(s.users)}: peak RSS ≤ ${rss} MB`,
        measured: `${s.peakRssMb.toFixed(0)} MB`,
        pass: s.peakRssMb <= rss
      })
    }
  }
  for (const storm of storms) {
    out.push({
      target: `storm ${fmtN(storm.users)}: Σ Retry-After ≤ waiting ≤ ${TARGETS.stormCeiling} × Σ`,
      measured: `Σ ${fmtS(storm.retryAfterSumMs)}; logged ${fmtS(storm.loggedWaitMs)}, at the simulator ${fmtS(storm.measuredWaitMs)}`,
      pass:
        storm.throttled === storm.faults &&
        storm.loggedWaitMs >= storm.retryAfterSumMs &&
        // The simulator's clock has 1 ms steps: allow 1 ms per retry below the sum.
        storm.measuredWaitMs >= storm.retryAfterSumMs - storm.throttled &&
        storm.measuredWaitMs <= TARGETS.stormCeiling * storm.retryAfterSumMs
    })
    out.push({
      target: `storm ${fmtN(storm.users)}: no duplicate or missing user`,
      measured: `${storm.complete.rows} CSV rows (${storm.complete.misplaced} misplaced), ${storm.jsonDistinct}/${storm.jsonUsers} distinct JSON users`,
      pass:
        storm.complete.rows === storm.users &&
        storm.complete.misplaced === 0 &&
        (Number.isNaN(storm.jsonUsers) ||
          (storm.jsonUsers === storm.users && storm.jsonDistinct === storm.users))
    })
  }
  out.push({
    target: `${fmtN(logs.users)}: sign-in-logs ≥ ${TARGETS.logRequestsFactor}× fewer requests than one per user`,
    measured: `${logs.perUser.requests} / ${logs.batched.requests} = ${logs.factor.toFixed(1)} ×`,
    pass: logs.factor >= TARGETS.logRequestsFactor
  })
  return out
}

/** The reading floor's wall time against its own requests × latency. */
const readerWallRatio = (s: SizeResult, options: Options) =>
  s.reader.wallMs / (s.reader.requests * options.latencyMs)

const fmtN = (n: number) =>
  n >= 1_000_000 && n % 1_000_000 === 0
    ? `${n / 1_000_000}M`
    : n >= 1000 && n % 1000 === 0
      ? `${n / 1000}k`
      : String(n)
const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`

function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)))
  const line = (row: string[]) =>
    `| ${row.map((cell, col) => cell.padEnd(widths[col])).join(' | ')} |`
  return [
    line(rows[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line)
  ].join('\n')
}

function render(
  sizes: SizeResult[],
  storms: StormResult[],
  logs: LogsBaselineResult,
  list: Check[],
  options: Options
): string {
  const latency = options.latencyMs
  const parts = [
    `### Default source (sign-in-activity), ${latency} ms per request`,
    '',
    table([
      [
        'users',
        'Graph + token requests (floor)',
        'other requests',
        `wall (requests × ${latency} ms)`,
        'wall ratio',
        'CPU/user (marginal)',
        'peak RSS',
        'simulator CPU',
        'reading alone: wall ratio, CPU/user',
        'unpaged beta list (article)'
      ],
      ...sizes.map((s) => [
        fmtN(s.users),
        `${s.graphRequests} + ${s.tokenRequests} (${s.floor})`,
        String(s.otherRequests),
        `${fmtS(s.wallMs)} (${fmtS(s.wallFloorMs)})`,
        `${(s.wallMs / s.wallFloorMs).toFixed(3)}`,
        `${s.cpuUsPerUser.toFixed(2)} µs (${s.marginalCpuUsPerUser.toFixed(2)} µs)`,
        `${s.peakRssMb.toFixed(0)} MB`,
        fmtS(s.simCpuMs),
        `${readerWallRatio(s, options).toFixed(3)}, ${s.reader.cpuUsPerUser.toFixed(2)} µs`,
        `${fmtN(s.unpaged.users)} users, misses ${fmtN(s.unpaged.missed)}`
      ])
    ]),
    '',
    'Other requests: msal-node reads the authority metadata (`openid-configuration`) once per run. Every HTTP request the simulator received counts in the wall floor.',
    '',
    'Reading alone: bench/reader.ts, a bare node:https client that lists the same tenant the same way (next page asked for as soon as its link arrives) and only decodes and parses each page: no policy, no report. What any Node client pays on this machine before doing anything with the users.',
    '',
    `### Sign-in logs, ${fmtN(logs.users)} users: article v1.0 (one request per user) vs source: sign-in-logs`,
    '',
    table([
      ['way', 'requests', 'wall'],
      [
        'article: one audit-log request per user, in sequence',
        String(logs.perUser.requests),
        fmtS(logs.perUser.wallMs)
      ],
      [
        `sign-in-logs: $batch of 20 (${logs.batched.batches} batches)`,
        String(logs.batched.requests),
        fmtS(logs.batched.wallMs)
      ],
      [
        'factor',
        `${logs.factor.toFixed(1)} ×`,
        `${(logs.perUser.wallMs / logs.batched.wallMs).toFixed(1)} ×`
      ]
    ])
  ]
  if (storms.length > 0) {
    parts.push(
      '',
      '### Throttling storm (429 with Retry-After on users pages)',
      '',
      table([
        [
          'users',
          'throttled pages',
          'Σ Retry-After',
          'waiting logged',
          'waiting at the simulator',
          'ratio',
          'wall'
        ],
        ...storms.map((s) => [
          fmtN(s.users),
          `${s.throttled} of ${s.faults}`,
          fmtS(s.retryAfterSumMs),
          fmtS(s.loggedWaitMs),
          fmtS(s.measuredWaitMs),
          (s.measuredWaitMs / s.retryAfterSumMs).toFixed(3),
          fmtS(s.wallMs)
        ])
      ])
    )
  }
  parts.push(
    '',
    '### Targets',
    '',
    table([
      ['target', 'measured', ''],
      ...list.map((c) => [c.target, c.measured, c.pass ? 'PASS' : 'MISS'])
    ])
  )
  return parts.join('\n')
}

function log(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)
}

async function main(): Promise<number> {
  const opts = options()
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3)
  }
  log(
    `sizes ${opts.sizes.map(fmtN).join(', ')}; latency ${opts.latencyMs} ms; ${machine.cpus} CPUs, ${machine.memoryGb} GB; node ${machine.node}`
  )
  const startupMs = await startupCpuMs(opts)
  log(`start-up CPU (one-user tenant): ${startupMs.toFixed(0)} ms`)
  const sizes: SizeResult[] = []
  const storms: StormResult[] = []
  const smallest = Math.min(...opts.sizes)
  for (const users of opts.sizes) {
    const { size, storm } = await measureSize(
      users,
      opts,
      startupMs,
      opts.throttle || users === smallest
    )
    sizes.push(size)
    if (storm) storms.push(storm)
  }
  const logs = await logsBaseline(opts)
  const list = checks(sizes, storms, logs, opts)
  const text = render(sizes, storms, logs, list, opts)
  console.log(
    `\nentra-signin-check benchmark — ${machine.date.slice(0, 10)}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, node ${machine.node}\n`
  )
  console.log(text)
  writeFileSync(
    opts.out,
    `${JSON.stringify({ machine, options: opts, startupCpuMs: startupMs, sizes, storms, logs, checks: list }, null, 2)}\n`
  )
  log(`results written to ${opts.out}`)
  const missed = list.filter((c) => !c.pass)
  if (missed.length > 0) log(`${missed.length} target(s) missed`)
  return missed.length > 0 ? 1 : 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n${USAGE}`)
    else console.error(`bench failed: ${(error as Error).stack ?? String(error)}`)
    process.exitCode = 2
  }
)
