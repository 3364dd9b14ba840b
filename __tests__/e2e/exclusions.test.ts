/**
 * Exclusions a pull-request gate keeps in its repository, end to end: `exclude-groups` (transitive
 * members, every page, errors instead of a silently empty exclusion) and `exclude-file` (globs,
 * object IDs, reasons, `until:` expiry listed in the summary, bad lines refused before any request).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { runAction, simInputs } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { fixtureTenant } from '../../simulator/tenant.js'
import {
  commandLines,
  decodeHtml,
  graphUser,
  reportDirFiles,
  signedIn,
  userRequests,
  usersById
} from './helpers.js'

const BREAK_GLASS_GROUP = '5b1e0c1a-7d2f-4a3b-9c4d-0e1f2a3b4c5d'
const SERVICE_GROUP = '6c2f1d2b-8e3a-4b4c-8d5e-1f2a3b4c5d6e'
const UNKNOWN_GROUP = '7d3a2e3c-9f4b-4c5d-9e6f-2a3b4c5d6e7f'

const breakGlass = graphUser('breakglass1')
const nested = graphUser('nested-admin', { signInActivity: signedIn(400.5) })
const service = graphUser('svc-backup', { signInActivity: signedIn(300.5) })
const stale = graphUser('bob', { signInActivity: signedIn(200.5) })
const active = graphUser('alice', { signInActivity: signedIn(3.5) })
const contractor = graphUser('contractor', { signInActivity: signedIn(150.5) })
const intern = graphUser('intern', { signInActivity: signedIn(120.5) })
const legacy = graphUser('legacy-sync', { signInActivity: signedIn(500.5) })
/** 60 a's before the domain: the UPN a backtracking glob matcher takes minutes on. */
const longA = graphUser('a'.repeat(60), { signInActivity: signedIn(3.5) })
const users = [breakGlass, nested, service, stale, active, contractor, intern, legacy, longA]

