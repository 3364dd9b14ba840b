/** The benchmark's command line (and the BENCH_* variables that stand for its flags). */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ROOT } from '../__fixtures__/action.js'

export const USAGE =
  'usage: bench.js [--sizes 10000,100000,1000000] [--latency MS] [--quick] [--throttle] [--baseline-users N] [--seed S] [--out PATH]'

export interface Options {
  sizes: number[]
  latencyMs: number
  quick: boolean
  throttle: boolean
  baselineUsers: number
  seed: number
  out: string
}

export function parseOptions(): Options {
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

/** A bad flag or value: printed with USAGE, exit 2. */
export class UsageError extends Error {}
