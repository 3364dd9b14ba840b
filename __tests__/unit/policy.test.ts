import { iso, parseGraphDate, parseSignInDate } from '../../src/dates.js'
import {
  compareWorstFirst,
  count,
  decideResult,
  emptyCounts,
  evaluateUser,
  lastActivity,
  type Counts,
  type PolicyContext,
  type Status,
  type UserRecord
} from '../../src/policy.js'
import { compileExclusions, parseExclusions } from '../../src/exclusions.js'
import type { DirectoryUser } from '../../src/users.js'
import type { PolicySettings } from '../../src/settings/settings.js'
import { testPolicy } from '../../__fixtures__/settings.js'

const DAY = 86_400_000
const NOW = new Date('2025-06-15T12:00:00.000Z')
const CAP = '2023-12-01T00:00:00.000Z'
const SENTINEL = '0001-01-01T00:00:00Z'

/** The instant `days` whole days (plus `extraMs`) before NOW, as Graph writes it. */
const ago = (days: number, extraMs = 0) =>
  new Date(NOW.getTime() - days * DAY - extraMs).toISOString()
const daysSince = (iso: string) => Math.floor((NOW.getTime() - Date.parse(iso)) / DAY)

function context(
  policy: Partial<PolicySettings> = {},
  extra: Partial<PolicyContext> = {}
): PolicyContext {
  return {
    policy: testPolicy(policy),
    now: NOW,
    exclusions: compileExclusions([]),
    groupExclusions: new Map(),
    source: { capFallback: true, neverMeans: 'never signed in' },
    skuPartNumbers: new Map(),
    ...extra
  }
}

const LOGS_SOURCE = {
  capFallback: false,
  neverMeans: 'no sign-in within the 30-day log window'
}

function user(overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    id: 'aaaaaaaa-0000-0000-0000-000000000001',
    userPrincipalName: 'jane@contoso.com',
    displayName: 'Jane Doe',
    userType: 'Member',
    accountEnabled: true,
    createdDateTime: '2020-01-01T00:00:00Z',
    lastSignInDateTime: null,
    lastNonInteractiveSignInDateTime: null,
    lastSuccessfulSignInDateTime: null,
    mail: null,
    onPremisesSyncEnabled: null,
    externalUserState: null,
    externalUserStateChangeDateTime: null,
    skuIds: [],
    isAgent: false,
    ...overrides
  }
}

function record(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: 'id',
    userPrincipalName: 'x@contoso.com',
    displayName: 'X',
    userType: 'Member',
    accountEnabled: true,
    createdDateTime: null,
    lastSignInDateTime: null,
    lastNonInteractiveSignInDateTime: null,
    lastSuccessfulSignInDateTime: null,
    lastActivityDateTime: null,
    daysInactive: 10,
    neverSignedIn: false,
    status: 'active',
    reason: '',
    mail: null,
    onPremisesSyncEnabled: null,
    externalUserState: null,
    licenses: [],
    privilegedRoles: null,
    ...overrides
  }
}

describe('parseSignInDate', () => {
  test.each<[string, string | null | undefined]>([
    ['undefined (absent)', undefined],
    ['null', null],
    ['empty string', ''],
    ['the 0001-01-01 sentinel', SENTINEL],
    ['the 0001-01-01 sentinel with fraction', '0001-01-01T00:00:00.000Z'],
    ['a date in 1970', '1970-06-01T00:00:00Z'],
    ['the last second of 1970', '1970-12-31T23:59:59Z'],
    ['the Unix epoch', '1970-01-01T00:00:00Z'],
    ['unparsable text', 'not a date']
  ])('%s means never', (_, value) => {
    expect(parseSignInDate(value)).toBeNull()
  })

  test.each([
    ['1971-01-01T00:00:00Z', Date.UTC(1971, 0, 1)],
    ['2024-02-29T13:45:10Z', Date.UTC(2024, 1, 29, 13, 45, 10)],
    ['2025-06-01T08:00:00.123Z', Date.UTC(2025, 5, 1, 8, 0, 0, 123)],
    ['2025-06-01T10:00:00+02:00', Date.UTC(2025, 5, 1, 8, 0, 0)]
  ])('%s is a real instant', (value, expected) => {
    expect(parseSignInDate(value)).toBe(expected)
  })
})

