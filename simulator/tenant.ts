/**
 * Tenants for the simulator: a fixed list (unit and end-to-end tests that need exact users) and a
 * seeded generator for demos and the benchmark. The generator never materialises the tenant:
 * `user(i)` is a pure function of (seed, i, now), so a page of a million-user tenant costs the same
 * as a page of a ten-user one, and the same seed always gives the same users.
 */
import {
  fixtureRolesAndSkus,
  generatedRolesAndSkus,
  helpdeskAdminIndices,
  licenses,
  ROLE_PRINCIPALS,
  type FixtureRolesOptions,
  type SkuName
} from './catalog.js'
import type { GraphUser, RolesAndSkus, SignInLogEntry, Tenant } from './types.js'

const DAY = 86_400_000
/** Entra records lastSuccessfulSignInDateTime from this instant on (see DESIGN.md, Policy). */
export const SUCCESS_TRACKING_START = Date.parse('2023-12-01T00:00:00Z')
/** How far back `auditLogs/signIns` reaches (Entra keeps 30 days for P1/P2 tenants). */
export const SIGN_IN_LOG_DAYS = 30
export const NEVER_SENTINEL = '0001-01-01T00:00:00Z'

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n))

/**
 * Graph writes seconds precision and a bare `Z`. Hand-rolled (days-to-civil, H. Hinnant) because
 * it runs several times per generated user and Date#toISOString dominated page building.
 */
export function isoSeconds(ms: number): string {
  const secs = Math.floor(ms / 1000)
  const days = Math.floor(secs / 86400)
  let sod = secs - days * 86400
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  const hh = Math.floor(sod / 3600)
  sod -= hh * 3600
  const mm = Math.floor(sod / 60)
  const year = y >= 1000 ? String(y) : String(y).padStart(4, '0')
  return `${year}-${pad2(m)}-${pad2(d)}T${pad2(hh)}:${pad2(mm)}:${pad2(sod - mm * 60)}Z`
}

/** A usable date (not absent, null, "" or the 0001-01-01 sentinel), as epoch ms. */
function realDate(value: string | null | undefined): number | undefined {
  if (!value) return undefined
  const ms = Date.parse(value)
  return Number.isFinite(ms) && ms >= Date.UTC(1971, 0, 1) ? ms : undefined
}

/**
 * Sign-in log entries (newest first) consistent with a user's signInActivity, inside the log
 * window: the last successful sign-in (and one success two days before it), the last attempt when
 * it was not the success (a failure), and a failed non-interactive attempt likewise.
 */
export function signInsFromActivity(user: GraphUser, now: number): SignInLogEntry[] {
  const a = user.signInActivity
  if (!a) return []
  const windowStart = now - SIGN_IN_LOG_DAYS * DAY
  const inWindow = (ms: number | undefined): ms is number =>
    ms !== undefined && ms >= windowStart && ms <= now
  const success = realDate(a.lastSuccessfulSignInDateTime)
  const interactive = realDate(a.lastSignInDateTime)
  const nonInteractive = realDate(a.lastNonInteractiveSignInDateTime)
  const raw: Array<{ at: number; isInteractive: boolean; errorCode: number }> = []
  if (inWindow(success)) {
    // The older success is of the same kind, so the newest interactive and non-interactive
    // entries stay those signInActivity names.
    const isInteractive = success !== nonInteractive
    raw.push({ at: success, isInteractive, errorCode: 0 })
    if (inWindow(success - 2 * DAY)) {
      raw.push({ at: success - 2 * DAY, isInteractive, errorCode: 0 })
    }
  }
  if (inWindow(interactive) && interactive !== success) {
    raw.push({ at: interactive, isInteractive: true, errorCode: 50126 })
  }
  if (inWindow(nonInteractive) && nonInteractive !== success) {
    raw.push({ at: nonInteractive, isInteractive: false, errorCode: 70043 })
  }
  raw.sort((x, y) => y.at - x.at)
  return raw.map((e, k) => ({
    id: `${hex(mix(hashString(user.id) ^ k), 8)}${user.id.slice(8)}`,
    createdDateTime: isoSeconds(e.at),
    userId: user.id,
    userPrincipalName: user.userPrincipalName,
    appDisplayName: e.isInteractive ? 'Microsoft 365 portal' : 'Microsoft Teams',
    isInteractive: e.isInteractive,
    status:
      e.errorCode === 0
        ? { errorCode: 0, failureReason: null }
        : {
            errorCode: e.errorCode,
            failureReason:
              e.errorCode === 50126
                ? 'Error validating credentials due to invalid username or password.'
                : 'The refresh token has expired due to inactivity.'
          }
  }))
}

