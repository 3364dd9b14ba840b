/**
 * The merge action's pure parts: inputs, report checks, the verdict, the tenant order and the
 * summary's bounds and escaping. End to end it is tested in __tests__/e2e/merge.test.ts.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'
import { FakeIO } from '../../__fixtures__/io.js'
import { SUMMARY_MAX_BYTES } from '../../src/constants.js'
import { MergeInputs, MergeOutputs } from '../../src/merge/constants.js'
import type { MergedRecord, TenantEntry } from '../../src/merge/files.js'
import { getMergeSettings } from '../../src/merge/settings.js'
import { renderMergeSummary } from '../../src/merge/summary.js'
import { readReport } from '../../src/merge/validate.js'
import {
  compareTenantRows,
  mergedResult,
  missingTenants,
  sumCounts,
  type TenantRow
} from '../../src/merge/verdict.js'
import { emptyCounts, type Counts, type UserRecord } from '../../src/policy.js'
import { countOutputs } from '../../src/publish/outputs.js'

const mergeYml = parse(readFileSync('merge/action.yml', 'utf8')) as {
  inputs: Record<string, { default?: string }>
  outputs: Record<string, unknown>
  runs: { using: string; main: string }
}

describe('merge/action.yml', () => {
  test('declares exactly the inputs and outputs the code reads and sets', () => {
    expect(Object.keys(mergeYml.inputs)).toEqual(Object.values(MergeInputs))
    expect(Object.keys(mergeYml.outputs).sort()).toEqual(
      [
        ...Object.values(MergeOutputs),
        ...countOutputs(emptyCounts()).map(([output]) => output)
      ].sort()
    )
    expect(mergeYml.runs).toEqual({ using: 'node24', main: '../dist/merge/index.js' })
  })
})

describe('getMergeSettings', () => {
  const settings = (inputs: Record<string, string>) => getMergeSettings(new FakeIO(inputs, {}))
  test.each([
    [
      { 'on-stale': 'explode' },
      `Input 'on-stale' must be one of: fail, warn, none; got "explode".`
    ],
    [
      { 'max-stale': '-1' },
      `Input 'max-stale' must be a whole number from 0 to 100000000; got "-1".`
    ],
    [
      { 'summary-rows': '10001' },
      `Input 'summary-rows' must be a whole number from 0 to 10000; got "10001".`
    ],
    [
      { pattern: 'a/b*' },
      `Input 'pattern' must be an artifact name, * and ? allowed, without " : < > | \\ / or line breaks; got "a/b*".`
    ],
    [
      { 'artifact-name': 'x*' },
      `Input 'artifact-name' must not contain any of " : < > | * ? \\ / or line breaks (empty: no upload); got "x*".`
    ],
    [{ 'job-summary': 'yes' }, `Input 'job-summary' must be true or false; got "yes".`]
  ])('%j is refused with one line naming it', (inputs, message) => {
    expect(() => settings(inputs)).toThrow(message)
  })
  test('reports replaces pattern; expect takes lines and commas', () => {
    const given = settings({ reports: 'a/*.json\nb.json', expect: 'x, y\nz', pattern: 'p*' })
    expect(given.origin).toMatchObject({ kind: 'files', patterns: ['a/*.json', 'b.json'] })
    expect(given.expect).toEqual(['x', 'y', 'z'])
    expect(settings({}).origin).toEqual({ kind: 'artifacts', pattern: 'entra-signin-report*' })
    expect(settings({}).policy).toEqual({ onStale: 'fail', maxStale: 0, failOn: 'any' })
  })
})

function user(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    userPrincipalName: 'ann@contoso.com',
    displayName: 'Ann',
    userType: 'Member',
    accountEnabled: true,
    createdDateTime: '2020-01-01T00:00:00.000Z',
    lastSignInDateTime: null,
    lastNonInteractiveSignInDateTime: null,
    lastSuccessfulSignInDateTime: '2024-01-01T00:00:00.000Z',
    lastActivityDateTime: '2024-01-01T00:00:00.000Z',
    daysInactive: 500,
    neverSignedIn: false,
    status: 'stale',
    reason: 'last successful sign-in 500 days ago (stale at 90)',
    mail: null,
    onPremisesSyncEnabled: null,
    externalUserState: null,
    licenses: [],
    privilegedRoles: null,
    ...overrides
  }
}

function report(users: UserRecord[], counts: Partial<Counts> = {}) {
  const tally = emptyCounts()
  for (const one of users) {
    tally.users++
    tally[one.status]++
    if (one.status !== 'excluded' && one.status !== 'skipped') tally.checked++
  }
  tally.newStale = tally.stale
  return {
    schemaVersion: 1,
    generatedAt: '2026-12-01T00:00:00.000Z',
    tenantId: 'contoso.onmicrosoft.com',
    cloud: 'global',
    graphVersion: 'beta',
    source: 'sign-in-activity',
    policy: {
      thresholdDays: 90,
      warnDays: null,
      activity: 'successful',
      neverSignedIn: 'stale',
      userTypes: ['member', 'guest'],
      includeDisabled: false,
      failOn: 'any',
      onStale: 'fail',
      maxStale: 0,
      exclude: [],
      excludeGroups: [],
      excludeFile: null,
      baseline: null
    },
    users,
    counts: { ...tally, ...counts },
    result: 'fail'
  }
}

describe('readReport', () => {
  test('a valid report is read whole', () => {
    const text = JSON.stringify(report([user(), user({ id: 'b', status: 'active' })]))
    expect(readReport(text, 'artifact "a"').users).toHaveLength(2)
  })
  test.each([
    ['not JSON', '{"schemaVersion": 1, "users": [', /^artifact "a" is not valid JSON/],
    [
      'a missing field',
      JSON.stringify({ ...report([user()]), counts: undefined }),
      /^artifact "a" does not match docs\/report\.schema\.json: \/ must have required property 'counts'\.$/
    ],
    [
      'users cut short',
      JSON.stringify(report([user()], { users: 2, stale: 2, checked: 2, newStale: 2 })),
      /^artifact "a" is incomplete or inconsistent: counts\.users is 2 but 1 such users are listed; counts\.checked is 2/
    ],
    [
      'a tenant ID with a line break',
      JSON.stringify({ ...report([user()]), tenantId: 'contoso.com\n::error::forged' }),
      /^artifact "a" is incomplete or inconsistent: tenantId is not a GUID or a domain\.$/
    ],
    [
      'never-signed-in miscounted',
      JSON.stringify(report([user({ neverSignedIn: true })])),
      /counts\.neverSignedIn is 0 but 1 checked users never signed in/
    ]
  ])('%s is an error naming the report, quoting none of it', (_, text, message) => {
    expect(() => readReport(text, 'artifact "a"')).toThrow(message)
    try {
      readReport(text, 'artifact "a"')
    } catch (error) {
      expect((error as Error).message).not.toContain('ann@contoso.com')
    }
  })
})

function tenant(
  tenantId: string,
  result: 'pass' | 'warn' | 'fail',
  stale = 0,
  warn = 0
): TenantEntry {
  return {
    tenantId,
    artifact: `entra-signin-report-${tenantId}`,
    generatedAt: '2026-12-01T00:00:00.000Z',
    cloud: 'global',
    graphVersion: 'beta',
    source: 'sign-in-activity',
    result,
    counts: { ...emptyCounts(), users: 10, checked: 10, stale, warn, active: 10 - stale - warn },
    policy: {}
  }
}

describe('the verdict', () => {
  const policy = { onStale: 'fail' as const, maxStale: 3, failOn: 'any' as const }
  test('the sums decide; any problem is error whatever the sums', () => {
    const counts = sumCounts([tenant('a', 'fail', 2).counts, tenant('b', 'warn', 1, 4).counts])
    expect(counts).toMatchObject({ users: 20, stale: 3, warn: 4, active: 13 })
    expect(mergedResult(counts, [], policy)).toBe('warn')
    expect(mergedResult(counts, [], { ...policy, maxStale: 2 })).toBe('fail')
    expect(mergedResult(sumCounts([]), [{ name: 'x', message: 'm' }], policy)).toBe('error')
  })
  test('expect matches tenant IDs, artifact names and file paths, case-insensitively', () => {
    const tenants = [
      tenant('Contoso.onmicrosoft.com', 'pass'),
      { ...tenant('b', 'pass'), artifact: undefined, file: 'r/b.json' }
    ]
    expect(
      missingTenants(
        [
          'contoso.ONMICROSOFT.com',
          'entra-signin-report-contoso.onmicrosoft.com',
          'R/B.json',
          'gone'
        ],
        tenants
      )
    ).toEqual(['gone'])
  })
  test('tenant rows: problems, fail, warn, pass; then most stale, most warn, name', () => {
    const rows: TenantRow[] = [
      { kind: 'report', name: 'p', tenant: tenant('p', 'pass') },
      { kind: 'report', name: 'w1', tenant: tenant('w1', 'warn', 0, 2) },
      { kind: 'report', name: 'w2', tenant: tenant('w2', 'warn', 1, 0) },
      { kind: 'problem', name: 'z-missing', problem: { name: 'z-missing', message: 'm' } },
      { kind: 'report', name: 'f', tenant: tenant('f', 'fail', 5) }
    ]
    expect(rows.sort(compareTenantRows).map((row) => row.name)).toEqual([
      'z-missing',
      'f',
      'w2',
      'w1',
      'p'
    ])
  })
})

describe('renderMergeSummary', () => {
  const policy = { onStale: 'fail' as const, maxStale: 0, failOn: 'any' as const }
  test('stays under 1 MiB with 20,000 tenants and 10,000 users, problems first', () => {
    const rows: TenantRow[] = Array.from({ length: 20_000 }, (_, index) => ({
      kind: 'report' as const,
      name: `t${index}`,
      tenant: tenant(`tenant-${index}.onmicrosoft.com`, 'warn', 1)
    }))
    rows.push({
      kind: 'problem',
      name: 'late',
      problem: { name: 'late', message: 'Expected tenant late has no report' }
    })
    const worst: MergedRecord[] = Array.from({ length: 10_000 }, (_, index) => ({
      ...user({ userPrincipalName: `${'x'.repeat(200)}${index}@contoso.com` }),
      tenantId: 't'
    }))
    const html = renderMergeSummary({
      result: 'error',
      rows,
      policy,
      expected: 20_001,
      worst,
      notes: []
    })
    expect(Buffer.byteLength(html)).toBeLessThan(SUMMARY_MAX_BYTES)
    expect(html.indexOf('late')).toBeLessThan(html.indexOf('tenant-0.'))
    expect(html).toMatch(/<p>\d+ more tenant\(s\) in the merged report\.<\/p>/)
    const counts = sumCounts(
      rows.flatMap((row) => (row.kind === 'report' ? [row.tenant.counts] : []))
    )
    const full = renderMergeSummary({
      result: 'warn',
      rows,
      counts,
      policy,
      expected: 0,
      worst,
      notes: []
    })
    expect(Buffer.byteLength(full)).toBeLessThan(SUMMARY_MAX_BYTES)
  })
  test('tenant IDs, names and messages are data, never markup', () => {
    const hostile = '<img src=x onerror=alert(1)>|**x**'
    const html = renderMergeSummary({
      result: 'warn',
      rows: [{ kind: 'report', name: hostile, tenant: tenant(hostile, 'warn', 1) }],
      counts: tenant(hostile, 'warn', 1).counts,
      policy,
      expected: 0,
      worst: [{ ...user({ displayName: hostile }), tenantId: hostile }],
      notes: [hostile]
    })
    expect(html).not.toContain('<img')
    expect(html).not.toContain('**x**')
    expect(html).toContain('&#60;img src=x onerror=alert&#40;1&#41;&#62;')
  })
})