describe('lastActivity', () => {
  const t = (iso: string) => Date.parse(iso)
  const cap = t(CAP)
  test.each<
    [
      string,
      PolicySettings['activity'],
      string | null,
      string | null,
      string | null,
      boolean,
      string | null
    ]
  >([
    // name, activity, interactive, nonInteractive, successful, capFallback, expected
    [
      'successful: the success wins over newer attempts',
      'successful',
      '2025-05-01T00:00:00Z',
      '2025-05-02T00:00:00Z',
      '2025-01-01T00:00:00Z',
      true,
      '2025-01-01T00:00:00Z'
    ],
    [
      'successful: failed attempts in 2025 are capped at 2023-12-01',
      'successful',
      '2025-03-01T00:00:00Z',
      null,
      null,
      true,
      CAP
    ],
    [
      'successful: non-interactive attempts after the cap are capped too',
      'successful',
      null,
      '2025-04-01T00:00:00Z',
      null,
      true,
      CAP
    ],
    [
      'successful: attempts before the cap count as they are (newest of both)',
      'successful',
      '2023-06-01T00:00:00Z',
      '2023-09-01T00:00:00Z',
      null,
      true,
      '2023-09-01T00:00:00Z'
    ],
    [
      'successful: the interactive one when it is the newer, before the cap',
      'successful',
      '2023-11-30T00:00:00Z',
      '2023-02-01T00:00:00Z',
      null,
      true,
      '2023-11-30T00:00:00Z'
    ],
    [
      'successful: one attempt before and one after the cap gives the cap',
      'successful',
      '2023-06-01T00:00:00Z',
      '2024-03-01T00:00:00Z',
      null,
      true,
      CAP
    ],
    ['successful: nothing at all', 'successful', null, null, null, true, null],
    [
      'successful without the fallback (sign-in logs): attempts are not activity',
      'successful',
      '2025-06-10T00:00:00Z',
      '2025-06-11T00:00:00Z',
      null,
      false,
      null
    ],
    [
      'successful without the fallback: a success still counts',
      'successful',
      null,
      null,
      '2025-06-01T00:00:00Z',
      false,
      '2025-06-01T00:00:00Z'
    ],
    [
      'any: the newest of the three (non-interactive)',
      'any',
      '2025-01-01T00:00:00Z',
      '2025-03-01T00:00:00Z',
      '2025-02-01T00:00:00Z',
      true,
      '2025-03-01T00:00:00Z'
    ],
    [
      'any: the newest of the three (successful)',
      'any',
      '2025-01-01T00:00:00Z',
      null,
      '2025-02-01T00:00:00Z',
      true,
      '2025-02-01T00:00:00Z'
    ],
    ['any: not capped', 'any', '2025-05-05T00:00:00Z', null, null, true, '2025-05-05T00:00:00Z'],
    ['any: nothing', 'any', null, null, null, true, null],
    [
      'interactive: only lastSignInDateTime',
      'interactive',
      '2024-01-01T00:00:00Z',
      '2025-05-01T00:00:00Z',
      '2025-05-01T00:00:00Z',
      true,
      '2024-01-01T00:00:00Z'
    ],
    [
      'interactive: newer non-interactive sign-ins do not count',
      'interactive',
      null,
      '2025-05-01T00:00:00Z',
      '2025-05-01T00:00:00Z',
      true,
      null
    ]
  ])('%s', (_, activity, interactive, nonInteractive, successful, capFallback, expected) => {
    const n = (value: string | null) => (value === null ? null : t(value))
    expect(
      lastActivity(activity, n(interactive), n(nonInteractive), n(successful), capFallback)
    ).toBe(n(expected))
  })

  test('the cap is 2023-12-01T00:00:00Z exactly', () => {
    expect(lastActivity('successful', t('2023-12-01T00:00:01Z'), null, null, true)).toBe(cap)
    expect(lastActivity('successful', t('2023-11-30T23:59:59Z'), null, null, true)).toBe(
      t('2023-11-30T23:59:59Z')
    )
  })
})

describe('evaluateUser: never signed in', () => {
  const forms: [string, Partial<DirectoryUser>][] = [
    ['every field null (signInActivity absent)', {}],
    [
      'every field ""',
      {
        lastSignInDateTime: '',
        lastNonInteractiveSignInDateTime: '',
        lastSuccessfulSignInDateTime: ''
      }
    ],
    [
      'every field the 0001-01-01 sentinel',
      {
        lastSignInDateTime: SENTINEL,
        lastNonInteractiveSignInDateTime: SENTINEL,
        lastSuccessfulSignInDateTime: SENTINEL
      }
    ],
    [
      'dates before 1971',
      {
        lastSignInDateTime: '1970-12-31T23:59:59Z',
        lastNonInteractiveSignInDateTime: '1601-01-01T00:00:00Z',
        lastSuccessfulSignInDateTime: '1900-01-01T00:00:00Z'
      }
    ],
    [
      'a mix of null, "" and the sentinel',
      {
        lastSignInDateTime: null,
        lastNonInteractiveSignInDateTime: '',
        lastSuccessfulSignInDateTime: SENTINEL
      }
    ]
  ]

  test.each(forms)('%s → neverSignedIn, sentinels reported as null, stale', (_, fields) => {
    const result = evaluateUser(user(fields), context())
    expect(result.neverSignedIn).toBe(true)
    expect(result.lastSignInDateTime).toBeNull()
    expect(result.lastNonInteractiveSignInDateTime).toBeNull()
    expect(result.lastSuccessfulSignInDateTime).toBeNull()
    expect(result.lastActivityDateTime).toBeNull()
    // Inactivity runs from the creation date (2020-01-01).
    expect(result.daysInactive).toBe(daysSince('2020-01-01T00:00:00Z'))
    expect(result.status).toBe('stale')
    expect(result.reason).toMatch(/never signed in/)
  })

  test.each(forms)('%s with activity any and interactive is never signed in too', (_, fields) => {
    for (const activity of ['any', 'interactive'] as const) {
      const result = evaluateUser(user(fields), context({ activity }))
      expect(result.neverSignedIn).toBe(true)
      expect(result.status).toBe('stale')
    }
  })

  test('a sentinel createdDateTime is null in the report too', () => {
    const result = evaluateUser(user({ createdDateTime: SENTINEL }), context())
    expect(result.createdDateTime).toBeNull()
    expect(result.daysInactive).toBeNull()
  })

  test('without createdDateTime: daysInactive null and stale', () => {
    const result = evaluateUser(user({ createdDateTime: null }), context())
    expect(result.daysInactive).toBeNull()
    expect(result.neverSignedIn).toBe(true)
    expect(result.status).toBe('stale')
    expect(result.reason).toMatch(/never signed in/)
    expect(result.reason).toMatch(/no creation date/)
  })

  test('a recently created never-signed-in account gets its grace', () => {
    const result = evaluateUser(user({ createdDateTime: ago(5) }), context())
    expect(result.neverSignedIn).toBe(true)
    expect(result.daysInactive).toBe(5)
    expect(result.status).toBe('active')
    expect(result.reason).toMatch(/created 5 days ago/)
  })

  test.each<[string, Partial<DirectoryUser>]>([
    ['with createdDateTime', {}],
    ['without createdDateTime', { createdDateTime: null }]
  ])('never-signed-in: ignore makes the user active (%s)', (_, fields) => {
    const result = evaluateUser(user(fields), context({ neverSignedIn: 'ignore' }))
    expect(result.status).toBe('active')
    expect(result.neverSignedIn).toBe(true)
    expect(result.reason).toMatch(/never signed in/)
    expect(result.reason).toMatch(/ignore/)
  })

  test('never-signed-in: ignore does not spare a user who did sign in long ago', () => {
    const result = evaluateUser(
      user({ lastSuccessfulSignInDateTime: ago(400) }),
      context({ neverSignedIn: 'ignore' })
    )
    expect(result.neverSignedIn).toBe(false)
    expect(result.status).toBe('stale')
  })
})

