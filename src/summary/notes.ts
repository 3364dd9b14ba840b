import { BASELINE_SAMPLE, type Baseline, type BaselineComparison } from '../baseline.js'
import { LOG_WINDOW_DAYS } from '../constants.js'
import { isExpired } from '../exclusions.js'
import type { Counts } from '../policy.js'
import type { EarlierReport } from '../report/files.js'
import type { Mask } from '../report/redact.js'
import type { Settings } from '../settings/settings.js'

/** Summary notes known before any request: expired exclusions, the sign-in log window. */
export function startNotes(settings: Pick<Settings, 'exclusions' | 'source'>, now: Date): string[] {
  const notes: string[] = []
  for (const rule of settings.exclusions.filter((candidate) => isExpired(candidate, now))) {
    notes.push(
      `Expired exclusion (no longer applied): ${rule.pattern} until ${rule.until} (${rule.origin}${rule.reason ? `: ${rule.reason}` : ''}).`
    )
  }
  if (settings.source === 'sign-in-logs') {
    notes.push(
      `Sign-in logs reach back ${LOG_WINDOW_DAYS} days at most (7 without a premium licence): users with no entry count as not signed in within that window.`
    )
  }
  return notes
}

/** The one warning for a threshold the sign-in log source cannot see back to. */
export function logWindowWarning(
  settings: Pick<Settings, 'source' | 'policy'>
): string | undefined {
  if (settings.source !== 'sign-in-logs' || settings.policy.thresholdDays <= LOG_WINDOW_DAYS)
    return undefined
  return `threshold-days ${settings.policy.thresholdDays} is beyond the ${LOG_WINDOW_DAYS}-day sign-in log window: every user without a sign-in in the window is stale once their account is older than the threshold. Use source: sign-in-activity for longer thresholds.`
}

/** What a failed run says about the report files an earlier run left in `report-dir`. */
export function earlierReportNote(earlier: EarlierReport): string {
  const when = earlier.generatedAt
    ? `generatedAt ${earlier.generatedAt}`
    : `last written ${earlier.modifiedAt}`
  return `The files in ${earlier.dir} (${earlier.names.join(', ')}) are from an earlier run (${when}), not from this one: this run wrote no report.`
}

/** The warning (and summary note) for users Graph listed more than once. */
export function duplicatesNote(duplicates: number): string {
  const users = duplicates === 1 ? '1 user' : `${duplicates} users`
  return `Graph listed ${users} more than once (the directory changed while it was read): ${duplicates} duplicate${duplicates === 1 ? '' : 's'} dropped, each user is counted and written once.`
}

/**
 * v1.0's sign-in log holds interactive sign-ins only (List signIns returns non-interactive ones
 * only with the signInEventTypes filter, which v1.0 lacks): said once, before the first request.
 */
export function interactiveOnlyWarning(
  settings: Pick<Settings, 'source' | 'graphVersion'>
): string | undefined {
  if (settings.source !== 'sign-in-logs' || settings.graphVersion !== 'v1.0') return undefined
  return "graph-version v1.0: Graph's v1.0 sign-in log holds interactive sign-ins only, so users active only through apps refreshing tokens (Outlook, Teams, phones) may look inactive. Use graph-version: beta, or source: sign-in-activity (the default)."
}

/** New, still and no-longer stale users against the baseline: counts, then up to 20 UPNs each. */
export function baselineNotes(
  outcome: BaselineComparison & { counts: Counts },
  baseline: Baseline,
  showUpn: Mask['upn']
): string[] {
  const newCount = outcome.counts.newStale
  const still = outcome.counts.stale - newCount
  const gone = outcome.noLongerStale
  const names = (upns: (string | null)[], total: number) => {
    const shown = upns.slice(0, BASELINE_SAMPLE).map((upn) => showUpn(upn) ?? '(no UPN)')
    return `${shown.join(', ')}${total > shown.length ? `, … (${total - shown.length} more in the report)` : ''}`
  }
  const lists: [string, (string | null)[], number][] = [
    ['New stale', outcome.newStaleSample, newCount],
    ['Still stale', outcome.stillStaleSample, still],
    ['No longer stale', gone, gone.length]
  ]
  return [
    `Against the baseline of ${baseline.generatedAt ?? 'an earlier run'}: ${newCount} new stale, ${still} still stale, ${gone.length} no longer stale.`,
    ...lists
      .filter(([, , total]) => total > 0)
      .map(([label, upns, total]) => `${label} (${total}): ${names(upns, total)}.`)
  ]
}
