import { SUCCESSFUL_SIGN_IN_RECORDING_START } from './constants.js'
import { DAY_MS, iso, parseSignInDate } from './dates.js'
import type { ExclusionMatcher } from './exclusions.js'
import type { DirectoryUser } from './users.js'
import type { PolicySettings } from './settings/settings.js'

export type Status = 'excluded' | 'skipped' | 'stale' | 'warn' | 'active'

/** One row of the report: exactly the contract's user columns (dates normalised to ISO or null). */
export interface UserRecord extends Omit<
  DirectoryUser,
  'externalUserStateChangeDateTime' | 'skuIds' | 'isAgent'
> {
  /** Part numbers of the assigned licences (an SKU the tenant no longer lists: its ID). */
  licenses: string[]
  /** Directory roles held (active or eligible, directly or through a group); null: not read. */
  privilegedRoles: string[] | null
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
  /**
   * user id (lower case) → directory role names it holds, read when `privileged-threshold-days`
   * is set; undefined when roles were not read.
   */
  privilegedRoles?: ReadonlyMap<string, readonly string[]>
  /** SKU ID (lower case) → part number, from subscribedSkus. */
  skuPartNumbers: ReadonlyMap<string, string>
}

/** `externalUserState` of an invitation nobody redeemed yet. */
const PENDING_ACCEPTANCE = 'pendingacceptance'