describe('evaluateUser: activity', () => {
  test('successful: the success is the activity even when attempts are newer', () => {
    const result = evaluateUser(
      user({
        lastSuccessfulSignInDateTime: ago(100),
        lastSignInDateTime: ago(1),
        lastNonInteractiveSignInDateTime: ago(2)
      }),
      context()
    )
    expect(result.lastActivityDateTime).toBe(ago(100))
    expect(result.daysInactive).toBe(100)
    expect(result.status).toBe('stale')
    expect(result.reason).toMatch(/successful sign-in 100 days ago/)
  })

  test('successful: failed 2025 attempts (password spray) do not make the account look alive', () => {
    const result = evaluateUser(
      user({ lastSignInDateTime: ago(1), lastNonInteractiveSignInDateTime: ago(3) }),
      context()
    )
    expect(result.neverSignedIn).toBe(false)
    expect(result.lastActivityDateTime).toBe(CAP)
    expect(result.daysInactive).toBe(daysSince(CAP))
    expect(result.status).toBe('stale')
    // The raw attempts are still reported as Graph gave them.
    expect(result.lastSignInDateTime).toBe(ago(1))
    expect(result.lastNonInteractiveSignInDateTime).toBe(ago(3))
  })

  test('successful: an attempt before the cap counts as it is', () => {
    const result = evaluateUser(user({ lastSignInDateTime: '2023-10-01T00:00:00Z' }), context())
    expect(result.lastActivityDateTime).toBe('2023-10-01T00:00:00.000Z')
    expect(result.daysInactive).toBe(daysSince('2023-10-01T00:00:00Z'))
  })

  test('any: a recent non-interactive sign-in keeps the user active', () => {
    const result = evaluateUser(
      user({ lastSuccessfulSignInDateTime: ago(300), lastNonInteractiveSignInDateTime: ago(2) }),
      context({ activity: 'any' })
    )
    expect(result.lastActivityDateTime).toBe(ago(2))
    expect(result.daysInactive).toBe(2)
    expect(result.status).toBe('active')
    expect(result.reason).toMatch(/last sign-in 2 days ago/)
  })

  test('interactive: only lastSignInDateTime counts', () => {
    const result = evaluateUser(
      user({
        lastSignInDateTime: ago(120),
        lastNonInteractiveSignInDateTime: ago(1),
        lastSuccessfulSignInDateTime: ago(1)
      }),
      context({ activity: 'interactive' })
    )
    expect(result.lastActivityDateTime).toBe(ago(120))
    expect(result.daysInactive).toBe(120)
    expect(result.status).toBe('stale')
    expect(result.reason).toMatch(/interactive sign-in 120 days ago/)
  })

  test('interactive: a user with only non-interactive sign-ins is inactive since creation', () => {
    const result = evaluateUser(
      user({ lastNonInteractiveSignInDateTime: ago(1), createdDateTime: ago(200) }),
      context({ activity: 'interactive' })
    )
    expect(result.neverSignedIn).toBe(false)
    expect(result.lastActivityDateTime).toBeNull()
    expect(result.daysInactive).toBe(200)
    expect(result.status).toBe('stale')
    expect(result.reason).toMatch(/no interactive sign-in/)
  })
})

describe('evaluateUser: creation grace and whole days', () => {
  test.each<[string, string | null, string, number]>([
    ['created after the last success: from creation', ago(400), ago(10), 10],
    ['created before the last success: from the success', ago(5), ago(100), 5],
    ['no sign-in, created 30 days ago', null, ago(30), 30]
  ])('%s', (_, success, created, days) => {
    const result = evaluateUser(
      user({ lastSuccessfulSignInDateTime: success, createdDateTime: created }),
      context()
    )
    expect(result.daysInactive).toBe(days)
    expect(result.status).toBe('active')
  })

  test('a re-created account reports inactivity from creation, and says so', () => {
    const result = evaluateUser(
      user({ lastSuccessfulSignInDateTime: ago(400), createdDateTime: ago(95) }),
      context()
    )
    expect(result.daysInactive).toBe(95)
    expect(result.status).toBe('stale')
    expect(result.reason).toMatch(/since creation 95 days ago/)
    expect(result.lastActivityDateTime).toBe(ago(400))
  })

  test.each<[string, number, number, Status]>([
    // name, whole days, extra ms, expected status at threshold 90 (no warn tier)
    ['exactly 90 days: stale', 90, 0, 'stale'],
    ['90 days and a bit: stale', 90, 3_600_000, 'stale'],
    ['one millisecond short of 90 days: 89, active', 89, DAY - 1, 'active'],
    ['89 days: active', 89, 0, 'active'],
    ['91 days: stale', 91, 0, 'stale'],
    ['0 days: active', 0, 0, 'active']
  ])('%s', (_, days, extraMs, status) => {
    const result = evaluateUser(
      user({ lastSuccessfulSignInDateTime: ago(days, extraMs), createdDateTime: ago(1000) }),
      context()
    )
    expect(result.daysInactive).toBe(days)
    expect(result.status).toBe(status)
  })

  test.each([7, 30, 90, 365])(
    'threshold %i: the threshold is stale, one day less is not',
    (threshold) => {
      const at = (days: number) =>
        evaluateUser(
          user({ lastSuccessfulSignInDateTime: ago(days), createdDateTime: ago(5000) }),
          context({ thresholdDays: threshold })
        )
      expect(at(threshold).status).toBe('stale')
      expect(at(threshold).reason).toContain(`(stale at ${threshold})`)
      expect(at(threshold - 1).status).toBe('active')
    }
  )

  test('a sign-in in the future (clock skew) is 0 days, not negative', () => {
    const result = evaluateUser(user({ lastSuccessfulSignInDateTime: ago(-2) }), context())
    expect(result.daysInactive).toBe(0)
    expect(result.status).toBe('active')
  })

  test('the same user evaluated at a later clock is more days inactive', () => {
    const input = user({ lastSuccessfulSignInDateTime: ago(10) })
    const later = new Date(NOW.getTime() + 100 * DAY)
    expect(evaluateUser(input, context()).daysInactive).toBe(10)
    expect(evaluateUser(input, context({}, { now: later })).daysInactive).toBe(110)
  })

  test('report dates are ISO 8601 UTC', () => {
    const result = evaluateUser(
      user({
        lastSignInDateTime: '2025-06-01T10:00:00+02:00',
        lastSuccessfulSignInDateTime: '2025-06-01T08:00:00Z',
        createdDateTime: '2020-01-01T00:00:00Z'
      }),
      context()
    )
    expect(result.lastSignInDateTime).toBe('2025-06-01T08:00:00.000Z')
    expect(result.lastSuccessfulSignInDateTime).toBe('2025-06-01T08:00:00.000Z')
    expect(result.createdDateTime).toBe('2020-01-01T00:00:00.000Z')
  })
})