export interface FixtureTenantOptions extends FixtureRolesOptions {
  /** The run's clock for derived sign-in logs (default: now). */
  now?: Date | string | number
  /** Sign-in log entries by user id; users not listed get entries derived from signInActivity. */
  signIns?: Record<string, SignInLogEntry[]>
  /** Groups: id → transitive member user ids. */
  groups?: Record<string, string[]>
}

/** A tenant holding exactly `users`, in order. */
export function fixtureTenant(users: GraphUser[], opts: FixtureTenantOptions = {}): Tenant {
  const now = opts.now === undefined ? Date.now() : new Date(opts.now).getTime()
  const byId = new Map(users.map((u) => [u.id, u]))
  return {
    count: users.length,
    user: (i) => users[i],
    signIns(userId) {
      const given = opts.signIns?.[userId]
      if (given)
        return [...given].sort((x, y) => y.createdDateTime.localeCompare(x.createdDateTime))
      const user = byId.get(userId)
      return user ? signInsFromActivity(user, now) : []
    },
    groupMembers: (groupId) => opts.groups?.[groupId.toLowerCase()] ?? opts.groups?.[groupId],
    userById: (userId) => byId.get(userId),
    rolesAndSkus: once(() => fixtureRolesAndSkus(opts))
  }
}

function once<T>(make: () => T): () => T {
  let value: T | undefined
  return () => (value ??= make())
}

// ---------------------------------------------------------------------------------------------
// The generated tenant

/** What kind of sign-in history a generated user has. */
export type UserKind =
  | 'active'
  | 'warn'
  | 'stale'
  | 'long-inactive'
  | 'non-interactive-only'
  | 'failed-only-recent'
  | 'failed-recent-old-success'
  | 'failed-before-cutoff'
  | 'never-absent'
  | 'never-null'
  | 'never-fields-null'
  | 'never-empty-string'
  | 'never-sentinel'
  | 'never-no-created'
  | 'new-account'

/** The mix of the generated tenant (shares sum to 1), for tests, the demo and the docs. */
export const TENANT_MIX: ReadonlyArray<{ kind: UserKind; share: number; description: string }> = [
  { kind: 'active', share: 0.465, description: 'successful sign-in in the last 30 days' },
  { kind: 'warn', share: 0.08, description: 'last successful sign-in 45–89 days ago' },
  { kind: 'stale', share: 0.12, description: 'last sign-in 90–900 days ago' },
  { kind: 'long-inactive', share: 0.06, description: 'last sign-in 400–2500 days ago' },
  {
    kind: 'non-interactive-only',
    share: 0.06,
    description: 'only non-interactive sign-ins (tokens refreshed by apps), recent'
  },
  {
    kind: 'failed-only-recent',
    share: 0.03,
    description: 'recent failed attempt, lastSuccessfulSignInDateTime null (password spray)'
  },
  {
    kind: 'failed-recent-old-success',
    share: 0.03,
    description: 'recent failed attempt, last success 120–600 days ago'
  },
  {
    kind: 'failed-before-cutoff',
    share: 0.02,
    description: 'last attempt before 2023-12-01, lastSuccessfulSignInDateTime null'
  },
  { kind: 'never-absent', share: 0.02, description: 'never signed in: signInActivity absent' },
  { kind: 'never-null', share: 0.02, description: 'never signed in: signInActivity null' },
  {
    kind: 'never-fields-null',
    share: 0.02,
    description: 'never signed in: every signInActivity field null'
  },
  {
    kind: 'never-empty-string',
    share: 0.015,
    description: 'never signed in: signInActivity fields ""'
  },
  {
    kind: 'never-sentinel',
    share: 0.015,
    description: 'never signed in: signInActivity fields 0001-01-01T00:00:00Z'
  },
  {
    kind: 'never-no-created',
    share: 0.005,
    description: 'never signed in and createdDateTime null'
  },
  {
    kind: 'new-account',
    share: 0.04,
    description: 'created in the last 6 days, never signed in'
  }
]

