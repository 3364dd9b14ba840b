/**
 * Who the user is changes the rule (issue 12), as a user of the action sees it: guests, pending
 * invitations, privileged accounts (active, PIM-eligible, through a role-assignable group),
 * licences and agent identities, each input on its own; the report fields, outputs and summary;
 * requests O(pages); a 403 on roles or SKUs is result error naming the permission.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { type ActionRun, runOn } from '../../__fixtures__/action.js'
import { licenses, ROLES } from '../../simulator/catalog.js'
import { DEFAULT_ROLES, startSimulator, type Simulator } from '../../simulator/server.js'
import { fixtureTenant } from '../../simulator/tenant.js'
import type { GraphUser, SimPrincipal } from '../../simulator/types.js'
import {
  ago,
  commandLines,
  csvRecords,
  decodeHtml,
  graphUser,
  signedIn,
  usersById
} from './helpers.js'

const guest = (name: string, overrides: Partial<GraphUser>) =>
  graphUser(name, {
    userType: 'Guest',
    userPrincipalName: `${name}_fabrikam.com#EXT#@contoso.onmicrosoft.com`,
    mail: `${name}@fabrikam.com`,
    externalUserState: 'Accepted',
    externalUserStateChangeDateTime: ago(900.5),
    ...overrides
  })
const pending = (name: string, sent: string | null, created: string) =>
  guest(name, {
    createdDateTime: created,
    externalUserState: 'PendingAcceptance',
    externalUserStateChangeDateTime: sent
  })

const ORPHAN_SKU = 'dddddddd-0000-4000-8000-00000000000d'

const U = {
  member40: graphUser('member40', {
    signInActivity: signedIn(40.5),
    mail: 'member40@contoso.com',
    onPremisesSyncEnabled: true,
    assignedLicenses: licenses('SPE_E3')
  }),
  member100: graphUser('member100', {
    signInActivity: signedIn(100.5),
    assignedLicenses: licenses('SPE_E5', 'POWER_BI_PRO')
  }),
  unlicensed100: graphUser('unlicensed100', { signInActivity: signedIn(100.5) }),
  // A licence whose subscription the tenant no longer lists: shown by its SKU ID.
  orphan: graphUser('orphan', {
    signInActivity: signedIn(5.5),
    assignedLicenses: [{ skuId: ORPHAN_SKU, disabledPlans: [] }]
  }),
  guest40: guest('guest40', { signInActivity: signedIn(40.5) }),
  guest20: guest('guest20', { signInActivity: signedIn(20.5) }),
  pendingOld: pending('pendingold', ago(50.5), ago(50.5)),
  // Re-sent five days ago: the invitation counts, not the account's age.
  pendingResent: pending('pendingresent', ago(5.5), ago(200.5)),
  pendingNoDate: pending('pendingnodate', null, ago(40.5)),
  admin: graphUser('admin', {
    signInActivity: signedIn(45.5),
    assignedLicenses: licenses('SPE_E5')
  }),
  eligible: graphUser('eligible', { signInActivity: signedIn(35.5) }),
  viaGroup: graphUser('viagroup', { signInActivity: signedIn(31.5) }),
  guestAdmin: guest('guestadmin', { signInActivity: signedIn(25.5) }),
  breakGlass: graphUser('breakglass', { signInActivity: null }),
  disabledAdmin: graphUser('disabledadmin', {
    accountEnabled: false,
    signInActivity: signedIn(300.5)
  }),
  agent: graphUser('agent', {
    '@odata.type': '#microsoft.graph.agentUser',
    signInActivity: signedIn(200.5),
    assignedLicenses: licenses('ENTERPRISEPACK')
  })
} satisfies Record<string, GraphUser>

const TIER0: SimPrincipal = {
  '@odata.type': '#microsoft.graph.group',
  id: 'bbbbbbbb-0000-4000-8000-00000000000a',
  displayName: 'Tier 0 admins'
}
const APP: SimPrincipal = {
  '@odata.type': '#microsoft.graph.servicePrincipal',
  id: 'cccccccc-0000-4000-8000-00000000000b',
  displayName: 'Provisioning'
}
const ROLE_PAGE = 2

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({
    tenant: fixtureTenant(Object.values(U), {
      roleAssignments: {
        [U.admin.id]: ['globalAdministrator'],
        [U.guestAdmin.id]: ['userAdministrator'],
        [U.breakGlass.id]: ['globalAdministrator'],
        [U.disabledAdmin.id]: ['globalAdministrator'],
        [TIER0.id]: ['helpdeskAdministrator'],
        [APP.id]: ['userAdministrator']
      },
      roleEligibilities: {
        [U.eligible.id]: ['securityAdministrator'],
        [TIER0.id]: ['globalReader']
      },
      principals: [TIER0, APP],
      groups: { [TIER0.id]: [U.viaGroup.id] },
      rolePageSize: ROLE_PAGE
    })
  })
})
afterAll(() => sim.close())

const EXCLUDE = `${U.breakGlass.id} # break-glass`
const run = (inputs: Record<string, string> = {}) => runOn(sim, { exclude: EXCLUDE, ...inputs })
const status = (result: ActionRun, user: GraphUser) => usersById(result).get(user.id)?.status
const reason = (result: ActionRun, user: GraphUser) =>
  usersById(result).get(user.id)?.reason as string

describe('defaults: one rule for everyone, new fields in the report', () => {
  let result: ActionRun
  beforeAll(async () => {
    sim.resetRequests()
    result = await run()
  })

  test('guests follow threshold-days; agents are skipped as agent identities', () => {
    expect(result.code).toBe(1)
    expect(status(result, U.guest40)).toBe('active')
    expect(status(result, U.member100)).toBe('stale')
    expect(status(result, U.agent)).toBe('skipped')
    expect(reason(result, U.agent)).toMatch(/agent identity/)
    expect(reason(result, U.agent)).toMatch(/include-agents/)
  })

  test('pending invitations: stale by the invitation date (default: the guest threshold)', () => {
    expect(status(result, U.pendingOld)).toBe('active')
    expect(reason(result, U.pendingOld)).toMatch(/^invitation sent 50 days ago, not accepted/)
    expect(status(result, U.pendingResent)).toBe('active')
    expect(result.outputs['pending-invitation-count']).toBe('3')
  })

  test('report fields: mail, onPremisesSyncEnabled, externalUserState, licenses, privilegedRoles', () => {
    const member = usersById(result).get(U.member40.id)!
    expect(member).toMatchObject({
      mail: 'member40@contoso.com',
      onPremisesSyncEnabled: true,
      externalUserState: null,
      licenses: ['SPE_E3'],
      privilegedRoles: null
    })
    expect(usersById(result).get(U.member100.id)!.licenses).toEqual(['SPE_E5', 'POWER_BI_PRO'])
    expect(usersById(result).get(U.pendingOld.id)!.externalUserState).toBe('PendingAcceptance')
    expect(usersById(result).get(U.orphan.id)!.licenses).toEqual([ORPHAN_SKU])
    expect(result.json().schemaVersion).toBe(1)
    const rows = csvRecords(result)
    const row = rows.find((r) => r.id === U.member100.id)!
    expect(row.licenses).toBe('SPE_E5;POWER_BI_PRO')
    expect(row.privilegedRoles).toBe('')
    expect(rows.find((r) => r.id === U.member40.id)!.onPremisesSyncEnabled).toBe('true')
  })

  test('licensed stale users and their SKUs in the outputs and the summary', () => {
    // member100 (E5 + Power BI) is the only stale licensed user checked.
    expect(result.outputs['licensed-stale-count']).toBe('1')
    const licences = decodeHtml(result.summary)
      .split('\n')
      .find((line) => line.includes('Licences of stale users'))!
    expect(licences).toMatch(/POWER_BI_PRO × 1/)
    expect(licences).toMatch(/SPE_E5 × 1/)
    expect(licences).not.toMatch(/SPE_E3/)
    expect(result.outputs['privileged-stale-count']).toBe('0')
  })

  test('roles are not read without privileged-threshold-days; SKUs once, before the users', () => {
    const targets = sim.requests.map((r) => r.target).filter((t) => t !== 'token')
    expect(targets.filter((t) => t.startsWith('role'))).toEqual([])
    expect(targets.indexOf('subscribedSkus')).toBeLessThan(targets.indexOf('users'))
    expect(targets.filter((t) => t === 'subscribedSkus')).toHaveLength(1)
  })
})

describe('guest-threshold-days and warn-days', () => {
  test('guests stale at their threshold; warn only when warn-days is below it', async () => {
    const result = await run({ 'guest-threshold-days': '30', 'warn-days': '14' })
    expect(status(result, U.guest40)).toBe('stale')
    expect(reason(result, U.guest40)).toMatch(/guest.*stale at 30/)
    expect(status(result, U.guest20)).toBe('warn')
    expect(status(result, U.member40)).toBe('warn')
    const shorter = await run({ 'guest-threshold-days': '10', 'warn-days': '14' })
    // warn-days 14 is not below 10: no warn tier for guests.
    expect(status(shorter, U.guest20)).toBe('stale')
    expect(status(shorter, U.member40)).toBe('warn')
  })
})

describe('invitation-days', () => {
  test('an invitation older than invitation-days is stale, with its reason', async () => {
    const result = await run({ 'invitation-days': '30' })
    expect(status(result, U.pendingOld)).toBe('stale')
    expect(reason(result, U.pendingOld)).toMatch(/^invitation sent 50 days ago, never accepted/)
    expect(status(result, U.pendingResent)).toBe('active')
    // No change date: counted from createdDateTime.
    expect(status(result, U.pendingNoDate)).toBe('stale')
    expect(reason(result, U.pendingNoDate)).toMatch(/^invitation sent 40 days ago, never accepted/)
    expect(result.outputs['pending-invitation-count']).toBe('3')
    expect(result.summary).toMatch(/Pending invitations/i)
  })
})

describe('privileged-threshold-days', () => {
  let result: ActionRun
  beforeAll(async () => {
    sim.resetRequests()
    result = await run({ 'privileged-threshold-days': '30', 'guest-threshold-days': '10' })
  })

  test('active, eligible and group-held roles are stale at the privileged threshold', () => {
    for (const user of [U.admin, U.eligible, U.viaGroup]) expect(status(result, user)).toBe('stale')
    expect(reason(result, U.admin)).toMatch(/privileged: Global Administrator.*stale at 30/)
    const users = usersById(result)
    expect(users.get(U.admin.id)!.privilegedRoles).toEqual(['Global Administrator'])
    expect(users.get(U.eligible.id)!.privilegedRoles).toEqual(['Security Administrator'])
    expect(users.get(U.viaGroup.id)!.privilegedRoles).toEqual([
      'Global Reader',
      'Helpdesk Administrator'
    ])
    expect(users.get(U.member40.id)!.privilegedRoles).toEqual([])
    expect(csvRecords(result).find((r) => r.id === U.viaGroup.id)!.privilegedRoles).toBe(
      'Global Reader;Helpdesk Administrator'
    )
  })

  test('precedence: privileged beats the guest tier; excluded and skipped beat privileged', () => {
    // A guest admin 25 days inactive: the privileged threshold (30), not the guest one (10).
    expect(status(result, U.guestAdmin)).toBe('active')
    expect(status(result, U.breakGlass)).toBe('excluded')
    expect(status(result, U.disabledAdmin)).toBe('skipped')
    expect(result.outputs['privileged-stale-count']).toBe('3')
  })

  test('roles read once, paged, before the users: requests O(pages), stated in the log', () => {
    const graph = sim.requests.filter((r) => /^\/(beta|v1\.0)\//.test(r.url))
    const of = (target: string) => graph.filter((r) => r.target === target).length
    expect(of('roleDefinitions')).toBe(Math.ceil(Object.keys(ROLES).length / ROLE_PAGE))
    // 6 active and 2 eligible grants at 2 a page.
    expect(of('roleAssignments')).toBe(3)
    expect(of('roleEligibilitySchedules')).toBe(1)
    expect(of('groups')).toBe(1)
    expect(of('subscribedSkus')).toBe(1)
    expect(of('users')).toBe(1)
    const firstUsers = graph.findIndex((r) => r.target === 'users')
    expect(graph.slice(firstUsers).every((r) => r.target === 'users')).toBe(true)
    expect(result.stdout).toMatch(new RegExp(`\\b${graph.length} Graph requests\\b`))
  })

  test('the summary marks privileged users and counts the privileged group', () => {
    expect(result.summary).toMatch(/Privileged/)
    const adminLine = result.summary.split('\n').find((line) => line.includes('admin@'))!
    expect(adminLine).toMatch(/Global Administrator/)
  })
})

describe('licensed-only and include-agents', () => {
  test('licensed-only checks only licence holders; the others are skipped with the reason', async () => {
    const result = await run({ 'licensed-only': 'true' })
    expect(status(result, U.unlicensed100)).toBe('skipped')
    expect(reason(result, U.unlicensed100)).toMatch(/licen[cs]e.*licensed-only/)
    expect(status(result, U.member100)).toBe('stale')
    expect(result.outputs['stale-count']).toBe('1')
  })

  test('include-agents checks agent identities like other users', async () => {
    const result = await run({ 'include-agents': 'true' })
    expect(status(result, U.agent)).toBe('stale')
    expect(usersById(result).get(U.agent.id)!.licenses).toEqual(['ENTERPRISEPACK'])
  })
})

describe('bad values of the new inputs: one line naming the input, zero requests', () => {
  test.each([
    ['guest-threshold-days', '0'],
    ['guest-threshold-days', 'ninety'],
    ['invitation-days', '-3'],
    ['privileged-threshold-days', '1.5'],
    ['licensed-only', 'yes please'],
    ['include-agents', 'maybe']
  ])('%s: %s', async (input, value) => {
    sim.resetRequests()
    const result = await run({ [input]: value })
    expect(result.code).toBe(1)
    const errors = commandLines(result, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`'${input}'`)
    expect(errors[0]).toContain(value)
    expect(sim.requests).toHaveLength(0)
  })
})

describe('roles or licences that cannot be read fail closed', () => {
  const NO_ROLES = '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a'
  const NO_SKUS = '8e9f0a1b-2c3d-4e4f-9a5b-6c7d8e9f0a1b'
  beforeAll(() => {
    sim.apps.push(
      {
        clientId: NO_ROLES,
        secret: 'no-roles',
        roles: DEFAULT_ROLES.filter((r) => r !== 'RoleManagement.Read.Directory')
      },
      {
        clientId: NO_SKUS,
        secret: 'no-skus',
        roles: DEFAULT_ROLES.filter((r) => r !== 'LicenseAssignment.Read.All')
      }
    )
  })

  test('403 on role assignments: result error naming RoleManagement.Read.Directory', async () => {
    const result = await run({
      'client-id': NO_ROLES,
      'client-secret': 'no-roles',
      'privileged-threshold-days': '30'
    })
    expect(result.code).toBe(1)
    expect(result.outputs.result).toBe('error')
    expect(commandLines(result, 'error').join('\n')).toMatch(/RoleManagement\.Read\.Directory/)
    expect(result.outputs['report-json'] ?? '').toBe('')
  })

  test('403 on subscribedSkus: result error naming LicenseAssignment.Read.All', async () => {
    const result = await run({ 'client-id': NO_SKUS, 'client-secret': 'no-skus' })
    expect(result.code).toBe(1)
    expect(result.outputs.result).toBe('error')
    expect(commandLines(result, 'error').join('\n')).toMatch(/LicenseAssignment\.Read\.All/)
  })

  test('a role list that keeps failing is an error, never a pass', async () => {
    sim.addFault({
      target: 'roleEligibilitySchedules',
      kind: 'status',
      status: 500,
      times: Infinity
    })
    try {
      const result = await run({ 'privileged-threshold-days': '30', 'on-stale': 'none' })
      expect(result.outputs.result).toBe('error')
    } finally {
      sim.clearFaults()
    }
  })
})

describe('baseline: reports written before and after the new fields', () => {
  test('an earlier report without them and a report with them both work as a baseline', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'e2e-tiers-baseline-'))
    // A report as the action wrote it before issue 12: only the old user columns and counts.
    const before = {
      schemaVersion: 1,
      generatedAt: ago(30.5),
      tenantId: sim.tenantId,
      cloud: 'global',
      graphVersion: 'beta',
      source: 'sign-in-activity',
      policy: {},
      users: [
        { id: U.member100.id, userPrincipalName: U.member100.userPrincipalName, status: 'stale' }
      ],
      counts: { users: 1, checked: 1, stale: 1 },
      result: 'fail'
    }
    writeFileSync(join(workspace, 'before.json'), JSON.stringify(before))
    const old = await runOn(sim, { exclude: EXCLUDE, baseline: 'before.json' }, { workspace })
    expect(old.outputs.result).toBe('fail')
    // member100 was stale then; unlicensed100 is the one new stale user.
    expect(old.outputs['stale-count']).toBe('2')
    expect(old.outputs['new-stale-count']).toBe('1')
    writeFileSync(join(workspace, 'after.json'), readFileSync(old.outputs['report-json'], 'utf8'))
    const again = await runOn(sim, { exclude: EXCLUDE, baseline: 'after.json' }, { workspace })
    expect(again.outputs['new-stale-count']).toBe('0')
    expect(usersById(again).get(U.member100.id)!.licenses).toEqual(['SPE_E5', 'POWER_BI_PRO'])
  })
})
