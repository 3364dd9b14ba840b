/**
 * `baseline` and `fail-on` end to end: a pull-request gate compares the tenant with an earlier
 * report, counts the users who became stale since (`new-stale-count`), lists new, still and
 * no-longer stale users in the summary, and with `fail-on: new` fails only on new ones. Bad
 * baseline inputs fail before any request.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { runAction, simInputs, type ActionRun } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { fixtureTenant } from '../../simulator/tenant.js'
import type { GraphUser } from '../../simulator/types.js'
import { commandLines, decodeHtml, graphUser, reportDirFiles, signedIn } from './helpers.js'

const BASELINE = 'reports/baseline.json'

// Stale in the baseline and now: still stale.
const still1 = graphUser('still-one', { signInActivity: signedIn(300.5) })
const still2 = graphUser('still-two', { signInActivity: signedIn(200.5) })
// Stale in the baseline, then signed in again: no longer stale.
const back = graphUser('came-back', { signInActivity: signedIn(150.5) })
// Active in the baseline, stale now: new stale.
const drifted = graphUser('drifted', { signInActivity: signedIn(10.5) })
const left = graphUser('left-company', { signInActivity: signedIn(20.5) })
const steady = graphUser('steady', { signInActivity: signedIn(1.5) })
const users = [still1, still2, back, drifted, left, steady]
const upn = (user: GraphUser) => user.userPrincipalName

/** The tenant as it was when the baseline was taken, and as it is now. */
function tenantThen() {
  back.signInActivity = signedIn(150.5)
  drifted.signInActivity = signedIn(10.5)
  left.signInActivity = signedIn(20.5)
}
function tenantNow() {
  back.signInActivity = signedIn(2.5)
  drifted.signInActivity = signedIn(95.5)
  left.signInActivity = signedIn(120.5)
}

let sim: Simulator
let workspace: string
let first: ActionRun
beforeAll(async () => {
  sim = await startSimulator({ tenant: fixtureTenant(users) })
  workspace = mkdtempSync(join(tmpdir(), 'e2e-baseline-'))
  mkdirSync(join(workspace, 'reports'))
  tenantThen()
  first = await runAction({
    inputs: { ...simInputs(sim), 'on-stale': 'warn' },
    caPath: sim.caPath,
    workspace
  })
  writeFileSync(join(workspace, BASELINE), readFileSync(first.outputs['report-json'], 'utf8'))
  tenantNow()
})
afterAll(() => sim.close())
beforeEach(() => sim.resetRequests())

const gate = (extra: Record<string, string>) =>
  runAction({
    inputs: { ...simInputs(sim), baseline: BASELINE, ...extra },
    caPath: sim.caPath,
    workspace
  })

/** The summary's counts line: `Tenant … · N users · … · N skipped[ · N new stale]`. */
const countsLine = (run: ActionRun) =>
  decodeHtml(run.summary)
    .split('\n')
    .find((line) => line.startsWith('<p>Tenant ')) ?? ''

test('without a baseline every stale user is new: new-stale-count = stale-count', () => {
  expect(first.outputs['stale-count']).toBe('3')
  expect(first.outputs['new-stale-count']).toBe('3')
  expect(first.json().counts.newStale).toBe(3)
})

test('without a baseline the summary shows no new-stale figure: there was nothing to compare', () => {
  expect(countsLine(first)).toContain('<b>3 stale</b>')
  expect(countsLine(first)).not.toContain('new stale')
  expect(decodeHtml(first.summary)).not.toContain('new stale')
})