/** Across all kinds: guests, disabled accounts and display names that need escaping. */
export const TENANT_TRAITS = {
  guestShare: 0.2,
  disabledShare: 0.05,
  trickyNameShare: 0.02,
  nullNameShare: 0.003,
  /** Members that are agent identities (`#microsoft.graph.agentUser`). */
  agentShare: 0.02,
  /** Guests that never signed in whose invitation is still `PendingAcceptance`. */
  pendingInvitationShare: 0.7,
  /** Members synced from on-premises AD (`onPremisesSyncEnabled: true`). */
  onPremisesShare: 0.4
} as const

/** Fixed group ids of every generated tenant. */
export const GROUPS = {
  /** Two emergency-access accounts (indices 0 and 1), never signed in. */
  breakGlass: '6a3f1c2e-9b7d-4e15-8c4a-b1eac0ffee01',
  /** Every 997th user from index 2, at most 1000 members. */
  serviceAccounts: '6a3f1c2e-9b7d-4e15-8c4a-b1eac0ffee02',
  /** A group with no members. */
  empty: '6a3f1c2e-9b7d-4e15-8c4a-b1eac0ffee03',
  /** A role-assignable group holding Helpdesk Administrator (see catalog.ts). */
  helpdeskAdmins: ROLE_PRINCIPALS.helpdeskAdmins.id
} as const

export const TRICKY_NAMES = [
  '<b>Bold</b> Admin',
  'Pipe | Tester',
  "=cmd|' /C calc'!A0",
  '+SUM(1,2)',
  '-2+3',
  '@mention Someone',
  '**Markdown** _user_',
  '[link](https://example.invalid)',
  '<script>alert(1)</script>',
  'Quote "Double" \'Single\'',
  'Tab\tCarriage\rReturn',
  'Ünïcödé Ñame 名前 🙂'
]

const FIRST = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Margaret',
  'Dennis',
  'Barbara',
  'Ken',
  'Frances',
  'Edsger',
  'Radia',
  'Tim',
  'Hedy',
  'John',
  'Katherine',
  'Donald',
  'Sophie',
  'Niklaus',
  'Jean',
  'Bjarne',
  'Anita',
  'Guido',
  'Mary',
  'James',
  'Joan',
  'Leslie',
  'Shafi',
  'Whitfield',
  'Adele',
  'Vint'
]
const LAST = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Ritchie',
  'Liskov',
  'Thompson',
  'Allen',
  'Dijkstra',
  'Perlman',
  'Lee',
  'Lamarr',
  'Backus',
  'Johnson',
  'Knuth',
  'Wilson',
  'Wirth',
  'Sammet',
  'Stroustrup',
  'Borg',
  'Rossum',
  'Keller',
  'Gosling',
  'Clarke',
  'Lamport',
  'Goldwasser',
  'Diffie',
  'Goldberg',
  'Cerf'
]
const GUEST_DOMAINS = ['fabrikam.com', 'gmail.com', 'northwind.example', 'adatum.org']

/** 32-bit integer mixing (murmur3 finaliser): cheap, well spread, deterministic. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}

function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193)
  return h >>> 0
}

const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

/** The low `width` (≤ 8) hex digits of n; a table because Number#toString(16) is slow in V8. */
function hex(n: number, width: number): string {
  const h =
    BYTE_HEX[(n >>> 24) & 255] +
    BYTE_HEX[(n >>> 16) & 255] +
    BYTE_HEX[(n >>> 8) & 255] +
    BYTE_HEX[n & 255]
  return width === 8 ? h : h.slice(8 - width)
}

