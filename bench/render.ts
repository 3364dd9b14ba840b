/** The benchmark's Markdown tables: per tenant size, sign-in logs, the storm, the targets. */
import { formatCount, formatSeconds } from './format.js'
import type { Options } from './options.js'
import {
  readerWallRatio,
  type LogsBaselineResult,
  type SizeResult,
  type StormResult
} from './scenarios/results.js'
import type { Check } from './targets.js'

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

/** The Markdown tables `npm run bench` prints (docs/benchmark.md quotes them). */
export function renderTables(
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
        formatCount(s.users),
        `${s.graphRequests} + ${s.tokenRequests} (${s.floor})`,
        String(s.otherRequests),
        `${formatSeconds(s.wallMs)} (${formatSeconds(s.wallFloorMs)})`,
        `${(s.wallMs / s.wallFloorMs).toFixed(3)}`,
        `${s.cpuUsPerUser.toFixed(2)} µs (${s.marginalCpuUsPerUser.toFixed(2)} µs)`,
        `${s.peakRssMb.toFixed(0)} MB`,
        formatSeconds(s.simCpuMs),
        `${readerWallRatio(s, options).toFixed(3)}, ${s.reader.cpuUsPerUser.toFixed(2)} µs`,
        `${formatCount(s.unpaged.users)} users, misses ${formatCount(s.unpaged.missed)}`
      ])
    ]),
    '',
    'Other requests: msal-node reads the authority metadata (`openid-configuration`) once per run. Every HTTP request the simulator received counts in the wall floor.',
    '',
    'Reading alone: bench/reader.ts, a bare node:https client that lists the same tenant the same way (next page asked for as soon as its link arrives) and only decodes and parses each page: no policy, no report. What any Node client pays on this machine before doing anything with the users.',
    '',
    `### Sign-in logs, ${formatCount(logs.users)} users: article v1.0 (one request per user) vs source: sign-in-logs`,
    '',
    table([
      ['way', 'requests', 'wall'],
      [
        'article: one audit-log request per user, in sequence',
        String(logs.perUser.requests),
        formatSeconds(logs.perUser.wallMs)
      ],
      [
        `sign-in-logs: $batch of 20 (${logs.batched.batches} batches)`,
        String(logs.batched.requests),
        formatSeconds(logs.batched.wallMs)
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
          formatCount(s.users),
          `${s.throttled} of ${s.faults}`,
          formatSeconds(s.retryAfterSumMs),
          formatSeconds(s.loggedWaitMs),
          formatSeconds(s.measuredWaitMs),
          (s.measuredWaitMs / s.retryAfterSumMs).toFixed(3),
          formatSeconds(s.wallMs)
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
