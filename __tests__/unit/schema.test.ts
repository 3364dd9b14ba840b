import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from '@jest/globals'
import { reportMeta } from '../../src/audit.js'
import { compileExclusions, parseExclusions } from '../../src/exclusions.js'
import {
  count,
  decideResult,
  emptyCounts,
  evaluateUser,
  type PolicyContext
} from '../../src/policy.js'
import { USER_COLUMNS } from '../../src/report/columns.js'
import { ReportFiles } from '../../src/report/files.js'
import { Breakdown } from '../../src/breakdown.js'
import { redactRecord } from '../../src/report/redact.js'
import type { Settings } from '../../src/settings/settings.js'
import type { DirectoryUser } from '../../src/users.js'
import { expectValidReport, reportErrors, reportSchema } from '../../__fixtures__/schema.js'
import { testPolicy, testSettings } from '../../__fixtures__/settings.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

const NOW = new Date('2026-06-01T12:00:00Z')

function user(index: number, overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    userPrincipalName: `user${index}@contoso.com`,
    displayName: `User ${index}`,
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

/** Graph users covering every status and every "never" sentinel. */
const USERS: DirectoryUser[] = [
  user(1, { lastSuccessfulSignInDateTime: '2026-05-30T08:00:00Z' }),
  user(2, { lastSuccessfulSignInDateTime: '2026-03-20T08:00:00Z' }),
  user(3, { lastSuccessfulSignInDateTime: '2024-01-01T08:00:00Z' }),
  user(4, { lastSignInDateTime: '0001-01-01T00:00:00Z', lastSuccessfulSignInDateTime: '' }),
  user(5, { createdDateTime: null }),
  user(6, { accountEnabled: false }),
  user(7, { userType: null, displayName: null, userPrincipalName: null }),
  user(8, { userPrincipalName: 'breakglass@contoso.com' }),
  user(9, { userType: 'Guest', lastNonInteractiveSignInDateTime: '2026-05-31T23:59:59.123Z' }),
  user(10, {
    userType: 'Guest',
    mail: 'ten@fabrikam.com',
    externalUserState: 'PendingAcceptance',
    externalUserStateChangeDateTime: '2026-01-01T00:00:00Z',
    onPremisesSyncEnabled: true,
    skuIds: ['05e9a617-0261-4cee-bb44-138d3ef5d965', 'ffffffff-0000-4000-8000-000000000000']
  })
]

async function writeReport(settings: Settings) {
  const dir = mkdtempSync(join(tmpdir(), 'schema-'))
  dirs.push(dir)
  const context: PolicyContext = {
    policy: settings.policy,
    now: NOW,
    exclusions: compileExclusions(settings.exclusions),
    groupExclusions: new Map(),
    source: { capFallback: true, neverMeans: 'never signed in' },
    privilegedRoles: new Map([[USERS[1].id, ['Global Administrator']]]),
    skuPartNumbers: new Map([['05e9a617-0261-4cee-bb44-138d3ef5d965', 'SPE_E3']])
  }
  const files = await ReportFiles.open(dir, settings.reportFormats, reportMeta(settings, NOW))
  const counts = emptyCounts()
  const breakdown = new Breakdown()
  // Two pages, as the audit streams them.
  for (const page of [USERS.slice(0, 4), USERS.slice(4)]) {
    const records = page.map((graphUser) => {
      const record = evaluateUser(graphUser, context)
      count(counts, record, record.status === 'stale')
      breakdown.add(record)
      return settings.redact === 'all' ? redactRecord(record) : record
    })
    await files.append(records)
  }
  const paths = await files.finish(counts, decideResult(counts, settings.policy), breakdown)
  return JSON.parse(readFileSync(paths.json!, 'utf8')) as Record<string, unknown> & {
    users: Record<string, unknown>[]
  }
}

const settings = testSettings({
  policy: testPolicy({ warnDays: 45 }),
  exclusions: parseExclusions(
    'breakglass@contoso.com until:2030-01-01 # emergency access\n00000000-0000-4000-8000-000000000099',
    'exclude'
  ),
  excludeGroups: ['6a3f1c2e-9b7d-4e15-8c4a-b1eac0ffee01']
})

describe('docs/report.schema.json', () => {
  test('accepts the report the writer produces, with every status and sentinel', async () => {
    const report = await writeReport(settings)
    expectValidReport(report)
    const statuses = new Set(report.users.map((row) => row.status))
    expect([...statuses].sort()).toEqual(['active', 'excluded', 'skipped', 'stale', 'warn'])
    // The sentinels of user 4 are written as null, and the schema would reject anything else.
    expect(report.users[3].lastSignInDateTime).toBeNull()
  })

  test('accepts the redact: all report and the other choices of cloud, source and version', async () => {
    const report = await writeReport({
      ...settings,
      redact: 'all',
      cloud: 'us-gov-dod',
      source: 'sign-in-logs',
      graphVersion: 'v1.0',
      tenantId: 'contoso.onmicrosoft.com',
      policy: testPolicy({ activity: 'interactive', userTypes: ['guest'], onStale: 'none' })
    })
    expectValidReport(report)
    expect(report.users[0].userPrincipalName).toBe('u***@contoso.com')
  })

  test('names exactly the report columns and counts the code writes', () => {
    const defs = reportSchema.$defs as Record<
      string,
      { required: string[]; properties: Record<string, unknown> }
    >
    // Fields added within schemaVersion 1 are described but not required: reports written
    // before them (a baseline, a tenant not yet upgraded in a merge) stay valid.
    const addedInV1 = new Set([
      'mail',
      'onPremisesSyncEnabled',
      'externalUserState',
      'licenses',
      'privilegedRoles',
      'groups',
      'staleLicenses'
    ])
    expect(Object.keys(defs.user.properties)).toEqual(USER_COLUMNS)
    expect(defs.user.required).toEqual(USER_COLUMNS.filter((column) => !addedInV1.has(column)))
    expect(Object.keys(defs.counts.properties).sort()).toEqual(Object.keys(emptyCounts()).sort())
    expect(defs.counts.required.sort()).toEqual(
      Object.keys(emptyCounts())
        .filter((count) => !addedInV1.has(count))
        .sort()
    )
    expect(reportSchema.required).toEqual(
      expect.arrayContaining(['schemaVersion', 'users', 'counts', 'result', 'policy'])
    )
  })

  const broken: [string, (report: Record<string, unknown>) => void, RegExp][] = [
    ['another schemaVersion', (r) => (r.schemaVersion = 2), /\/schemaVersion/],
    ['a sentinel date', (r) => (userOf(r).createdDateTime = '0001-01-01T00:00:00Z'), /created/],
    ['an empty-string date', (r) => (userOf(r).lastSignInDateTime = ''), /lastSignIn/],
    ['a local time', (r) => (userOf(r).lastActivityDateTime = '2026-01-01T10:00:00'), /lastAct/],
    ['an unknown status', (r) => (userOf(r).status = 'inactive'), /status/],
    ['a missing column', (r) => delete userOf(r).reason, /reason/],
    ['an extra column', (r) => (userOf(r).jobTitle = 'Engineer'), /additional/],
    ['fractional days', (r) => (userOf(r).daysInactive = 1.5), /daysInactive/],
    ['a missing count', (r) => delete (r.counts as Record<string, number>).newStale, /newStale/],
    ['a result of error', (r) => (r.result = 'error'), /\/result/],
    ['a policy input left out', (r) => delete (r.policy as Record<string, unknown>).maxStale, /max/]
  ]
  function userOf(report: Record<string, unknown>): Record<string, unknown> {
    return (report.users as Record<string, unknown>[])[0]
  }
  test.each(broken)('rejects %s', async (_, breakIt, where) => {
    const report = await writeReport(settings)
    expect(reportErrors(report)).toEqual([])
    breakIt(report)
    const errors = reportErrors(report)
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.join('\n')).toMatch(where)
  })
})
