import { BUCKETS, STATUSES, type Breakdown } from '../breakdown.js'
import { escapeCell } from './escape.js'

/** Widest bar, in character cells. */
const BAR_CELLS = 24
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉']

/** A bar of block characters as long as `count` is of `max` (eighths of a cell; never empty). */
export function bar(count: number, max: number): string {
  if (count <= 0) return ''
  const eighths = Math.max(1, Math.round((count / Math.max(count, max)) * BAR_CELLS * 8))
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]
}

/**
 * The inactivity histogram as a table of text bars: it renders wherever the summary does (a job
 * summary, a terminal, a mail), needs no chart support from GitHub, and holds nothing but numbers
 * and fixed labels.
 */
export function histogramTable(histogram: readonly number[]): string {
  const max = Math.max(0, ...histogram)
  const rows = BUCKETS.map(
    (bucket, index) =>
      `<tr><td>${escapeCell(bucket.label)}</td><td align="right">${histogram[index]}</td><td><code>${bar(histogram[index], max)}</code></td></tr>`
  )
  return [
    '<table>',
    '<tr><th>Inactive for</th><th>Checked users</th><th></th></tr>',
    ...rows,
    '</table>'
  ].join('\n')
}

/** Longest user type shown (Graph sends Member or Guest; anything longer is cut). */
const TYPE_CHARS = 40
const clip = (text: string) =>
  text.length > TYPE_CHARS ? `${Array.from(text).slice(0, TYPE_CHARS).join('')}…` : text

/** Users by type (at most MAX_USER_TYPES rows and one for the rest) and status. */
export function userTypeTable(breakdown: Breakdown): string {
  const rows = breakdown
    .byType()
    .map(
      (row) =>
        `<tr><td>${escapeCell(clip(row.type))}</td>${STATUSES.map((status) => `<td align="right">${row.counts[status]}</td>`).join('')}<td align="right">${row.total}</td></tr>`
    )
  return [
    '<table>',
    `<tr><th>User type</th>${STATUSES.map((status) => `<th>${status}</th>`).join('')}<th>users</th></tr>`,
    ...rows,
    '</table>'
  ].join('\n')
}
