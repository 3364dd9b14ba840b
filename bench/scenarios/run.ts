/** Small pieces every scenario uses on a measured run. */
import type { ActionMeasure } from '../harness.js'
import type { SimStats } from '../sim-process.js'

/** Requests the simulator counted for these targets (users, token, …). */
export const sumCounts = (stats: SimStats, targets: string[]) =>
  targets.reduce((sum, target) => sum + (stats.byTarget[target] ?? 0), 0)

/** Throws when the run did not produce a report: a scenario never measures a failed run. */
export function requireSuccess(run: ActionMeasure, what: string): void {
  if (run.code !== 0 && run.code !== 1) {
    throw new Error(`${what}: the action crashed (exit ${run.code}):\n${run.stderr || run.stdout}`)
  }
  if (run.outputs.result === 'error' || run.outputs.result === undefined) {
    const tail = run.stdout.split('\n').slice(-15).join('\n')
    throw new Error(`${what}: the action ended with result=error:\n${tail}\n${run.stderr}`)
  }
}
