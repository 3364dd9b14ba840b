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
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
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
      ...sizes.map((size) => [
        formatCount(size.users),
        `${size.graphRequests} + ${size.tokenRequests} (${size.floor})`,
        String(size.otherRequests),
        `${formatSeconds(size.wallMs)} (${formatSeconds(size.wallFloorMs)})`,
        `${(size.wallMs / size.wallFloorMs).toFixed(3)}`,
        `${size.cpuUsPerUser.toFixed(2)} µs (${size.marginalCpuUsPerUser.toFixed(2)} µs)`,
        `${size.peakRssMb.toFixed(0)} MB`,
        formatSeconds(size.simCpuMs),
        `${readerWallRatio(size, options).toFixed(3)}, ${size.reader.cpuUsPerUser.toFixed(2)} µs`,
        `${formatCount(size.unpaged.users)} users, misses ${formatCount(size.unpaged.missed)}`
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
      ],
      [
        'factor, log lookups alone (per-user requests / $batch requests)',
        `${logs.lookupFactor.toFixed(1)} ×`,
        ''
      ]
    ]),
    '',
    'The first factor counts every request, the per-run ones too (token, users page, `$count`, `subscribedSkus`), which weigh on a small tenant; the target is about the lookups, so it reads the second.'
  ]
  parts.push(
    '',
    '### HTML report (headless Chromium)',
    '',
    table([
      ['users', 'size', 'bytes/user', 'first render', 'sort by days inactive'],
      ...sizes.map((size) => [
        formatCount(size.users),
        `${(size.html.bytes / 1024 ** 2).toFixed(1)} MiB`,
        size.html.bytesPerUser.toFixed(0),
        size.html.firstRenderMs === undefined
          ? `not opened: ${size.html.notOpened}`
          : formatSeconds(size.html.firstRenderMs),
        size.html.sortMs === undefined ? '—' : formatSeconds(size.html.sortMs)
      ])
    ]),
    '',
    'First render: from navigation start to the first table rows drawn (the page parsed, the users JSON read, the table built). The page is opened from a file:// URL with every request intercepted.'
  )
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
        ...storms.map((storm) => [
          formatCount(storm.users),
          `${storm.throttled} of ${storm.faults}`,
          formatSeconds(storm.retryAfterSumMs),
          formatSeconds(storm.loggedWaitMs),
          formatSeconds(storm.measuredWaitMs),
          (storm.measuredWaitMs / storm.retryAfterSumMs).toFixed(3),
          formatSeconds(storm.wallMs)
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
      ...list.map((check) => [check.target, check.measured, check.pass ? 'PASS' : 'MISS'])
    ])
  )
  return parts.join('\n')
}