describe('against the baseline', () => {
  let run: ActionRun
  beforeAll(async () => {
    run = await gate({ 'on-stale': 'warn' })
  })

  test('new-stale-count counts only users stale now and not then', () => {
    expect(run.outputs['stale-count']).toBe('4')
    expect(run.outputs['new-stale-count']).toBe('2')
    expect(run.json().counts.newStale).toBe(2)
    expect(run.json().policy.baseline).toBe(BASELINE)
    expect(run.code).toBe(0)
  })

  test('the summary lists new, still and no-longer stale users', () => {
    const summary = decodeHtml(run.summary)
    expect(summary).toContain(
      `Against the baseline of ${first.json().generatedAt}: 2 new stale, 2 still stale, 1 no longer stale.`
    )
    const line = (label: string) =>
      summary.split('\n').find((text) => text.startsWith(`<p>${label} (`)) ?? ''
    expect(line('New stale')).toContain('(2)')
    for (const user of [drifted, left]) expect(line('New stale')).toContain(upn(user))
    expect(line('Still stale')).toContain('(2)')
    for (const user of [still1, still2]) expect(line('Still stale')).toContain(upn(user))
    expect(line('No longer stale')).toBe(`<p>No longer stale (1): ${upn(back)}.</p>`)
    expect(line('New stale')).not.toContain(upn(still1))
  })

  test('with a baseline the counts line shows the new-stale figure', () => {
    expect(countsLine(run)).toContain('<b>4 stale</b>')
    expect(countsLine(run)).toMatch(/ · 2 new stale<\/p>$/)
  })
})

describe('fail-on: new', () => {
  test('fails when new stale users exceed max-stale, naming the new count', async () => {
    const run = await gate({ 'fail-on': 'new', 'max-stale': '1' })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('fail')
    expect(run.outputs['new-stale-count']).toBe('2')
    expect(commandLines(run, 'error')).toEqual([
      expect.stringContaining('2 new stale user(s) exceed max-stale 1')
    ])
  })

  test('stale users already in the baseline do not count against max-stale (warn, exit 0)', async () => {
    const run = await gate({ 'fail-on': 'new', 'max-stale': '2' })
    expect(run.outputs['stale-count']).toBe('4')
    expect(run.outputs.result).toBe('warn')
    expect(run.code).toBe(0)
    // fail-on any would fail on the same tenant and the same max-stale.
    const any = await gate({ 'fail-on': 'any', 'max-stale': '2' })
    expect(any.outputs.result).toBe('fail')
    expect(any.code).toBe(1)
  })

  test('a baseline holding every stale user: nothing new, the gate passes with a warning', async () => {
    const now = await gate({ 'on-stale': 'warn' })
    writeFileSync(join(workspace, 'reports/now.json'), readFileSync(now.outputs['report-json']))
    const run = await gate({ baseline: 'reports/now.json', 'fail-on': 'new' })
    expect(run.outputs['stale-count']).toBe('4')
    expect(run.outputs['new-stale-count']).toBe('0')
    expect(run.outputs.result).toBe('warn')
    expect(run.code).toBe(0)
    expect(commandLines(run, 'error')).toEqual([])
    expect(decodeHtml(run.summary)).toContain('0 new stale, 4 still stale, 0 no longer stale.')
  })

  test('redact: summary masks the UPNs the baseline lists', async () => {
    const run = await gate({ 'on-stale': 'warn', redact: 'summary' })
    const summary = decodeHtml(run.summary)
    expect(summary).toContain('No longer stale (1): c***@contoso.onmicrosoft.com.')
    for (const user of users) expect(summary).not.toContain(upn(user))
  })
})

describe('bad baseline inputs fail before any request', () => {
  test('fail-on new without a baseline', async () => {
    const run = await runAction({
      inputs: { ...simInputs(sim), 'fail-on': 'new' },
      caPath: sim.caPath,
      workspace
    })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    expect(commandLines(run, 'error')).toEqual([expect.stringMatching(/Input 'fail-on'.*baseline/)])
    expect(sim.requests).toHaveLength(0)
    expect(reportDirFiles(run)).toEqual([])
  })

  test.each([
    ['JSON that is not a report', 'reports/other.json', '{"name":"package","version":"1.0.0"}'],
    ['text that is not JSON', 'reports/notes.txt', 'stale users: none\n'],
    ['a report of another schema version', 'reports/v2.json', '{"schemaVersion":2,"users":[]}']
  ])('%s', async (_, path, text) => {
    writeFileSync(join(workspace, path), text)
    const run = await gate({ baseline: path, 'fail-on': 'new' })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    const errors = commandLines(run, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain("Input 'baseline'")
    expect(errors[0]).toContain(path)
    expect(sim.requests).toHaveLength(0)
  })

  test('a baseline file that does not exist', async () => {
    const run = await gate({ baseline: 'reports/missing.json' })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')[0]).toMatch(/Input 'baseline'.*not found/)
    expect(sim.requests).toHaveLength(0)
  })
})
