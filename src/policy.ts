import { SENTINEL_BEFORE, SUCCESSFUL_SIGN_IN_RECORDING_START } from './constants.js'
import type { ExclusionMatcher } from './exclusions.js'
import type { PolicySettings } from './settings.js'

/** A user as read from Graph, flattened; dates are Graph's raw strings (sentinels included). */
export interface DirectoryUser {
  id: string
  userPrincipalName: string | null
  displayName: string | null
  userType: string | null
  accountEnabled: boolean | null
  createdDateTime: string | null
  lastSignInDateTime: string | null
  lastNonInteractiveSignInDateTime: string | null
  lastSuccessfulSignInDateTime: string | null
}

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

const DAY_MS = 86_400_000

/** A Graph date, or null for every "never" form: absent, null, "", unparsable, before 1971. */
export function parseSignInDate(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null
  const time = parseGraphDate(value)
  if (Number.isNaN(time) || time < SENTINEL_BEFORE) return null
  return time
}

/** Two decimal digits at `at`, or -1. */
function twoDigits(value: string, at: number): number {
  const tens = value.charCodeAt(at) - 48
  const ones = value.charCodeAt(at + 1) - 48
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1
}

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * `Date.parse(value)`, with Graph's own form `YYYY-MM-DDTHH:MM:SS[.fraction]Z` read by hand
 * (Date.parse was the policy's largest cost, docs/benchmark.md). Anything else, out-of-range
 * fields included, is left to Date.parse, so both always agree.
 */
export function parseGraphDate(value: string): number {
  const end = value.length - 1
  if (
    end < 19 ||
    value.charCodeAt(end) !== 0x5a || // Z
    value.charCodeAt(4) !== 0x2d || // -
    value.charCodeAt(7) !== 0x2d ||
    value.charCodeAt(10) !== 0x54 || // T
    value.charCodeAt(13) !== 0x3a || // :
    value.charCodeAt(16) !== 0x3a ||
    (end > 19 && (end === 20 || value.charCodeAt(19) !== 0x2e)) // .
  )
    return Date.parse(value)
  const century = twoDigits(value, 0)
  const yearOfCentury = twoDigits(value, 2)
  const month = twoDigits(value, 5)
  const day = twoDigits(value, 8)
  const hours = twoDigits(value, 11)
  const minutes = twoDigits(value, 14)
  const seconds = twoDigits(value, 17)
  const year = century * 100 + yearOfCentury
  if (
    century < 0 ||
    yearOfCentury < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > (month === 2 && !isLeapYear(year) ? 28 : DAYS_IN_MONTH[month]) ||
    hours < 0 ||
    hours > 23 ||
    minutes < 0 ||
    minutes > 59 ||
    seconds < 0 ||
    seconds > 59
  )
    return Date.parse(value)
  // Milliseconds: the first three fraction digits; further ones are read as digits and dropped.
  let ms = 0
  for (let at = 20, scale = 100; at < end; at++, scale /= 10) {
    const digit = value.charCodeAt(at) - 48
    if (digit < 0 || digit > 9) return Date.parse(value)
    if (scale >= 1) ms += digit * scale
  }
  return (
    daysFromCivil(year, month, day) * DAY_MS +
    hours * 3_600_000 +
    minutes * 60_000 +
    seconds * 1000 +
    ms
  )
}

const isLeapYear = (year: number): boolean =>
  year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`)
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`)
/** Years 1000–9999 in ms: outside them toISOString pads or signs the year. */
const FAST_ISO_FROM = Date.UTC(1000, 0, 1)
const FAST_ISO_BEFORE = Date.UTC(10000, 0, 1)

/**
 * `new Date(time).toISOString()`, by hand (days to civil date, H. Hinnant): it runs five times per
 * user and Date#toISOString was the largest cost of the policy (bench/).
 */
export function iso(time: number | null): string | null {
  if (time === null) return null
  if (!(time >= FAST_ISO_FROM && time < FAST_ISO_BEFORE && Number.isInteger(time)))
    return new Date(time).toISOString()
  const days = Math.floor(time / DAY_MS)
  let ms = time - days * DAY_MS
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  const hours = Math.floor(ms / 3_600_000)
  ms -= hours * 3_600_000
  const minutes = Math.floor(ms / 60_000)
  ms -= minutes * 60_000
  const seconds = Math.floor(ms / 1000)
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(ms - seconds * 1000)}Z`
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
 * `error` (main.ts), never a pass on partial data.
 */
export function decideResult(counts: Counts, policy: PolicySettings): Exclude<Result, 'error'> {
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