describe('evaluateUser: warn tier', () => {
  test.each<[number, Status]>([
    [29, 'active'],
    [30, 'warn'],
    [60, 'warn'],
    [89, 'warn'],
    [90, 'stale'],
    [200, 'stale']
  ])('%i days inactive with warn-days 30, threshold 90 → %s', (days, status) => {
    const result = evaluateUser(
      user({ lastSuccessfulSignInDateTime: ago(days), createdDateTime: ago(1000) }),
      context({ warnDays: 30 })
    )
    expect(result.status).toBe(status)
    expect(result.reason).toContain(`${days} days ago`)
    if (status === 'warn') expect(result.reason).toContain('(warn at 30)')
    if (status === 'stale') expect(result.reason).toContain('(stale at 90)')
  })

  test('without warn-days nothing is warn', () => {
    const result = evaluateUser(
      user({ lastSuccessfulSignInDateTime: ago(89), createdDateTime: ago(1000) }),
      context()
    )
    expect(result.status).toBe('active')
  })

  test('a never-signed-in user created inside the warn window is warn', () => {
    const result = evaluateUser(user({ createdDateTime: ago(45) }), context({ warnDays: 30 }))
    expect(result.status).toBe('warn')
    expect(result.neverSignedIn).toBe(true)
  })
})

describe('evaluateUser: exclusions, skips and precedence', () => {
  const rules = parseExclusions(
    ['jane@contoso.com # break-glass account', 'BBBBBBBB-0000-0000-0000-000000000002'].join('\n'),
    'exclude'
  )

  test('an excluded UPN is excluded with the rule origin and reason', () => {
    const result = evaluateUser(user(), context({}, { exclusions: compileExclusions(rules) }))
    expect(result.status).toBe('excluded')
    expect(result.reason).toContain('exclude line 1')
    expect(result.reason).toContain('break-glass account')
  })

  test('an excluded object ID is excluded', () => {
    const result = evaluateUser(
      user({ id: 'bbbbbbbb-0000-0000-0000-000000000002', userPrincipalName: 'other@contoso.com' }),
      context({}, { exclusions: compileExclusions(rules) })
    )
    expect(result.status).toBe('excluded')
    expect(result.reason).toContain('exclude line 2')
  })

  test('an excluded user keeps its data in the report', () => {
    const result = evaluateUser(
      user({ lastSuccessfulSignInDateTime: ago(500) }),
      context({}, { exclusions: compileExclusions(rules) })
    )
    expect(result.daysInactive).toBe(500)
    expect(result.lastActivityDateTime).toBe(ago(500))
  })

  test('a member of an excluded group is excluded, naming the group (id in any case)', () => {
    const groupId = 'cccccccc-0000-0000-0000-000000000003'
    const result = evaluateUser(
      user({ id: 'AAAAAAAA-0000-0000-0000-000000000001' }),
      context({}, { groupExclusions: new Map([['aaaaaaaa-0000-0000-0000-000000000001', groupId]]) })
    )
    expect(result.status).toBe('excluded')
    expect(result.reason).toContain(groupId)
  })

  test('excluded beats skipped (disabled guest outside user-types)', () => {
    const result = evaluateUser(
      user({ accountEnabled: false, userType: 'Guest' }),
      context({ userTypes: ['member'] }, { exclusions: compileExclusions(rules) })
    )
    expect(result.status).toBe('excluded')
  })

  test('skipped beats stale: a disabled, long-inactive account', () => {
    const result = evaluateUser(
      user({ accountEnabled: false, lastSuccessfulSignInDateTime: ago(500) }),
      context()
    )
    expect(result.status).toBe('skipped')
    expect(result.reason).toMatch(/disabled/)
    expect(result.reason).toMatch(/include-disabled/)
  })

  test('include-disabled checks disabled accounts', () => {
    const result = evaluateUser(
      user({ accountEnabled: false, lastSuccessfulSignInDateTime: ago(500) }),
      context({ includeDisabled: true })
    )
    expect(result.status).toBe('stale')
  })

  test('accountEnabled null is not "disabled"', () => {
    const result = evaluateUser(
      user({ accountEnabled: null, lastSuccessfulSignInDateTime: ago(500) }),
      context()
    )
    expect(result.status).toBe('stale')
  })

  test.each<[string, string | null, PolicySettings['userTypes'], 'skipped' | 'checked']>([
    ['Member, member only', 'Member', ['member'], 'checked'],
    ['Guest, member only', 'Guest', ['member'], 'skipped'],
    ['Guest, guest only', 'Guest', ['guest'], 'checked'],
    ['Member, guest only', 'Member', ['guest'], 'skipped'],
    ['null (old account), member only', null, ['member'], 'checked'],
    ['null (old account), guest only', null, ['guest'], 'skipped'],
    ['lower-case guest, both', 'guest', ['member', 'guest'], 'checked'],
    ['GUEST, guest only', 'GUEST', ['guest'], 'checked']
  ])('userType %s → %s', (_, userType, userTypes, expected) => {
    const result = evaluateUser(
      user({ userType, lastSuccessfulSignInDateTime: ago(500) }),
      context({ userTypes })
    )
    if (expected === 'skipped') {
      expect(result.status).toBe('skipped')
      expect(result.reason).toMatch(/user type/)
      expect(result.reason).toContain(userTypes.join(','))
    } else {
      expect(result.status).toBe('stale')
    }
  })

  test('an active user has status active and says when it signed in', () => {
    const result = evaluateUser(user({ lastSuccessfulSignInDateTime: ago(3) }), context())
    expect(result.status).toBe('active')
    expect(result.reason).toMatch(/3 days ago/)
  })

  test('evaluation copies the identity fields', () => {
    const input = user({
      id: 'dddddddd-0000-0000-0000-000000000004',
      userPrincipalName: 'Bob@Contoso.com',
      displayName: 'Bob',
      userType: 'Guest',
      accountEnabled: true
    })
    const result = evaluateUser(input, context())
    expect(result).toMatchObject({
      id: input.id,
      userPrincipalName: 'Bob@Contoso.com',
      displayName: 'Bob',
      userType: 'Guest',
      accountEnabled: true
    })
  })
})

