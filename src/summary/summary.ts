import { SUMMARY_MAX_BYTES } from '../constants.js'
import {
  USER_GROUPS,
  type Counts,
  type Result,
  type UserGroup,
  type UserRecord
} from '../policy.js'
import type { Settings } from '../settings/settings.js'
import { redactorFor, type Mask } from '../report/redact.js'
import type { Breakdown } from '../breakdown.js'
import { histogramTable, userTypeTable } from './chart.js'
import { escapeCell } from './escape.js'

export const RESULT_ICON: Record<Result, string> = {
  pass: '✅',
  warn: '⚠️',
  fail: '❌',
  error: '🛑'
}

/** The policy in one line, as people configure it. */
export function policyLine(settings: Settings): string {
  const { policy } = settings
  const parts = [
    `stale at ${policy.thresholdDays} days`,
    policy.warnDays !== undefined ? `warn at ${policy.warnDays}` : undefined,
    policy.guestThresholdDays !== undefined
      ? `guests stale at ${policy.guestThresholdDays}`
      : undefined,
    policy.invitationDays !== undefined
      ? `invitations stale at ${policy.invitationDays}`
      : undefined,
    policy.privilegedThresholdDays !== undefined
      ? `privileged stale at ${policy.privilegedThresholdDays}`
      : undefined,
    policy.licensedOnly ? 'licensed users only' : undefined,
    policy.includeAgents ? 'agent identities checked' : undefined,
    `activity ${policy.activity}`,
    `never-signed-in ${policy.neverSignedIn}`,
    `user types ${policy.userTypes.join(',')}`,
    policy.includeDisabled ? 'disabled accounts checked' : 'disabled accounts skipped',
    `on-stale ${policy.onStale}`,
    `max-stale ${policy.maxStale}`,
    `fail-on ${policy.failOn}`,
    `${settings.exclusions.length} exclusion rule(s)`,
    settings.excludeGroups.length > 0
      ? `${settings.excludeGroups.length} excluded group(s)`
      : undefined,
    `source ${settings.source} (${settings.graphVersion})`
  ]
  return parts.filter((part) => part !== undefined).join(' · ')
}

export interface SummaryInput {
  result: Result
  counts: Counts
  settings: Settings
  /** Users that need attention (stale, then warn), worst first, at most summary-rows. */
  worst: UserRecord[]
  /** The inactivity histogram and the users by type and status. */
  breakdown: Breakdown
  /** Link to the artifact, when uploaded. */
  artifactUrl?: string
  /** Lines shown under the counts (errors, skipped upload, expired exclusions…), plain text. */
  notes: string[]
}

const GROUP_LABEL: Record<UserGroup, string> = {
  members: 'Members',
  guests: 'Guests',
  pendingInvitations: 'Pending invitations',
  privileged: 'Privileged',
  licensed: 'Licensed'
}

/** Marks a user holding a directory role in the summary's table. */
const PRIVILEGED_MARK = '🛡️'

/** One line per group: checked, stale and warn (privileged only when roles were read). */
function groupLines(counts: Counts, rolesRead: boolean): string[] {
  return USER_GROUPS.map((group) => {
    const label = `<b>${GROUP_LABEL[group]}</b>`
    if (group === 'privileged' && !rolesRead)
      return `<p>${label}: not checked (privileged-threshold-days is empty)</p>`
    const { checked, stale, warn } = counts.groups[group]
    return `<p>${label}: ${checked} checked · ${stale} stale · ${warn} warn</p>`
  })
}

/** Which licences stale users hold, most held first: the cost finance asks about. */
function licenceLine(counts: Counts): string {
  const held = Object.entries(counts.staleLicenses).sort(
    ([a, x], [b, y]) => y - x || a.localeCompare(b)
  )
  if (held.length === 0) return '<p><b>Licences of stale users:</b> none.</p>'
  const list = held.map(([sku, users]) => `${escapeCell(sku)} × ${users}`).join(' · ')
  return `<p><b>Licences of stale users</b> (${counts.groups.licensed.stale} stale users hold one): ${list}</p>`
}

/** Notes take at most a quarter of the summary; the rest are only counted. */
const NOTES_MAX_BYTES = SUMMARY_MAX_BYTES / 4

export function noteLines(notes: string[], showText: Mask['text'] = (text) => text): string[] {
  const lines: string[] = []
  let bytes = 0
  for (const note of notes) {
    const line = `<p>${escapeCell(showText(note))}</p>`
    bytes += Buffer.byteLength(line) + 1
    if (bytes > NOTES_MAX_BYTES) {
      lines.push(
        `<p>${notes.length - lines.length} more note(s) left out to keep the summary under 1 MiB.</p>`
      )
      break
    }
    lines.push(line)
  }
  return lines
}

