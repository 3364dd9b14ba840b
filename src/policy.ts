import { SUCCESSFUL_SIGN_IN_RECORDING_START } from './constants.js'
import { DAY_MS, iso, parseSignInDate } from './dates.js'
import type { ExclusionMatcher } from './exclusions.js'
import type { DirectoryUser } from './users.js'
import type { PolicySettings } from './settings/settings.js'

export type Status = 'excluded' | 'skipped' | 'stale' | 'warn' | 'active'

/** One row of the report: exactly the contract's user columns (dates normalised to ISO or null). */
export interface UserRecord extends DirectoryUser {
  lastActivityDateTime: string | null
  daysInactive: number | null
  neverSignedIn: boolean
  status: Status
  reason: string
}

export interface PolicyContext {
  policy: PolicySettings
  now: Date
  exclusions: ExclusionMatcher
  /** user id → group id, for members of `exclude-groups`. */
  groupExclusions: ReadonlyMap<string, string>
  /**
   * The source's view of sign-ins: `sign-in-activity` caps the successful-sign-in fallback at
   * 2023-12-01; `sign-in-logs` only sees the log window, so "never" means "not within it".
   */
  source: { capFallback: boolean; neverMeans: string }
}

function newest(...times: (number | null)[]): number | null {
  let result: number | null = null
  for (const time of times) if (time !== null && (result === null || time > result)) result = time
  return result
}

const ACTIVITY_LABEL = {
  successful: 'successful sign-in',
  any: 'sign-in',
  interactive: 'interactive sign-in'
} as const

/** The instant that counts as the user's last activity under `activity` (DESIGN.md, Policy). */
export function lastActivity(
  activity: PolicySettings['activity'],
  interactive: number | null,
  nonInteractive: number | null,
  successful: number | null,
  capFallback: boolean
): number | null {
  switch (activity) {
    case 'any':
      return newest(interactive, nonInteractive, successful)
    case 'interactive':
      return interactive
    case 'successful': {
      if (successful !== null) return successful
      // The sign-in logs show every outcome in the window: an attempt without success is no activity.
      if (!capFallback) return null
      const attempt = newest(interactive, nonInteractive)
      // Entra records successes only from 2023-12-01: a later attempt without one was a failure.
      if (attempt === null) return null
      return Math.min(attempt, SUCCESSFUL_SIGN_IN_RECORDING_START)
    }
  }
}

/** Evaluates one user against the policy. Pure: same input, same record. */
export function evaluateUser(user: DirectoryUser, context: PolicyContext): UserRecord {
  const interactive = parseSignInDate(user.lastSignInDateTime)
  const nonInteractive = parseSignInDate(user.lastNonInteractiveSignInDateTime)
  const successful = parseSignInDate(user.lastSuccessfulSignInDateTime)
  const created = parseSignInDate(user.createdDateTime)
  const neverSignedIn = interactive === null && nonInteractive === null && successful === null
  const activity = lastActivity(
    context.policy.activity,
    interactive,
    nonInteractive,
    successful,
    context.source.capFallback
  )
  const since = newest(activity, created)
  const daysInactive =
    since === null ? null : Math.max(0, Math.floor((context.now.getTime() - since) / DAY_MS))
  const [status, reason] = decideStatus(user, context, {
    activity,
    created,
    daysInactive,
    neverSignedIn
  })
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    userType: user.userType,
    accountEnabled: user.accountEnabled,
    createdDateTime: iso(created),
    lastSignInDateTime: iso(interactive),
    lastNonInteractiveSignInDateTime: iso(nonInteractive),
    lastSuccessfulSignInDateTime: iso(successful),
    lastActivityDateTime: iso(activity),
    daysInactive,
    neverSignedIn,
    status,
    reason
  }
}

