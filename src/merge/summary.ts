import { SUMMARY_MAX_BYTES } from '../constants.js'
import type { Counts, Result } from '../policy.js'
import { escapeCell } from '../summary/escape.js'
import { noteLines, RESULT_ICON, USER_HEADER_CELLS, userCells } from '../summary/summary.js'
import type { MergedRecord } from './files.js'
import type { MergeSettings } from './settings.js'
import { compareTenantRows, type TenantRow } from './verdict.js'

export interface MergeSummaryInput {
  result: Result
  /** Every tenant: merged reports and problems (missing, corrupt, duplicate). */
  rows: TenantRow[]
  /** The sums; absent when the result is `error` (they would leave tenants out). */
  counts?: Counts
  policy: MergeSettings['policy']
  expected: number
  /** The worst users across tenants, worst first (shown only with `counts`). */
  worst: MergedRecord[]
  artifactUrl?: string
  /** Plain-text lines under the heading (problems first). */
  notes: string[]
}

/** The tenants table takes at most half of the summary; the rest are counted. */
const TENANTS_MAX_BYTES = SUMMARY_MAX_BYTES / 2

const TENANT_HEADER =
  '<tr><th>Tenant</th><th>Result</th><th>Users</th><th>Checked</th><th>Stale</th><th>Warn</th><th>Never signed in</th><th>Excluded</th></tr>'

function countCells(counts: Counts): string {
  return [
    counts.users,
    counts.checked,
    counts.stale,
    counts.warn,
    counts.neverSignedIn,
    counts.excluded
  ]
    .map((count) => `<td>${count}</td>`)
    .join('')
}

function tenantRow(row: TenantRow): string {
  if (row.kind === 'problem') {
    return `<tr><td>${escapeCell(row.name)}</td><td>${RESULT_ICON.error} error</td><td colspan="6">${escapeCell(row.problem.message)}</td></tr>`
  }
  const { tenant } = row
  const where = tenant.artifact ?? tenant.file ?? ''
  const name =
    where && where !== tenant.tenantId ? `${tenant.tenantId} (${where})` : tenant.tenantId
  return `<tr><td>${escapeCell(name)}</td><td>${RESULT_ICON[tenant.result]} ${escapeCell(tenant.result)}</td>${countCells(tenant.counts)}</tr>`
}

/**
 * The merge's job summary as HTML: one row per tenant, worst first (problems on top, so the
 * verdict never hides a tenant), the totals, then the worst users across tenants with their
 * tenant. Every value is escaped; it stays under 1 MiB whatever the number of tenants or users.
 */
export function renderMergeSummary(input: MergeSummaryInput): string {
  const { result, counts } = input
  const reports = input.rows.filter((row) => row.kind === 'report').length
  const head = [
    `<h2>${RESULT_ICON[result]} Entra ID sign-in check, ${reports} tenant(s) merged: ${escapeCell(result)}</h2>`,
    `<p><b>Policy across all tenants:</b> ${escapeCell(`on-stale ${input.policy.onStale} · max-stale ${input.policy.maxStale} · ${input.expected} expected tenant(s)`)}</p>`,
    ...noteLines(input.notes)
  ].join('\n')
  let bytes = Buffer.byteLength(head) + 4096

  const sorted = [...input.rows].sort(compareTenantRows)
  const tenantRows: string[] = []
  for (const row of sorted) {
    const line = tenantRow(row)
    bytes += Buffer.byteLength(line) + 1
    if (bytes > TENANTS_MAX_BYTES) break
    tenantRows.push(line)
  }
  const parts = [head, '<table>', TENANT_HEADER, ...tenantRows]
  if (counts) {
    parts.push(
      `<tr><td><b>All tenants</b></td><td>${RESULT_ICON[result]} ${escapeCell(result)}</td>${countCells(counts)}</tr>`
    )
  }
  parts.push('</table>')
  if (sorted.length > tenantRows.length) {
    parts.push(`<p>${sorted.length - tenantRows.length} more tenant(s) in the merged report.</p>`)
  }
  if (!counts) {
    parts.push(
      '<p>No merged report was produced: a merge that leaves a tenant out is never presented as complete.</p>'
    )
    return `${parts.join('\n')}\n`
  }

  const attention = counts.stale + counts.warn
  const userRows: string[] = []
  for (const record of input.worst) {
    const line = `<tr><td>${escapeCell(record.tenantId)}</td>${userCells(record)}</tr>`
    bytes += Buffer.byteLength(line) + 1
    if (bytes > SUMMARY_MAX_BYTES) break
    userRows.push(line)
  }
  const where = input.artifactUrl
    ? `<a href="${escapeCell(input.artifactUrl)}">the merged report artifact</a>`
    : 'the merged report files'
  if (userRows.length > 0) {
    parts.push(
      '<h3>Users who need attention, all tenants</h3>',
      '<table>',
      `<tr><th>Tenant</th>${USER_HEADER_CELLS}</tr>`,
      ...userRows,
      '</table>'
    )
  } else if (attention === 0) {
    parts.push('<p>No user needs attention in any tenant.</p>')
  }
  if (attention > userRows.length)
    parts.push(`<p>${attention - userRows.length} more in ${where}.</p>`)
  else if (input.artifactUrl) parts.push(`<p>Full report: ${where}.</p>`)
  return `${parts.join('\n')}\n`
}
