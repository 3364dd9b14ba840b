/**
 * Preloaded into the action's process (`node --import <probe> dist/index.js`): at exit it writes
 * the process's own CPU time and peak RSS to $BENCH_PROBE_FILE, so the benchmark measures the
 * action alone, not the simulator or the benchmark itself.
 */
import { writeFileSync } from 'node:fs'

export interface ProbeResult {
  userCpuUs: number
  systemCpuUs: number
  /** Peak resident set size, bytes. */
  maxRssBytes: number
}

const file = process.env.BENCH_PROBE_FILE
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    const result: ProbeResult = {
      userCpuUs: usage.userCPUTime,
      systemCpuUs: usage.systemCPUTime,
      maxRssBytes: usage.maxRSS * 1024
    }
    writeFileSync(file, JSON.stringify(result))
  })
}