/** The header cells of a user row in the summary. */
export const USER_HEADER_CELLS =
  '<th>Status</th><th>User</th><th>Name</th><th>Type</th><th>Days inactive</th><th>Last activity</th><th>Reason</th>'

/** The cells of one user's row in the summary (the merge action puts the tenant before them). */
export function userCells(shown: UserRecord): string {
  return `<td>${escapeCell(shown.status)}</td><td>${(shown.privilegedRoles?.length ?? 0) > 0 ? `${PRIVILEGED_MARK} ` : ''}${escapeCell(shown.userPrincipalName)}</td><td>${escapeCell(shown.displayName)}</td><td>${escapeCell(shown.userType)}</td><td>${escapeCell(shown.daysInactive ?? 'never')}</td><td>${escapeCell(shown.lastActivityDateTime ?? '')}</td><td>${escapeCell(shown.reason)}</td>`
}

/**
 * The job summary as HTML. Every value is escaped; rows stop before 1 MiB whatever the tenant
 * size, and the rest are counted with a pointer to the artifact.
 */
export function renderSummary(input: SummaryInput): string {
  const { result, counts, settings } = input
  // Built from settings.redact, as main.ts builds the one it hands to publish.
  const mask = redactorFor(settings.redact).summary
  const head = [
    `<h2>${RESULT_ICON[result]} Entra ID sign-in check: ${escapeCell(result)}</h2>`,
    // Without a baseline every stale user is "new" (new-stale-count = stale-count): the figure
    // would only repeat the stale count as news, so it is shown when there was a comparison.
    `<p>Tenant <code>${escapeCell(settings.tenantId)}</code> · ${counts.users} users · ${counts.checked} checked · <b>${counts.stale} stale</b> · ${counts.warn} warn · ${counts.neverSignedIn} never signed in · ${counts.excluded} excluded · ${counts.skipped} skipped${settings.baseline ? ` · ${counts.newStale} new stale` : ''}</p>`,
    `<p><b>Policy:</b> ${escapeCell(policyLine(settings))}</p>`,
    ...groupLines(counts, settings.policy.privilegedThresholdDays !== undefined),
    licenceLine(counts),
    ...noteLines(input.notes, mask.text),
    counts.checked > 0 ? histogramTable(input.breakdown.histogram) : undefined,
    counts.users > 0 ? userTypeTable(input.breakdown) : undefined
  ]
    .filter((part) => part !== undefined)
    .join('\n')
  const attention = counts.stale + counts.warn
  const where = input.artifactUrl
    ? `<a href="${escapeCell(input.artifactUrl)}">the report artifact</a>`
    : 'the report files'
  const rows: string[] = []
  let bytes = Buffer.byteLength(head) + 4096
  for (const record of input.worst) {
    const shown = mask.record(record)
    const row = `<tr>${userCells(shown)}</tr>`
    bytes += Buffer.byteLength(row) + 1
    if (bytes > SUMMARY_MAX_BYTES) break
    rows.push(row)
  }
  const parts = [head]
  if (rows.length > 0) {
    parts.push(
      ...(input.worst.some((record) => (record.privilegedRoles?.length ?? 0) > 0)
        ? [`<p>${PRIVILEGED_MARK} holds a directory role (see Reason).</p>`]
        : []),
      '<table>',
      `<tr>${USER_HEADER_CELLS}</tr>`,
      ...rows,
      '</table>'
    )
  } else if (attention === 0) {
    parts.push('<p>No user needs attention.</p>')
  }
  if (attention > rows.length) parts.push(`<p>${attention - rows.length} more in ${where}.</p>`)
  else if (input.artifactUrl) parts.push(`<p>Full report: ${where}.</p>`)
  return `${parts.join('\n')}\n`
}

/**
 * The summary of a run that could not finish: no counts, since they would be partial.
 * `showText`: masks UPNs in the message (the password-flow account, for one). `notes`: lines
 * after it (the earlier report still in report-dir).
 */
export function renderErrorSummary(
  message: string,
  showText: Mask['text'] = (text) => text,
  notes: string[] = []
): string {
  const shown = showText(message)
  const lines = [
    `<h2>${RESULT_ICON.error} Entra ID sign-in check: error</h2>`,
    `<p>${escapeCell(shown)}</p>`,
    '<p>No report was produced: a partial listing is never presented as complete.</p>',
    ...notes.map((note) => `<p>${escapeCell(note)}</p>`)
  ]
  return `${lines.join('\n')}\n`
}
