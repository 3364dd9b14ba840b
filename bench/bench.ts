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
import { writeFileSync } from 'node:fs'
import { formatCount, log } from './format.js'
import { parseOptions, USAGE, UsageError } from './options.js'
import { renderTables } from './render.js'
import type { SizeResult, StormResult } from './scenarios/results.js'
import { quotaChecks, quotaRuns, renderQuota } from './scenarios/quota.js'
import { logsBaseline } from './scenarios/sign-in-logs.js'
import { startupCpuMs } from './scenarios/startup.js'
import { measureSize } from './scenarios/tenant-size.js'
import { checkTargets } from './targets.js'

async function main(): Promise<number> {
  const opts = parseOptions()
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3)
  }
  log(
    `sizes ${opts.sizes.map(formatCount).join(', ')}; latency ${opts.latencyMs} ms; ${machine.cpus} CPUs, ${machine.memoryGb} GB; node ${machine.node}`
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
  const quotas = await quotaRuns(opts)
  const list = [...checkTargets(sizes, storms, logs, opts), ...quotaChecks(quotas)]
  const text = `${renderTables(sizes, storms, logs, list, opts)}\n\n${renderQuota(quotas, opts)}`
  console.log(
    `\nentra-signin-check benchmark — ${machine.date.slice(0, 10)}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, node ${machine.node}\n`
  )
  console.log(text)
  writeFileSync(
    opts.out,
    `${JSON.stringify({ machine, options: opts, startupCpuMs: startupMs, sizes, storms, logs, quotas, checks: list }, null, 2)}\n`
  )
  log(`results written to ${opts.out}`)
  const missed = list.filter((check) => !check.pass)
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