/** Whether the user's invitation is still waiting to be accepted (any userType). */
export function isPendingInvitation(user: Pick<DirectoryUser, 'externalUserState'>): boolean {
  return user.externalUserState?.toLowerCase() === PENDING_ACCEPTANCE
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
  const roles = context.privilegedRoles?.get(user.id.toLowerCase())
  const privilegedRoles = context.privilegedRoles ? [...(roles ?? [])] : null
  const licenses = user.skuIds.map(
    (skuId) => context.skuPartNumbers.get(skuId.toLowerCase()) ?? skuId
  )
  const [status, reason] = decideStatus(user, context, {
    activity,
    created,
    daysInactive,
    neverSignedIn,
    roles: privilegedRoles ?? [],
    licensed: licenses.length > 0
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
    reason,
    mail: user.mail,
    onPremisesSyncEnabled: user.onPremisesSyncEnabled,
    externalUserState: user.externalUserState,
    licenses,
    privilegedRoles
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
    roles: readonly string[]
    licensed: boolean
  }
): [Status, string] {
  const { policy } = context
  const { activity, created, daysInactive, neverSignedIn } = found
  const rule = context.exclusions.match(user)
  if (rule)
    return ['excluded', `excluded by ${rule.origin}${rule.reason ? `: ${rule.reason}` : ''}`]
  const group = context.groupExclusions.get(user.id.toLowerCase())
  if (group) return ['excluded', `excluded: member of group ${group}`]
  if (user.isAgent && !policy.includeAgents)
    return ['skipped', 'agent identity, not a person (include-agents is false)']
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
  if (policy.licensedOnly && !found.licensed)
    return ['skipped', 'holds no licence (licensed-only is true)']

  const tier = tierOf(user, policy, found.roles)
  if (tier.kind === 'invitation') return invitationStatus(user, context, created, tier)

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
  if (daysInactive === null || daysInactive >= tier.threshold)
    return ['stale', `${what} (${tier.label}stale at ${tier.threshold})`]
  if (tier.warnDays !== undefined && daysInactive >= tier.warnDays)
    return ['warn', `${what} (${tier.label}warn at ${tier.warnDays})`]
  return ['active', what]
}

/** The rule a checked user is held to: its threshold, warn tier and how the reason names it. */
interface Tier {
  kind: 'privileged' | 'invitation' | 'guest' | 'member'
  threshold: number
  /** warn-days, only when it is below this tier's threshold. */
  warnDays?: number
  /** Prefix of "stale at …" in the reason ('' for the plain threshold-days rule). */
  label: string
}

/**
 * Privileged beats a pending invitation beats guest beats member (issue 12): a role holder is
 * held to `privileged-threshold-days` whatever its type; `warn-days` applies to a tier only when
 * it is below that tier's threshold.
 */
export function tierOf(
  user: Pick<DirectoryUser, 'userType' | 'externalUserState'>,
  policy: PolicySettings,
  roles: readonly string[]
): Tier {
  const make = (kind: Tier['kind'], threshold: number, label: string): Tier => ({
    kind,
    threshold,
    warnDays:
      policy.warnDays !== undefined && policy.warnDays < threshold ? policy.warnDays : undefined,
    label
  })
  const guestThreshold = policy.guestThresholdDays ?? policy.thresholdDays
  if (policy.privilegedThresholdDays !== undefined && roles.length > 0)
    return make('privileged', policy.privilegedThresholdDays, `privileged: ${roles.join(', ')}; `)
  if (isPendingInvitation(user))
    return make('invitation', policy.invitationDays ?? guestThreshold, '')
  if ((user.userType ?? '').toLowerCase() === 'guest')
    return make('guest', guestThreshold, policy.guestThresholdDays === undefined ? '' : 'guest: ')
  return make('member', policy.thresholdDays, '')
}

/**
 * A pending invitation has never been redeemed, so no sign-in can count: its age is what
 * matters, from `externalUserStateChangeDateTime` (when it was sent), else `createdDateTime`.
 * Without either it is stale (fail closed), like a never-signed-in user without a creation date.
 * `never-signed-in: ignore` does not apply: the invitation rule is the one asked for.
 */
function invitationStatus(
  user: DirectoryUser,
  context: PolicyContext,
  created: number | null,
  tier: Tier
): [Status, string] {
  const sent = parseSignInDate(user.externalUserStateChangeDateTime) ?? created
  if (sent === null)
    return [
      'stale',
      `invitation never accepted; no invitation or creation date (stale at ${tier.threshold})`
    ]
  const days = Math.max(0, Math.floor((context.now.getTime() - sent) / DAY_MS))
  if (days >= tier.threshold)
    return [
      'stale',
      `invitation sent ${days} days ago, never accepted (stale at ${tier.threshold})`
    ]
  if (tier.warnDays !== undefined && days >= tier.warnDays)
    return ['warn', `invitation sent ${days} days ago, not accepted yet (warn at ${tier.warnDays})`]
  return ['active', `invitation sent ${days} days ago, not accepted yet`]
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
  /** Checked users by group (a user can be in several: a licensed guest admin is in three). */
  groups: Record<UserGroup, Tally>
  /** Stale checked users holding each licence, by part number. */
  staleLicenses: Record<string, number>
}

/** The counts that are plain numbers (outputs, sums over tenants). */
export type ScalarCount = Exclude<keyof Counts, 'groups' | 'staleLicenses'>
export const SCALAR_COUNTS: readonly ScalarCount[] = [
  'users',
  'checked',
  'stale',
  'warn',
  'neverSignedIn',
  'excluded',
  'skipped',
  'active',
  'newStale'
]

export interface Tally {
  checked: number
  stale: number
  warn: number
}

/** The groups the summary has a line for, in its order. */
export const USER_GROUPS = [
  'members',
  'guests',
  'pendingInvitations',
  'privileged',
  'licensed'
] as const
export type UserGroup = (typeof USER_GROUPS)[number]

/** The groups a checked record belongs to. */
export function groupsOf(record: UserRecord): UserGroup[] {
  const groups: UserGroup[] = [
    (record.userType ?? '').toLowerCase() === 'guest' ? 'guests' : 'members'
  ]
  if (isPendingInvitation(record)) groups.push('pendingInvitations')
  if ((record.privilegedRoles?.length ?? 0) > 0) groups.push('privileged')
  if (record.licenses.length > 0) groups.push('licensed')
  return groups
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
    newStale: 0,
    groups: Object.fromEntries(
      USER_GROUPS.map((group) => [group, { checked: 0, stale: 0, warn: 0 }])
    ) as Record<UserGroup, Tally>,
    staleLicenses: {}
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
  for (const group of groupsOf(record)) {
    const tally = counts.groups[group]
    tally.checked++
    if (record.status === 'stale') tally.stale++
    else if (record.status === 'warn') tally.warn++
  }
  if (record.status === 'stale') {
    for (const license of new Set(record.licenses))
      counts.staleLicenses[license] = (counts.staleLicenses[license] ?? 0) + 1
  }
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