describe('evaluateUser: sign-in-logs source (no cap fallback)', () => {
  test('failed attempts in the window are not activity', () => {
    const result = evaluateUser(
      user({ lastSignInDateTime: ago(2), createdDateTime: ago(400) }),
      context({}, { source: LOGS_SOURCE })
    )
    expect(result.neverSignedIn).toBe(false)
    expect(result.lastActivityDateTime).toBeNull()
    expect(result.daysInactive).toBe(400)
    expect(result.status).toBe('stale')
    expect(result.reason).toMatch(/no successful sign-in/)
  })

  test('a success in the window is activity', () => {
    const result = evaluateUser(
      user({ lastSignInDateTime: ago(2), lastSuccessfulSignInDateTime: ago(2) }),
      context({}, { source: LOGS_SOURCE })
    )
    expect(result.daysInactive).toBe(2)
    expect(result.status).toBe('active')
  })

  test('no entry in the window: the reason says "within the window"', () => {
    const result = evaluateUser(user(), context({}, { source: LOGS_SOURCE }))
    expect(result.neverSignedIn).toBe(true)
    expect(result.status).toBe('stale')
    expect(result.reason).toContain('within the 30-day log window')
  })

  test('activity any: attempts count (no cap applies)', () => {
    const result = evaluateUser(
      user({ lastSignInDateTime: ago(2), createdDateTime: ago(400) }),
      context({ activity: 'any' }, { source: LOGS_SOURCE })
    )
    expect(result.lastActivityDateTime).toBe(ago(2))
    expect(result.status).toBe('active')
  })
})

describe('decideResult', () => {
  const counts = (stale: number, warn: number, newStale = stale): Counts => ({
    ...emptyCounts(),
    users: stale + warn + 10,
    checked: stale + warn + 10,
    stale,
    warn,
    newStale,
    active: 10
  })

  test.each<[string, Counts, Partial<PolicySettings>, string]>([
    ['nothing stale or warn: pass', counts(0, 0), {}, 'pass'],
    ['one stale, max 0, on-stale fail: fail', counts(1, 0), {}, 'fail'],
    ['one stale, max 1: warn (tolerated but still stale)', counts(1, 0), { maxStale: 1 }, 'warn'],
    ['two stale, max 1: fail', counts(2, 0), { maxStale: 1 }, 'fail'],
    ['only warn users: warn', counts(0, 4), {}, 'warn'],
    ['on-stale warn with stale users: warn', counts(5, 0), { onStale: 'warn' }, 'warn'],
    ['on-stale warn, nothing stale: pass', counts(0, 0), { onStale: 'warn' }, 'pass'],
    ['on-stale none with stale users: warn, never fail', counts(5, 0), { onStale: 'none' }, 'warn'],
    ['on-stale none, nothing: pass', counts(0, 0), { onStale: 'none' }, 'pass'],
    ['fail-on new, no new stale: warn', counts(5, 0, 0), { failOn: 'new' }, 'warn'],
    ['fail-on new, one new stale: fail', counts(5, 0, 1), { failOn: 'new' }, 'fail'],
    [
      'fail-on new, new stale within max: warn',
      counts(5, 0, 2),
      { failOn: 'new', maxStale: 2 },
      'warn'
    ],
    [
      'fail-on new, new stale over max: fail',
      counts(5, 0, 3),
      { failOn: 'new', maxStale: 2 },
      'fail'
    ],
    ['fail-on any counts old stale users too', counts(5, 0, 0), { failOn: 'any' }, 'fail'],
    [
      'fail-on new with on-stale warn: warn',
      counts(5, 0, 5),
      { failOn: 'new', onStale: 'warn' },
      'warn'
    ]
  ])('%s', (_, values, policy, expected) => {
    expect(decideResult(values, testPolicy(policy))).toBe(expected)
  })
})

/** Counts without the group tallies and licence totals. */
const scalarCounts = (counts: Counts) =>
  Object.fromEntries(
    Object.entries(counts).filter(([key]) => key !== 'groups' && key !== 'staleLicenses')
  )