/** The user's status and its reason (DESIGN.md: excluded, then skipped, then the tiers). */
function decideStatus(
  user: DirectoryUser,
  context: PolicyContext,
  found: {
    activity: number | null
    created: number | null
    daysInactive: number | null
    neverSignedIn: boolean
  }
): [Status, string] {
  const { policy } = context
  const { activity, created, daysInactive, neverSignedIn } = found
  const rule = context.exclusions.match(user)
  if (rule)
    return ['excluded', `excluded by ${rule.origin}${rule.reason ? `: ${rule.reason}` : ''}`]
  const group = context.groupExclusions.get(user.id.toLowerCase())
  if (group) return ['excluded', `excluded: member of group ${group}`]
  if (user.accountEnabled === false && !policy.includeDisabled)
    return ['skipped', 'account disabled (include-disabled is false)']
  // Graph leaves userType null on some old accounts; they are members.
  const type = (user.userType ?? 'Member').toLowerCase()
  if (!(policy.userTypes as string[]).includes(type)) {
    return [
      'skipped',
      `user type ${user.userType} is not in user-types (${policy.userTypes.join(',')})`
    ]
  }

  const label = ACTIVITY_LABEL[policy.activity]
  if (neverSignedIn && policy.neverSignedIn === 'ignore')
    return ['active', `${context.source.neverMeans} (never-signed-in is ignore)`]
  let what: string
  if (neverSignedIn) {
    what =
      daysInactive === null
        ? `${context.source.neverMeans}; no creation date`
        : `${context.source.neverMeans}; created ${daysInactive} days ago`
  } else if (activity === null || (created !== null && activity < created)) {
    what =
      daysInactive === null
        ? `no ${label} recorded; no creation date`
        : `no ${label} since creation ${daysInactive} days ago`
  } else {
    what = `last ${label} ${daysInactive} days ago`
  }
  if (daysInactive === null || daysInactive >= policy.thresholdDays)
    return ['stale', `${what} (stale at ${policy.thresholdDays})`]
  if (policy.warnDays !== undefined && daysInactive >= policy.warnDays)
    return ['warn', `${what} (warn at ${policy.warnDays})`]
  return ['active', what]
}

export interface Counts {
  users: number
  checked: number
  stale: number
  warn: number
  neverSignedIn: number
  excluded: number
  skipped: number
  active: number
  newStale: number
}

export function emptyCounts(): Counts {
  return {
    users: 0,
    checked: 0,
    stale: 0,
    warn: 0,
    neverSignedIn: 0,
    excluded: 0,
    skipped: 0,
    active: 0,
    newStale: 0
  }
}

/** Adds one record to the counts (`isNew`: stale now but not in the baseline). */
export function count(counts: Counts, record: UserRecord, isNew: boolean): void {
  counts.users++
  counts[record.status]++
  if (record.status === 'excluded' || record.status === 'skipped') return
  counts.checked++
  if (record.neverSignedIn) counts.neverSignedIn++
  if (record.status === 'stale' && isNew) counts.newStale++
}

export type Result = 'pass' | 'warn' | 'fail' | 'error'

/**
 * The result of a run that read every user. A run that could not read everything never gets
 * here: the read failure aborts the audit, its partial report is removed and the result is
 * `error` (publish/publish.ts publishError), never a pass on partial data.
 */
export function decideResult(
  counts: Counts,
  policy: Pick<PolicySettings, 'failOn' | 'onStale' | 'maxStale'>
): Exclude<Result, 'error'> {
  const counted = policy.failOn === 'new' ? counts.newStale : counts.stale
  if (policy.onStale === 'fail' && counted > policy.maxStale) return 'fail'
  if (counts.stale > 0 || counts.warn > 0) return 'warn'
  return 'pass'
}

/** Worst first: stale before warn, then most days inactive (unknown counts as the most). */
export function compareWorstFirst(a: UserRecord, b: UserRecord): number {
  const rank = (record: UserRecord) =>
    record.status === 'stale' ? 0 : record.status === 'warn' ? 1 : 2
  if (rank(a) !== rank(b)) return rank(a) - rank(b)
  const days = (record: UserRecord) => record.daysInactive ?? Number.POSITIVE_INFINITY
  if (days(a) !== days(b)) return days(b) - days(a)
  return (a.userPrincipalName ?? '').localeCompare(b.userPrincipalName ?? '')
}
