/**
 * The policy as a user sees it in the report: every "never" sentinel, the 2023-12-01 cap on
 * failed attempts, creation grace, the warn tier, exclusions, and the result (and exit code) for
 * each on-stale / max-stale setting, against a fixture tenant with exactly known users.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { type ActionRun, runOn } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { fixtureTenant, NEVER_SENTINEL } from '../../simulator/tenant.js'
import type { GraphUser } from '../../simulator/types.js'
import { ago, commandLines, csvRecords, graphUser, signedIn, usersById } from './helpers.js'

const old = ago(300.5)
const fields = (value: string | null) => ({
  lastSignInDateTime: value,
  lastNonInteractiveSignInDateTime: value,
  lastSuccessfulSignInDateTime: value
})

const U = {
  absent: graphUser('absent', { createdDateTime: old }),
  nullActivity: graphUser('nullactivity', { createdDateTime: old, signInActivity: null }),
  fieldsNull: graphUser('fieldsnull', { createdDateTime: old, signInActivity: fields(null) }),
  emptyString: graphUser('emptystring', { createdDateTime: old, signInActivity: fields('') }),
  sentinel: graphUser('sentinel', {
    createdDateTime: old,
    signInActivity: fields(NEVER_SENTINEL)
  }),
  noCreated: graphUser('nocreated', { createdDateTime: null, signInActivity: fields(null) }),
  // A password-spray victim: a failed attempt last week, never a success.
  failedOnly: graphUser('failedonly', {
    createdDateTime: ago(400.5),
    signInActivity: {
      lastSignInDateTime: ago(7.5),
      lastNonInteractiveSignInDateTime: null,
      lastSuccessfulSignInDateTime: null
    }
  }),
  newAccount: graphUser('newaccount', { createdDateTime: ago(3.5) }),
  warn: graphUser('warn', { signInActivity: signedIn(60.5) }),
  active: graphUser('active', { signInActivity: signedIn(5.5) }),
  stale: graphUser('stale', { signInActivity: signedIn(120.5) }),
  disabled: graphUser('disabled', { accountEnabled: false, signInActivity: signedIn(200.5) }),
  service: graphUser('svc-backup', { signInActivity: signedIn(500.5) }),
  breakGlass: graphUser('breakglass', { signInActivity: fields(null) })
} satisfies Record<string, GraphUser>

const NEVER = [U.absent, U.nullActivity, U.fieldsNull, U.emptyString, U.sentinel, U.noCreated]
const EXCLUDE = [
  'SVC-*@contoso.onmicrosoft.com # service accounts, owned by IT ops',
  `${U.breakGlass.id} # break-glass account`
].join('\n')

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ tenant: fixtureTenant(Object.values(U)) })
})
afterAll(() => sim.close())

const run = (inputs: Record<string, string> = {}) =>
  runOn(sim, { 'warn-days': '30', exclude: EXCLUDE, ...inputs })

const counts = (result: ActionRun) =>
  Object.fromEntries(
    [
      'user-count',
      'checked-count',
      'stale-count',
      'warn-count',
      'never-signed-in-count',
      'excluded-count'
    ].map((name) => [name, Number(result.outputs[name])])
  )

describe('default policy (successful activity, never-signed-in stale, warn at 30)', () => {
  let result: ActionRun
  let users: Map<string, Record<string, unknown>>
  beforeAll(async () => {
    result = await run()
    users = usersById(result)
  })

  test.each(NEVER.map((user) => [user.userPrincipalName, user] as [string, GraphUser]))(
    '%s never signed in: null dates, neverSignedIn, stale',
    (_, user) => {
      const record = users.get(user.id)!
      for (const field of [
        'lastSignInDateTime',
        'lastNonInteractiveSignInDateTime',
        'lastSuccessfulSignInDateTime',
        'lastActivityDateTime'
      ]) {
        expect(record[field]).toBeNull()
      }
      expect(record.neverSignedIn).toBe(true)
      expect(record.status).toBe('stale')
      expect(record.daysInactive).toBe(user === U.noCreated ? null : 300)
    }
  )

  test('no sentinel or empty date reaches the JSON or the CSV', () => {
    const json = JSON.stringify(result.json())
    expect(json).not.toContain('0001-01-01')
    expect(json).not.toMatch(/DateTime":""/)
    expect(result.csv()).not.toContain('0001-01-01')
    const rows = csvRecords(result)
    const sentinelRow = rows.find((row) => row.id === U.sentinel.id)!
    expect(sentinelRow.lastSignInDateTime).toBe('')
    expect(sentinelRow.neverSignedIn).toBe('true')
    expect(rows).toHaveLength(Object.keys(U).length)
  })

  test('a never-signed-in user without createdDateTime has daysInactive null and is stale', () => {
    const record = users.get(U.noCreated.id)!
    expect(record.createdDateTime).toBeNull()
    expect(record.daysInactive).toBeNull()
    expect(record.status).toBe('stale')
    expect(csvRecords(result).find((row) => row.id === U.noCreated.id)!.daysInactive).toBe('')
  })

  test('a recent failed attempt without a success is not activity', () => {
    const record = users.get(U.failedOnly.id)!
    expect(record.lastSignInDateTime).toBe(
      U.failedOnly.signInActivity!.lastSignInDateTime!.replace('Z', '.000Z')
    )
    expect(record.lastSuccessfulSignInDateTime).toBeNull()
    expect(record.neverSignedIn).toBe(false)
    expect(record.status).toBe('stale')
    // Inactive since creation (later than the 2023-12-01 cap on the failed attempt).
    expect(record.daysInactive).toBe(400)
  })

  test('a new account gets its creation grace; the tiers split at 30 and 90 days', () => {
    expect(users.get(U.newAccount.id)).toMatchObject({
      status: 'active',
      neverSignedIn: true,
      daysInactive: 3
    })
    expect(users.get(U.warn.id)).toMatchObject({ status: 'warn', daysInactive: 60 })
    expect(users.get(U.active.id)).toMatchObject({ status: 'active', daysInactive: 5 })
    expect(users.get(U.stale.id)).toMatchObject({ status: 'stale', daysInactive: 120 })
    expect(users.get(U.disabled.id)).toMatchObject({ status: 'skipped' })
  })

  test('exclusions by UPN glob (any case) and by object ID carry their reason', () => {
    const service = users.get(U.service.id)!
    expect(service.status).toBe('excluded')
    expect(service.reason).toMatch(/exclude line 1/)
    expect(service.reason).toContain('service accounts, owned by IT ops')
    const breakGlass = users.get(U.breakGlass.id)!
    expect(breakGlass.status).toBe('excluded')
    expect(breakGlass.reason).toContain('break-glass account')
    expect(csvRecords(result).find((row) => row.id === U.breakGlass.id)!.reason).toContain(
      'break-glass account'
    )
  })

  test('exact counts, result fail and exit code 1', () => {
    expect(counts(result)).toEqual({
      'user-count': 14,
      'checked-count': 11,
      'stale-count': 8,
      'warn-count': 1,
      'never-signed-in-count': 7,
      'excluded-count': 2
    })
    expect(result.json().counts).toMatchObject({
      users: 14,
      checked: 11,
      stale: 8,
      warn: 1,
      neverSignedIn: 7,
      excluded: 2
    })
    expect(result.outputs.result).toBe('fail')
    expect(result.json().result).toBe('fail')
    expect(result.code).toBe(1)
    expect(commandLines(result, 'error')).toHaveLength(1)
    expect(commandLines(result, 'error')[0]).toMatch(/8 stale user\(s\) exceed max-stale 0/)
  })
})

test('activity any: the failed attempt counts as activity', async () => {
  const result = await run({ activity: 'any' })
  expect(usersById(result).get(U.failedOnly.id)).toMatchObject({
    status: 'active',
    daysInactive: 7
  })
  expect(result.outputs['stale-count']).toBe('7')
})

test('never-signed-in ignore: never-signed-in users are active, still counted as never', async () => {
  const result = await run({ 'never-signed-in': 'ignore' })
  const users = usersById(result)
  for (const user of NEVER) expect(users.get(user.id)!.status).toBe('active')
  expect(users.get(U.noCreated.id)!.daysInactive).toBeNull()
  expect(counts(result)).toMatchObject({ 'stale-count': 2, 'never-signed-in-count': 7 })
  expect(result.outputs.result).toBe('fail')
})

describe.each([
  // [inputs, result, exit code, warning annotation]
  [{ 'on-stale': 'fail', 'max-stale': '7' }, 'fail', 1, false],
  [{ 'on-stale': 'fail', 'max-stale': '8' }, 'warn', 0, true],
  [{ 'on-stale': 'warn' }, 'warn', 0, true],
  [{ 'on-stale': 'none' }, 'warn', 0, false],
  [{ 'threshold-days': '36500', 'warn-days': '', 'never-signed-in': 'ignore' }, 'pass', 0, false]
] as const)('%j', (inputs, expected, code, warned) => {
  test(`result ${expected}, exit code ${code}`, async () => {
    const result = await run(inputs)
    expect(result.outputs.result).toBe(expected)
    expect(result.json().result).toBe(expected)
    expect(result.code).toBe(code)
    expect(commandLines(result, 'warning')).toHaveLength(warned ? 1 : 0)
    expect(commandLines(result, 'error')).toHaveLength(expected === 'fail' ? 1 : 0)
    if (expected !== 'pass') expect(result.outputs['stale-count']).toBe('8')
  })
})