export interface GenerateTenantOptions {
  count: number
  seed?: number | string
  /** The instant the tenant is "seen" at; every date is relative to it (default: now). */
  now?: Date | string | number
  /** The tenant's default domain, used in UPNs (default contoso.onmicrosoft.com). */
  domain?: string
}

export interface GeneratedTenant extends Tenant {
  readonly seed: number
  readonly now: number
  readonly domain: string
  kindOf(index: number): UserKind
  /** The index of a generated user id, undefined when it is not one of this tenant's ids. */
  indexOf(userId: string): number | undefined
  userById(userId: string): GraphUser | undefined
  rolesAndSkus(): RolesAndSkus
}

const CUMULATIVE = (() => {
  let sum = 0
  return TENANT_MIX.map((m) => ({ kind: m.kind, upTo: (sum += m.share) }))
})()

/** A deterministic, lazily generated tenant of `count` users (see TENANT_MIX). */
export function generateTenant(opts: GenerateTenantOptions): GeneratedTenant {
  const count = opts.count
  const seed = typeof opts.seed === 'string' ? hashString(opts.seed) : (opts.seed ?? 1) >>> 0
  const now = opts.now === undefined ? Date.now() : new Date(opts.now).getTime()
  const domain = opts.domain ?? 'contoso.onmicrosoft.com'
  const seedMix = mix(seed ^ 0x9e3779b9)

  /** Uniform [0,1) for user i, draw k. */
  const rand = (i: number, k: number): number =>
    mix(seedMix ^ mix(i + Math.imul(k, 0x9e3779b1))) / 4294967296
  const between = (i: number, k: number, lo: number, hi: number): number =>
    lo + (hi - lo) * rand(i, k)
  const daysAgo = (i: number, k: number, lo: number, hi: number): number =>
    now - between(i, k, lo, hi) * DAY

  const breakGlass = (i: number): boolean => i < 2 && i < count
  const isGuest = (i: number): boolean => !breakGlass(i) && rand(i, 1) < TENANT_TRAITS.guestShare
  const isAgent = (i: number): boolean =>
    !breakGlass(i) && !isGuest(i) && rand(i, 10) < TENANT_TRAITS.agentShare

  function kindOf(i: number): UserKind {
    if (breakGlass(i)) return 'never-fields-null'
    const r = rand(i, 0)
    for (const c of CUMULATIVE) if (r < c.upTo) return c.kind
    return 'active'
  }

  function idOf(i: number): string {
    const a = mix(seedMix ^ i ^ 0x1234567)
    const b = mix(a ^ 0x2468ace)
    return (
      `${hex(a, 8)}-${hex(b, 4)}-4${hex(b >>> 16, 3)}-${hex(8 | (mix(b) & 3), 1)}` +
      `${hex(mix(b), 3)}-${hex(mix(a ^ b), 4)}${hex(i, 8)}`
    )
  }

  function indexOf(userId: string): number | undefined {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(userId)) return
    const i = parseInt(userId.slice(28), 16)
    return i < count && idOf(i) === userId.toLowerCase() ? i : undefined
  }

  function user(i: number): GraphUser {
    if (!(i >= 0 && i < count)) throw new RangeError(`user index ${i} out of range 0..${count - 1}`)
    const kind = kindOf(i)
    const first = FIRST[mix(seedMix ^ i ^ 0x51) % FIRST.length]
    const last = LAST[mix(seedMix ^ i ^ 0x52) % LAST.length]
    const guest = isGuest(i)
    const disabled = !breakGlass(i) && rand(i, 2) < TENANT_TRAITS.disabledShare
    const local = `${first}.${last}${i}`.toLowerCase()
    const upn = breakGlass(i)
      ? `breakglass${i + 1}@${domain}`
      : guest
        ? `${local}_${GUEST_DOMAINS[i % GUEST_DOMAINS.length]}#EXT#@${domain}`
        : `${local}@${domain}`
    const nameRoll = rand(i, 3)
    const displayName = breakGlass(i)
      ? `Break Glass ${i + 1}`
      : nameRoll < TENANT_TRAITS.nullNameShare
        ? null
        : nameRoll < TENANT_TRAITS.nullNameShare + TENANT_TRAITS.trickyNameShare
          ? TRICKY_NAMES[i % TRICKY_NAMES.length]
          : `${first} ${last}`

    let lastSignIn: number | undefined
    let lastNonInteractive: number | undefined
    let lastSuccess: number | undefined
    let created: number | null
    let never: 'absent' | 'null' | 'fields-null' | 'empty' | 'sentinel' | undefined
    switch (kind) {
      case 'active':
        lastSignIn = daysAgo(i, 4, 0, 30)
        if (rand(i, 5) < 0.5) lastNonInteractive = daysAgo(i, 6, 0, 5)
        lastSuccess = Math.max(lastSignIn, lastNonInteractive ?? 0)
        break
      case 'warn':
        lastSignIn = lastSuccess = daysAgo(i, 4, 45, 89.5)
        break
      case 'stale':
        lastSignIn = daysAgo(i, 4, 90.5, 900)
        break
      case 'long-inactive':
        lastSignIn = daysAgo(i, 4, 400, 2500)
        break
      case 'non-interactive-only':
        lastNonInteractive = lastSuccess = daysAgo(i, 4, 0, 20)
        break
      case 'failed-only-recent':
        lastSignIn = daysAgo(i, 4, 0, 10)
        break
      case 'failed-recent-old-success':
        lastSignIn = daysAgo(i, 4, 0, 10)
        lastSuccess = daysAgo(i, 5, 120, 600)
        break
      case 'failed-before-cutoff':
        lastSignIn = SUCCESS_TRACKING_START - between(i, 4, 1, 180) * DAY
        break
      case 'never-absent':
        never = 'absent'
        break
      case 'never-null':
        never = 'null'
        break
      case 'never-fields-null':
      case 'never-no-created':
        never = 'fields-null'
        break
      case 'never-empty-string':
        never = 'empty'
        break
      case 'never-sentinel':
        never = 'sentinel'
        break
      case 'new-account':
        never = (['absent', 'null', 'fields-null', 'sentinel'] as const)[i % 4]
        break
    }
    // Entra has no successful-sign-in record before it started tracking them.
    if (kind === 'stale' || kind === 'long-inactive') {
      lastSuccess = lastSignIn! >= SUCCESS_TRACKING_START ? lastSignIn : undefined
    }
    const earliest = Math.min(lastSignIn ?? now, lastNonInteractive ?? now, lastSuccess ?? now)
    if (kind === 'new-account') created = daysAgo(i, 7, 0.05, 6)
    else if (kind === 'never-no-created') created = null
    else if (never) created = daysAgo(i, 7, 100, 2000)
    else created = earliest - between(i, 7, 1, 1500) * DAY

    const u: GraphUser = {
      id: idOf(i),
      userPrincipalName: upn,
      displayName,
      userType: guest ? 'Guest' : 'Member',
      accountEnabled: !disabled,
      createdDateTime: created === null ? null : isoSeconds(created),
      ...identityTraits(i, kind, guest, local, created)
    }
    if (never === 'absent') return u
    if (never === 'null') {
      u.signInActivity = null
      return u
    }
    const value = (ms: number | undefined): string | null =>
      never === 'empty'
        ? ''
        : never === 'sentinel'
          ? NEVER_SENTINEL
          : ms === undefined
            ? null
            : isoSeconds(ms)
    const requestId = (ms: number | undefined, k: number): string | null =>
      ms === undefined ? null : `${hex(mix(seedMix ^ i ^ k), 8)}-0000-4000-8000-${hex(i, 8)}0000`
    u.signInActivity = {
      lastSignInDateTime: value(lastSignIn),
      lastSignInRequestId: requestId(lastSignIn, 0x61),
      lastNonInteractiveSignInDateTime: value(lastNonInteractive),
      lastNonInteractiveSignInRequestId: requestId(lastNonInteractive, 0x62),
      lastSuccessfulSignInDateTime: value(lastSuccess),
      lastSuccessfulSignInRequestId: requestId(lastSuccess, 0x63)
    }
    return u
  }

  /**
   * Draws 10–16 (after every draw above, so adding them changed no earlier user): agent
   * identities, mail, on-premises sync, the invitation state of guests, licences.
   */
  function identityTraits(
    i: number,
    kind: UserKind,
    guest: boolean,
    local: string,
    created: number | null
  ): Partial<GraphUser> {
    if (breakGlass(i)) {
      return {
        mail: null,
        onPremisesSyncEnabled: null,
        externalUserState: null,
        assignedLicenses: []
      }
    }
    const traits: Partial<GraphUser> = {}
    if (isAgent(i)) traits['@odata.type'] = '#microsoft.graph.agentUser'
    traits.mail =
      rand(i, 13) < 0.05
        ? null
        : guest
          ? `${local}@${GUEST_DOMAINS[i % GUEST_DOMAINS.length]}`
          : `${local}@${domain.replace(/\.onmicrosoft\.com$/i, '.com')}`
    const sync = rand(i, 14)
    traits.onPremisesSyncEnabled =
      guest || isAgent(i)
        ? null
        : sync < TENANT_TRAITS.onPremisesShare
          ? true
          : sync < 0.45
            ? false
            : null
    if (guest) {
      const neverSignedIn = kind.startsWith('never') || kind === 'new-account'
      const state = rand(i, 15)
      const invited = created ?? daysAgo(i, 16, 100, 400)
      if (neverSignedIn && state < TENANT_TRAITS.pendingInvitationShare) {
        traits.externalUserState = 'PendingAcceptance'
        // A few invitations carry no change date: the policy then counts from createdDateTime.
        traits.externalUserStateChangeDateTime =
          rand(i, 16) < 0.1 ? null : isoSeconds(invited + 60_000)
      } else if (state < 0.95) {
        traits.externalUserState = 'Accepted'
        traits.externalUserStateChangeDateTime = isoSeconds(invited + between(i, 16, 0.01, 3) * DAY)
      } else {
        // Invited before Entra recorded invitation states.
        traits.externalUserState = null
        traits.externalUserStateChangeDateTime = null
      }
    } else {
      traits.externalUserState = null
      traits.externalUserStateChangeDateTime = null
    }
    const skus: SkuName[] = []
    const plan = rand(i, 11)
    if (guest) {
      if (plan < 0.05) skus.push('POWER_BI_PRO')
    } else if (isAgent(i)) {
      if (plan < 0.5) skus.push('ENTERPRISEPACK')
    } else {
      if (plan < 0.55) skus.push('SPE_E3')
      else if (plan < 0.7) skus.push('SPE_E5')
      else if (plan < 0.85) skus.push('ENTERPRISEPACK')
      const extra = rand(i, 12)
      if (skus.length > 0 && extra < 0.25) skus.push('POWER_BI_PRO')
      if (extra > 0.9) skus.push('EMS')
    }
    traits.assignedLicenses = licenses(...skus)
    return traits
  }

  function groupMembers(groupId: string): string[] | undefined {
    switch (groupId.toLowerCase()) {
      case GROUPS.helpdeskAdmins:
        return helpdeskAdminIndices(count, isAgent).map(idOf)
      case GROUPS.breakGlass:
        return [0, 1].filter((i) => i < count).map(idOf)
      case GROUPS.serviceAccounts: {
        const ids: string[] = []
        for (let i = 2; i < count && ids.length < 1000; i += 997) ids.push(idOf(i))
        return ids
      }
      case GROUPS.empty:
        return []
      default:
        return undefined
    }
  }

  return {
    count,
    seed,
    now,
    domain,
    user,
    kindOf,
    indexOf,
    signIns(userId) {
      const i = indexOf(userId)
      return i === undefined ? [] : signInsFromActivity(user(i), now)
    },
    groupMembers,
    userById(userId) {
      const i = indexOf(userId)
      return i === undefined ? undefined : user(i)
    },
    rolesAndSkus: once((): RolesAndSkus => generatedRolesAndSkus(count, idOf, isAgent))
  }
}
