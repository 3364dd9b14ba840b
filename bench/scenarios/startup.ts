/** The CPU every run pays before its first user (node, msal and TLS start-up). */
import { runActionMeasured, startSimProcess } from '../harness.js'
import type { Options } from '../options.js'
import { requireSuccess } from './run.js'

/** CPU of a run against a one-user tenant: what every run pays before the first user. */
export async function startupCpuMs(options: Options): Promise<number> {
  const sim = await startSimProcess({
    users: 1,
    seed: options.seed,
    now: Date.now(),
    latencyMs: 0
  })
  try {
    const runs: number[] = []
    for (let attempt = 0; attempt < 3; attempt++) {
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