describe('count', () => {
  test.each<[string, Partial<UserRecord>, boolean, Partial<Counts>]>([
    [
      'excluded never-signed-in: not checked, not never-signed-in',
      { status: 'excluded', neverSignedIn: true },
      false,
      { users: 1, excluded: 1, checked: 0, neverSignedIn: 0 }
    ],
    [
      'skipped never-signed-in: not checked, not never-signed-in',
      { status: 'skipped', neverSignedIn: true },
      false,
      { users: 1, skipped: 1, checked: 0, neverSignedIn: 0 }
    ],
    [
      'stale, new: checked, stale, new stale',
      { status: 'stale' },
      true,
      { users: 1, checked: 1, stale: 1, newStale: 1 }
    ],
    ['stale, not new', { status: 'stale' }, false, { users: 1, checked: 1, stale: 1, newStale: 0 }],
    [
      'stale never-signed-in',
      { status: 'stale', neverSignedIn: true },
      true,
      { users: 1, checked: 1, stale: 1, neverSignedIn: 1, newStale: 1 }
    ],
    [
      'active never-signed-in (ignore): counted as never signed in',
      { status: 'active', neverSignedIn: true },
      false,
      { users: 1, checked: 1, active: 1, neverSignedIn: 1 }
    ],
    ['warn', { status: 'warn' }, false, { users: 1, checked: 1, warn: 1 }],
    ['active', { status: 'active' }, false, { users: 1, checked: 1, active: 1 }]
  ])('%s', (_, fields, isNew, expected) => {
    const counts = emptyCounts()
    count(counts, record(fields), isNew)
    // The group tallies have their own table below.
    expect(scalarCounts(counts)).toEqual({ ...scalarCounts(emptyCounts()), ...expected })
  })

  test('counts over a small tenant add up', () => {
    const counts = emptyCounts()
    const statuses: [Status, boolean, boolean][] = [
      ['stale', true, true],
      ['stale', false, false],
      ['warn', false, false],
      ['active', false, false],
      ['active', true, false],
      ['excluded', true, false],
      ['skipped', false, false],
      ['skipped', true, false]
    ]
    for (const [status, never, isNew] of statuses)
      count(counts, record({ status, neverSignedIn: never }), isNew)
    expect(counts).toMatchObject({
      users: 8,
      checked: 5,
      stale: 2,
      warn: 1,
      neverSignedIn: 2,
      excluded: 1,
      skipped: 2,
      active: 2,
      newStale: 1
    })
    expect(counts.checked).toBe(counts.users - counts.excluded - counts.skipped)
  })

  test('emptyCounts gives a fresh object each time', () => {
    const a = emptyCounts()
    a.users = 5
    expect(emptyCounts().users).toBe(0)
  })
})

describe('compareWorstFirst', () => {
  test('stale before warn before the rest; most days first; unknown days count as the most', () => {
    const records = [
      record({ id: 'warn-40', status: 'warn', daysInactive: 40 }),
      record({ id: 'active', status: 'active', daysInactive: 5 }),
      record({ id: 'stale-100', status: 'stale', daysInactive: 100 }),
      record({ id: 'stale-null', status: 'stale', daysInactive: null }),
      record({ id: 'warn-60', status: 'warn', daysInactive: 60 }),
      record({ id: 'stale-400', status: 'stale', daysInactive: 400 })
    ]
    expect([...records].sort(compareWorstFirst).map((r) => r.id)).toEqual([
      'stale-null',
      'stale-400',
      'stale-100',
      'warn-60',
      'warn-40',
      'active'
    ])
  })

  test('a warn user with more days still comes after a stale one', () => {
    const stale = record({ status: 'stale', daysInactive: 90 })
    const warn = record({ status: 'warn', daysInactive: 1000 })
    expect(compareWorstFirst(stale, warn)).toBeLessThan(0)
    expect(compareWorstFirst(warn, stale)).toBeGreaterThan(0)
  })

  test('ties are ordered by UPN, stable whatever the input order', () => {
    const b = record({
      id: 'b',
      userPrincipalName: 'b@contoso.com',
      status: 'stale',
      daysInactive: 100
    })
    const a = record({
      id: 'a',
      userPrincipalName: 'a@contoso.com',
      status: 'stale',
      daysInactive: 100
    })
    expect([b, a].sort(compareWorstFirst).map((r) => r.id)).toEqual(['a', 'b'])
    expect([a, b].sort(compareWorstFirst).map((r) => r.id)).toEqual(['a', 'b'])
  })
})

describe('parseGraphDate agrees with Date.parse', () => {
  let seed = 777
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const from = Date.parse('0000-01-01T00:00:00Z')
  const to = Date.parse('9999-12-31T23:59:59Z')
  const graphForms = (time: number): string[] => {
    const text = new Date(time).toISOString()
    const seconds = text.slice(0, 19)
    const digits = `${text.slice(20, 23)}${Math.floor(random() * 1e6)}`.padEnd(9, '7')
    return [`${seconds}Z`, ...[1, 2, 3, 4, 7, 9].map((n) => `${seconds}.${digits.slice(0, n)}Z`)]
  }

  test("on Graph's forms: seconds, and 1 to 9 fraction digits, years 0000 to 9999", () => {
    for (let index = 0; index < 20000; index++) {
      for (const text of graphForms(Math.floor(from + random() * (to - from))))
        expect([text, parseGraphDate(text)]).toEqual([text, Date.parse(text)])
    }
  })

  test.each([
    '2024-02-29T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-12-31T23:59:59Z',
    '2024-01-02T24:00:00Z',
    '2024-01-02T23:60:00Z',
    '2024-01-02T23:59:60Z',
    '2024-13-01T00:00:00Z',
    '2024-00-01T00:00:00Z',
    '2024-01-00T00:00:00Z',
    '2024-01-02T03:04:05.Z',
    '2024-01-02T03:04:05.12aZ',
    '2024-01-02T03:04:05z',
    '2024-01-02t03:04:05Z',
    '2024-01-02 03:04:05Z',
    '2024-01-02T03:04Z',
    '2024-01-02T03:04:05+02:00',
    '2024-01-02T03:04:05',
    '+002024-01-02T03:04:05Z',
    '2024-1-02T03:04:05Z',
    '2024-01-02T03:04:05.1234567890123Z',
    ' 2024-01-02T03:04:05Z',
    '0001-01-01T00:00:00Z',
    'not a date'
  ])('on an edge case: %s', (text) => {
    expect(parseGraphDate(text)).toEqual(Date.parse(text))
  })

  test('on every one-character change of a Graph date', () => {
    const base = '2024-03-15T12:34:56.789Z'
    const alphabet = '0123456789-:.TZtz +'
    for (let at = 0; at < base.length; at++) {
      for (const char of alphabet) {
        const text = base.slice(0, at) + char + base.slice(at + 1)
        expect([text, parseGraphDate(text)]).toEqual([text, Date.parse(text)])
      }
    }
  })
})