/** 1000 members that are not users of the tenant first, so the real ones sit on page 2. */
const filler = Array.from(
  { length: 1000 },
  (_, index) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`
)

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({
    tenant: fixtureTenant(users, {
      groups: {
        [BREAK_GLASS_GROUP]: [...filler, breakGlass.id, nested.id],
        [SERVICE_GROUP]: [service.id, breakGlass.id]
      }
    })
  })
})
afterAll(() => sim.close())
beforeEach(() => {
  sim.resetRequests()
  sim.clearFaults()
})

const groupRequests = () =>
  sim.requests.filter((request) => request.target === 'groups' && !request.inBatch)

describe('exclude-groups', () => {
  test('transitive members on every page are excluded, the reason naming the group', async () => {
    const run = await runAction({
      inputs: {
        ...simInputs(sim),
        'exclude-groups': `${BREAK_GLASS_GROUP}\n${SERVICE_GROUP.toUpperCase()}`,
        'on-stale': 'warn'
      },
      caPath: sim.caPath
    })
    expect(run.code).toBe(0)
    const breakGlassPages = groupRequests().filter((request) =>
      request.url.includes(`/groups/${BREAK_GLASS_GROUP}/transitiveMembers`)
    )
    expect(breakGlassPages).toHaveLength(2)
    expect(breakGlassPages[0].url).toContain('$top=999')
    expect(groupRequests()).toHaveLength(3)
    const report = usersById(run)
    expect(report.get(breakGlass.id)).toMatchObject({
      status: 'excluded',
      reason: `excluded: member of group ${BREAK_GLASS_GROUP}`
    })
    // Listed on the second page of the group's members only.
    expect(report.get(nested.id)).toMatchObject({
      status: 'excluded',
      reason: `excluded: member of group ${BREAK_GLASS_GROUP}`
    })
    expect(report.get(service.id)?.status).toBe('excluded')
    expect(String(report.get(service.id)?.reason).toLowerCase()).toBe(
      `excluded: member of group ${SERVICE_GROUP}`
    )
    expect(report.get(stale.id)?.status).toBe('stale')
    expect(run.outputs['excluded-count']).toBe('3')
    expect(run.outputs['user-count']).toBe(String(users.length))
    expect(run.json().policy.excludeGroups).toEqual([
      BREAK_GLASS_GROUP,
      SERVICE_GROUP.toUpperCase()
    ])
  })

  test('a group Graph does not know fails the run naming the group; no report', async () => {
    const run = await runAction({
      inputs: { ...simInputs(sim), 'exclude-groups': `${SERVICE_GROUP},${UNKNOWN_GROUP}` },
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    const errors = commandLines(run, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`exclude-groups`)
    expect(errors[0]).toContain(UNKNOWN_GROUP)
    expect(errors[0]).toMatch(/does not find|not found/)
    expect(reportDirFiles(run)).toEqual([])
    expect(run.outputs['user-count']).toBeUndefined()
    expect(userRequests(sim)).toHaveLength(0)
  })

  test('an app without GroupMember.Read.All gets an error naming the permission, not an empty exclusion', async () => {
    const clientId = '2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b'
    const secret = 'NoGroups~secret_0123456789abcdefghij'
    if (!sim.apps.some((app) => app.clientId === clientId))
      sim.apps.push({ clientId, secret, roles: ['User.Read.All', 'AuditLog.Read.All'] })
    const run = await runAction({
      inputs: {
        ...simInputs(sim),
        'client-id': clientId,
        'client-secret': secret,
        'exclude-groups': BREAK_GLASS_GROUP
      },
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    const errors = commandLines(run, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(BREAK_GLASS_GROUP)
    expect(errors[0]).toContain('403')
    expect(errors[0]).toContain('GroupMember.Read.All')
    expect(reportDirFiles(run)).toEqual([])
    expect(userRequests(sim)).toHaveLength(0)
  })
})

describe('exclude-file', () => {
  const FILE = '.github/entra-exclusions.txt'
  function workspaceWith(text: string): string {
    const workspace = mkdtempSync(join(tmpdir(), 'e2e-workspace-'))
    mkdirSync(join(workspace, '.github'))
    writeFileSync(join(workspace, FILE), text)
    return workspace
  }

  test('globs, object IDs and reasons exclude; an expired until: does not and is listed in the summary', async () => {
    const workspace = workspaceWith(
      [
        '# Accounts the inactivity policy does not apply to (reviewed quarterly)',
        'svc-*@contoso.onmicrosoft.com   # service accounts, owned by the platform team',
        `${legacy.id.toUpperCase()}  # legacy HR sync account`,
        '',
        'contractor@contoso.onmicrosoft.com until:2020-01-31  # contract ended',
        'INTERN@contoso.onmicrosoft.com until:2999-12-31 # internship'
      ].join('\r\n')
    )
    const run = await runAction({
      inputs: {
        ...simInputs(sim),
        'exclude-file': FILE,
        exclude: 'breakglass?@contoso.onmicrosoft.com # emergency access',
        'on-stale': 'warn'
      },
      caPath: sim.caPath,
      workspace
    })
    expect(run.code).toBe(0)
    const report = usersById(run)
    expect(report.get(service.id)).toMatchObject({
      status: 'excluded',
      reason: `excluded by exclude-file ${FILE} line 2: service accounts, owned by the platform team`
    })
    expect(report.get(legacy.id)).toMatchObject({
      status: 'excluded',
      reason: `excluded by exclude-file ${FILE} line 3: legacy HR sync account`
    })
    expect(report.get(intern.id)).toMatchObject({
      status: 'excluded',
      reason: `excluded by exclude-file ${FILE} line 6: internship`
    })
    expect(report.get(breakGlass.id)).toMatchObject({
      status: 'excluded',
      reason: 'excluded by exclude line 1: emergency access'
    })
    // Expired on 2020-01-31: checked like anyone else.
    expect(report.get(contractor.id)?.status).toBe('stale')
    expect(report.get(stale.id)?.status).toBe('stale')
    expect(report.get(nested.id)?.status).toBe('stale')
    expect(run.outputs['excluded-count']).toBe('4')
    expect(run.outputs['stale-count']).toBe('3')

    const summary = decodeHtml(run.summary)
    expect(summary).toContain(
      `Expired exclusion (no longer applied): contractor@contoso.onmicrosoft.com until 2020-01-31 (exclude-file ${FILE} line 5: contract ended).`
    )
    expect(summary).not.toMatch(/Expired exclusion[^<]*intern/i)
    const rules = run.json().policy.exclude as { pattern: string; until: string | null }[]
    expect(rules.map((rule) => [rule.pattern, rule.until])).toEqual([
      ['breakglass?@contoso.onmicrosoft.com', null],
      ['svc-*@contoso.onmicrosoft.com', null],
      [legacy.id.toUpperCase(), null],
      ['contractor@contoso.onmicrosoft.com', '2020-01-31'],
      ['INTERN@contoso.onmicrosoft.com', '2999-12-31']
    ])
    expect(run.json().policy.excludeFile).toBe(FILE)
  })

  test('globs that make a backtracking matcher hang are matched at once', async () => {
    const twelve = '*a'.repeat(12)
    const workspace = workspaceWith(`${twelve}*b # nobody: no b anywhere\n${twelve}*m # the a's\n`)
    const run = await runAction({
      inputs: { ...simInputs(sim), 'exclude-file': FILE, 'on-stale': 'warn' },
      caPath: sim.caPath,
      workspace,
      // The old matcher took over a minute on the first line alone.
      timeoutMs: 30_000
    })
    expect(run.code).toBe(0)
    const report = usersById(run)
    expect(report.get(longA.id)).toMatchObject({
      status: 'excluded',
      reason: `excluded by exclude-file ${FILE} line 2: the a's`
    })
    expect(run.outputs['excluded-count']).toBe('1')
  })

  test('a bad line fails naming the file and the line, before any request', async () => {
    const workspace = workspaceWith(
      ['svc-*@contoso.onmicrosoft.com # service accounts', '', 'bob # typo: not a UPN'].join('\n')
    )
    const run = await runAction({
      inputs: { ...simInputs(sim), 'exclude-file': FILE },
      caPath: sim.caPath,
      workspace
    })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    const errors = commandLines(run, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`exclude-file ${FILE} line 3`)
    // The line number, never the file's content.
    expect(errors[0]).not.toContain('bob')
    expect(sim.requests).toHaveLength(0)
    expect(reportDirFiles(run)).toEqual([])
  })

  test('an impossible until: date fails naming the file and the line, before any request', async () => {
    const workspace = workspaceWith('contractor@contoso.onmicrosoft.com until:2025-02-30 # ends\n')
    const run = await runAction({
      inputs: { ...simInputs(sim), 'exclude-file': FILE },
      caPath: sim.caPath,
      workspace
    })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')[0]).toContain(`exclude-file ${FILE} line 1`)
    expect(commandLines(run, 'error')[0]).toContain('until:YYYY-MM-DD')
    expect(sim.requests).toHaveLength(0)
  })

  test('a file that is not in the workspace fails naming the input, before any request', async () => {
    const run = await runAction({
      inputs: { ...simInputs(sim), 'exclude-file': 'missing/exclusions.txt' },
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')[0]).toMatch(
      /Input 'exclude-file'.*not found.*missing\/exclusions\.txt/
    )
    expect(sim.requests).toHaveLength(0)
  })
})
