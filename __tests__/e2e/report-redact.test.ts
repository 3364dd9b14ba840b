/**
 * `redact`: none shows UPNs and names; summary masks them in the job summary and the log; all
 * also in the report files. Object IDs are never masked.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { runAction, simInputs, type ActionRun } from '../../__fixtures__/action.js'
import { expectValidReport } from '../../__fixtures__/schema.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { fixtureTenant } from '../../simulator/tenant.js'
import { csvRecords, decodeHtml, graphUser, signedIn, unmaskedLog } from './helpers.js'

const jane = graphUser('jane.doe', { displayName: 'Jane Doe', signInActivity: signedIn(200.5) })
const guest = graphUser('ext.partner', {
  userPrincipalName: 'ext.partner_fabrikam.com#EXT#@contoso.onmicrosoft.com',
  displayName: 'Ext Partner',
  userType: 'Guest',
  signInActivity: null
})
const active = graphUser('active.person', {
  displayName: 'Active Person',
  signInActivity: signedIn(2.5)
})
const USERS = [jane, guest, active]
/** What must never show where redaction applies: local parts and names. */
const SECRETS = [
  'jane.doe',
  'Jane Doe',
  'ext.partner',
  'Ext Partner',
  'active.person',
  'Active Person'
]

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ tenant: fixtureTenant(USERS) })
})
afterAll(() => sim.close())

/** An expired exclusion is named in the summary: its UPN must be masked like the rest. */
const EXCLUDE = 'jane.doe@contoso.onmicrosoft.com until:2020-01-01 # left in 2019'

function run(redact: string): Promise<ActionRun> {
  return runAction({
    inputs: { ...simInputs(sim), redact, exclude: EXCLUDE, 'on-stale': 'warn' },
    caPath: sim.caPath
  })
}

const log = (result: ActionRun) => unmaskedLog(`${result.stdout}\n${result.stderr}`)

describe.each(['none', 'summary', 'all'])('redact: %s', (redact) => {
  let result: ActionRun
  beforeAll(async () => {
    result = await run(redact)
  })

  test('the summary and the log show or mask UPNs and names', () => {
    expect(result.code).toBe(0)
    expect(result.outputs['stale-count']).toBe('2')
    const summary = decodeHtml(result.summary)
    if (redact === 'none') {
      expect(summary).toContain('jane.doe@contoso.onmicrosoft.com')
      expect(summary).toContain('Jane Doe')
      expect(summary).toContain('ext.partner_fabrikam.com#EXT#@contoso.onmicrosoft.com')
    } else {
      for (const secret of SECRETS) {
        expect(summary).not.toContain(secret)
        expect(log(result)).not.toContain(secret)
      }
      expect(summary).toContain('<td>j***@contoso.onmicrosoft.com</td><td>J***</td>')
      expect(summary).toContain('<td>e***@contoso.onmicrosoft.com</td><td>E***</td>')
      // The expired exclusion's note is masked too.
      expect(summary).toMatch(/Expired exclusion[^<]*j\*\*\*@contoso\.onmicrosoft\.com/)
    }
  })

  test('the report files are masked only for all, and keep every object ID', () => {
    const report = result.json()
    expectValidReport(report)
    const byId = new Map(report.users.map((user) => [user.id, user]))
    expect([...byId.keys()].sort()).toEqual(USERS.map((user) => user.id).sort())
    const csv = csvRecords(result)
    expect(csv.map((row) => row.id).sort()).toEqual(USERS.map((user) => user.id).sort())
    if (redact === 'all') {
      expect(byId.get(jane.id)).toMatchObject({
        userPrincipalName: 'j***@contoso.onmicrosoft.com',
        displayName: 'J***',
        status: 'stale',
        daysInactive: 200
      })
      expect(byId.get(active.id)).toMatchObject({
        userPrincipalName: 'a***@contoso.onmicrosoft.com',
        displayName: 'A***'
      })
      const files = `${JSON.stringify(report)}\n${result.csv()}`
      for (const secret of SECRETS) expect(files).not.toContain(secret)
      // The report's policy echoes the exclusion with its UPN masked as well.
      expect(JSON.stringify(report.policy)).not.toContain('jane.doe')
    } else {
      expect(byId.get(jane.id)).toMatchObject({
        userPrincipalName: 'jane.doe@contoso.onmicrosoft.com',
        displayName: 'Jane Doe'
      })
      expect(csv.find((row) => row.id === guest.id)?.userPrincipalName).toBe(
        guest.userPrincipalName
      )
    }
  })
})

test('redact masks the password-flow account in a sign-in error, in the log and the summary', async () => {
  const account = `mfa.user@${sim.domain}`
  const inputs = {
    ...simInputs(sim),
    'auth-method': 'password',
    username: account,
    password: 'Correct-Horse-9'
  }
  const plain = await runAction({ inputs, caPath: sim.caPath })
  expect(plain.outputs.result).toBe('error')
  // Without redact the account is named: it is the one that must do MFA.
  expect(plain.stdout).toMatch(new RegExp(`::error::.*${account.replace(/[.]/g, '\\.')}`))

  const masked = await runAction({ inputs: { ...inputs, redact: 'summary' }, caPath: sim.caPath })
  expect(masked.outputs.result).toBe('error')
  expect(masked.code).toBe(1)
  expect(log(masked)).not.toContain('mfa.user')
  expect(decodeHtml(masked.summary)).not.toContain('mfa.user')
  expect(masked.stdout).toMatch(
    new RegExp(`::error::.*m\\*\\*\\*@${sim.domain.replace(/[.]/g, '\\.')}`)
  )
  expect(decodeHtml(masked.summary)).toContain(`m***@${sim.domain}`)
})