describe('iso', () => {
  test('formats exactly like Date#toISOString, from 1971 to 9999, leap days included', () => {
    const fixed = [
      '1971-01-01T00:00:00.000Z',
      '2000-02-29T23:59:59.999Z',
      '2023-12-01T00:00:00.000Z',
      '2100-03-01T00:00:00.001Z',
      '9999-12-31T23:59:59.999Z'
    ]
    for (const text of fixed) expect(iso(Date.parse(text))).toBe(text)
    let seed = 12345
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const from = Date.parse('1971-01-01T00:00:00Z')
    const to = Date.parse('9999-12-31T23:59:59Z')
    for (let index = 0; index < 20000; index++) {
      const time = Math.floor(from + random() * (to - from))
      expect(iso(time)).toBe(new Date(time).toISOString())
    }
    expect(iso(null)).toBeNull()
  })
})

describe('tiers: who the user is changes the rule (issue 12)', () => {
  const ROLES = new Map([['aaaaaaaa-0000-0000-0000-000000000001', ['Global Administrator']]])
  const E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965'
  const SKUS = new Map([[E3, 'SPE_E3']])
  const guest: Partial<DirectoryUser> = { userType: 'Guest' }
  const pending = (sent: string | null, created = ago(400)): Partial<DirectoryUser> => ({
    userType: 'Guest',
    externalUserState: 'PendingAcceptance',
    externalUserStateChangeDateTime: sent,
    createdDateTime: created
  })
  const roles = { privilegedRoles: ROLES }
  const exclude = (id: string) => ({
    exclusions: compileExclusions(parseExclusions(`${id} # break-glass`, 'exclude'))
  })

  test.each<
    [
      string,
      Partial<DirectoryUser>,
      Partial<PolicySettings>,
      Partial<PolicyContext>,
      Status,
      RegExp
    ]
  >([
    // Members: threshold-days and warn-days, as before.
    [
      'member 100 days',
      { lastSuccessfulSignInDateTime: ago(100) },
      {},
      {},
      'stale',
      /^last successful sign-in 100 days ago \(stale at 90\)$/
    ],
    [
      'member 40 days, warn 30',
      { lastSuccessfulSignInDateTime: ago(40) },
      { warnDays: 30 },
      {},
      'warn',
      /\(warn at 30\)$/
    ],
    // Guests: guest-threshold-days; warn-days only below it.
    [
      'guest 40 days, default threshold',
      { ...guest, lastSuccessfulSignInDateTime: ago(40) },
      {},
      {},
      'active',
      /^last successful sign-in 40 days ago$/
    ],
    [
      'guest 40 days, guest threshold 30',
      { ...guest, lastSuccessfulSignInDateTime: ago(40) },
      { guestThresholdDays: 30 },
      {},
      'stale',
      /\(guest: stale at 30\)$/
    ],
    [
      'guest 20 days, guest 30, warn 14',
      { ...guest, lastSuccessfulSignInDateTime: ago(20) },
      { guestThresholdDays: 30, warnDays: 14 },
      {},
      'warn',
      /\(guest: warn at 14\)$/
    ],
    [
      'guest 12 days, guest 10, warn 14: no warn tier',
      { ...guest, lastSuccessfulSignInDateTime: ago(12) },
      { guestThresholdDays: 10, warnDays: 14 },
      {},
      'stale',
      /\(guest: stale at 10\)$/
    ],
    [
      'guest 5 days, guest 10, warn 14: active',
      { ...guest, lastSuccessfulSignInDateTime: ago(5) },
      { guestThresholdDays: 10, warnDays: 14 },
      {},
      'active',
      /^last successful sign-in 5 days ago$/
    ],
    [
      "guest threshold longer than the members'",
      { ...guest, lastSuccessfulSignInDateTime: ago(100) },
      { guestThresholdDays: 180 },
      {},
      'active',
      /100 days ago$/
    ],
    // Pending invitations: by the invitation date, else creation; invitation-days, else guest threshold.
    [
      'invitation 50 days, invitation-days 30',
      pending(ago(50)),
      { invitationDays: 30 },
      {},
      'stale',
      /^invitation sent 50 days ago, never accepted \(stale at 30\)$/
    ],
    [
      'invitation 50 days, default: guest threshold 90',
      pending(ago(50)),
      {},
      {},
      'active',
      /^invitation sent 50 days ago, not accepted yet$/
    ],
    [
      'invitation 50 days, guest threshold 40',
      pending(ago(50)),
      { guestThresholdDays: 40 },
      {},
      'stale',
      /stale at 40\)$/
    ],
    [
      're-sent invitation of an old account',
      pending(ago(5), ago(400)),
      { invitationDays: 30 },
      {},
      'active',
      /^invitation sent 5 days ago/
    ],
    [
      'invitation without change date: from creation',
      pending(null, ago(45)),
      { invitationDays: 30 },
      {},
      'stale',
      /^invitation sent 45 days ago, never accepted/
    ],
    [
      'invitation without any date: stale',
      pending(null, null as unknown as string),
      { invitationDays: 30 },
      {},
      'stale',
      /^invitation never accepted; no invitation or creation date/
    ],
    [
      'invitation 20 days, invitation 30, warn 14',
      pending(ago(20)),
      { invitationDays: 30, warnDays: 14 },
      {},
      'warn',
      /not accepted yet \(warn at 14\)$/
    ],
    [
      'invitation and never-signed-in ignore: the invitation rule',
      pending(ago(50)),
      { invitationDays: 30, neverSignedIn: 'ignore' },
      {},
      'stale',
      /never accepted/
    ],
    [
      'an unparsable invitation date falls back to creation',
      pending('soon', ago(60)),
      { invitationDays: 30 },
      {},
      'stale',
      /^invitation sent 60 days ago/
    ],
    // Privileged: privileged-threshold-days whatever the type; beats guest and invitation tiers.
    [
      'admin 45 days, privileged 30',
      { lastSuccessfulSignInDateTime: ago(45) },
      { privilegedThresholdDays: 30 },
      roles,
      'stale',
      /\(privileged: Global Administrator; stale at 30\)$/
    ],
    [
      'admin 20 days, privileged 30, warn 14',
      { lastSuccessfulSignInDateTime: ago(20) },
      { privilegedThresholdDays: 30, warnDays: 14 },
      roles,
      'warn',
      /\(privileged: Global Administrator; warn at 14\)$/
    ],
    [
      'guest admin 25 days: privileged 30 beats guest 10',
      { ...guest, lastSuccessfulSignInDateTime: ago(25) },
      { privilegedThresholdDays: 30, guestThresholdDays: 10 },
      roles,
      'active',
      /25 days ago$/
    ],
    [
      'pending guest admin: privileged beats invitation',
      pending(ago(5), ago(45)),
      { privilegedThresholdDays: 30, invitationDays: 90 },
      roles,
      'stale',
      /privileged: Global Administrator; stale at 30/
    ],
    [
      'role holder without privileged-threshold-days: the member rule',
      { lastSuccessfulSignInDateTime: ago(45) },
      {},
      roles,
      'active',
      /^last successful sign-in 45 days ago$/
    ],
    [
      'privileged threshold set, user holds no role',
      { lastSuccessfulSignInDateTime: ago(45) },
      { privilegedThresholdDays: 30 },
      { privilegedRoles: new Map() },
      'active',
      /45 days ago$/
    ],
    // Precedence: excluded beats skipped beats the tiers.
    [
      'excluded admin',
      { lastSuccessfulSignInDateTime: ago(300) },
      { privilegedThresholdDays: 30 },
      { ...roles, ...exclude('aaaaaaaa-0000-0000-0000-000000000001') },
      'excluded',
      /^excluded by exclude line 1: break-glass$/
    ],
    [
      'excluded agent',
      { isAgent: true },
      {},
      exclude('aaaaaaaa-0000-0000-0000-000000000001'),
      'excluded',
      /^excluded/
    ],
    [
      'disabled admin: skipped',
      { accountEnabled: false, lastSuccessfulSignInDateTime: ago(300) },
      { privilegedThresholdDays: 30 },
      roles,
      'skipped',
      /^account disabled/
    ],
    [
      'agent: skipped',
      { isAgent: true, lastSuccessfulSignInDateTime: ago(300) },
      {},
      {},
      'skipped',
      /^agent identity, not a person \(include-agents is false\)$/
    ],
    [
      'agent with include-agents: checked',
      { isAgent: true, lastSuccessfulSignInDateTime: ago(300) },
      { includeAgents: true },
      {},
      'stale',
      /stale at 90/
    ],
    [
      'disabled agent: the agent reason first',
      { isAgent: true, accountEnabled: false },
      {},
      {},
      'skipped',
      /^agent identity/
    ],
    [
      'guest not in user-types beats the guest tier',
      { ...guest, lastSuccessfulSignInDateTime: ago(300) },
      { userTypes: ['member'], guestThresholdDays: 10 },
      {},
      'skipped',
      /^user type Guest/
    ],
    [
      'pending invitation of an unchecked type: skipped',
      pending(ago(300)),
      { userTypes: ['member'] },
      {},
      'skipped',
      /^user type Guest/
    ],
    [
      'licensed-only, no licence: skipped',
      { lastSuccessfulSignInDateTime: ago(300) },
      { licensedOnly: true },
      {},
      'skipped',
      /^holds no licence \(licensed-only is true\)$/
    ],
    [
      'licensed-only, licence held: checked',
      { skuIds: [E3], lastSuccessfulSignInDateTime: ago(300) },
      { licensedOnly: true },
      {},
      'stale',
      /stale at 90/
    ],
    [
      'licensed-only beats the privileged tier',
      { lastSuccessfulSignInDateTime: ago(300) },
      { licensedOnly: true, privilegedThresholdDays: 30 },
      roles,
      'skipped',
      /^holds no licence/
    ]
  ])('%s', (_, fields, policy, extra, status, reason) => {
    const record = evaluateUser(user(fields), context(policy, { skuPartNumbers: SKUS, ...extra }))
    expect(record.status).toBe(status)
    expect(record.reason).toMatch(reason)
  })

  test('record fields: licences by part number (unknown SKU: its ID), roles, or null when not read', () => {
    const holder = user({
      skuIds: [E3.toUpperCase(), 'ffffffff-0000-4000-8000-000000000000'],
      mail: 'jane@contoso.com',
      onPremisesSyncEnabled: true,
      externalUserState: 'Accepted'
    })
    const withRoles = evaluateUser(holder, context({}, { skuPartNumbers: SKUS, ...roles }))
    expect(withRoles).toMatchObject({
      licenses: ['SPE_E3', 'ffffffff-0000-4000-8000-000000000000'],
      privilegedRoles: ['Global Administrator'],
      mail: 'jane@contoso.com',
      onPremisesSyncEnabled: true,
      externalUserState: 'Accepted'
    })
    expect(evaluateUser(holder, context({}, { skuPartNumbers: SKUS })).privilegedRoles).toBeNull()
    expect(
      evaluateUser(holder, context({}, { skuPartNumbers: SKUS, privilegedRoles: new Map() }))
        .privilegedRoles
    ).toEqual([])
  })

  test('groups: each checked record counts in every group it is in; stale licences by SKU', () => {
    const counts = emptyCounts()
    const add = (fields: Partial<UserRecord>) => count(counts, record(fields), false)
    add({ status: 'stale', licenses: ['SPE_E3', 'SPE_E3'] })
    add({ status: 'warn', userType: 'Guest', privilegedRoles: ['Global Reader'] })
    add({ status: 'active', userType: 'guest', externalUserState: 'PendingAcceptance' })
    add({ status: 'stale', userType: null, licenses: ['SPE_E3', 'EMS'], privilegedRoles: ['x'] })
    add({ status: 'skipped', licenses: ['SPE_E3'] })
    add({ status: 'excluded', privilegedRoles: ['Global Administrator'] })
    expect(counts.groups).toEqual({
      members: { checked: 2, stale: 2, warn: 0 },
      guests: { checked: 2, stale: 0, warn: 1 },
      pendingInvitations: { checked: 1, stale: 0, warn: 0 },
      privileged: { checked: 2, stale: 1, warn: 1 },
      licensed: { checked: 2, stale: 2, warn: 0 }
    })
    expect(counts.staleLicenses).toEqual({ SPE_E3: 2, EMS: 1 })
  })
})
