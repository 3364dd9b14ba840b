/**
 * The files the action reads and writes: `exclude-file` and `baseline` are files in the
 * workspace (or under RUNNER_TEMP) and their content is never echoed; `report-dir` must be a
 * directory; all of it checked before any request. A failed run leaves every file that was there
 * before exactly as it was, and says the report in `report-dir` is an earlier one.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { runAction, simInputs, type ActionRun, type RunOptions } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { fixtureTenant } from '../../simulator/tenant.js'
import { commandLines, decodeHtml, graphUser, signedIn, visible } from './helpers.js'

const PAGE_SIZE = 4
const users = Array.from({ length: 3 * PAGE_SIZE }, (_, index) =>
  graphUser(`paths${index}`, { signInActivity: signedIn(index % 2 === 0 ? 200.5 : 3.5) })
)
/** What a file outside the workspace holds: it must never show in anything the run prints. */
const CONTENT = 'root:x:0:0:TOPSECRET-line:/root:/bin/bash'

let sim: Simulator
/** Outside every workspace: /etc/passwd stand-ins. */
let outside: string
beforeAll(async () => {
  sim = await startSimulator({ tenant: fixtureTenant(users) })
  outside = mkdtempSync(join(tmpdir(), 'e2e-outside-'))
  writeFileSync(join(outside, 'passwd'), `${CONTENT}\n`)
  writeFileSync(join(outside, 'report.json'), JSON.stringify({ schemaVersion: 1, users: [] }))
})
afterAll(() => sim.close())
beforeEach(() => {
  sim.clearFaults()
  sim.resetRequests()
})

const newWorkspace = () => mkdtempSync(join(tmpdir(), 'e2e-paths-'))

function run(
  workspace: string,
  inputs: Record<string, string>,
  options: Omit<RunOptions, 'inputs' | 'caPath' | 'workspace'> = {}
): Promise<ActionRun> {
  return runAction({
    ...options,
    inputs: { ...simInputs(sim), 'page-size': String(PAGE_SIZE), 'on-stale': 'warn', ...inputs },
    caPath: sim.caPath,
    workspace
  })
}

function expectInputError(result: ActionRun, input: string, message: RegExp): void {
  expect(result.code).toBe(1)
  expect(result.outputs.result).toBe('error')
  const errors = commandLines(result, 'error')
  expect(errors).toHaveLength(1)
  expect(errors[0]).toContain(`'${input}'`)
  expect(errors[0]).toMatch(message)
  expect(visible(result)).not.toContain('TOPSECRET')
  // Before any request: not even the token.
  expect(sim.requests).toHaveLength(0)
}

describe('report-dir must be a directory', () => {
  test.each<[string, string]>([
    ['a regular file', 'notes.txt'],
    ['below a regular file', 'notes.txt/reports/today']
  ])('%s is an input error before any request; the file is untouched', async (_, reportDir) => {
    const workspace = newWorkspace()
    writeFileSync(join(workspace, 'notes.txt'), 'keep me\n')
    const result = await run(workspace, { 'report-dir': reportDir })
    expectInputError(result, 'report-dir', /notes\.txt.* is a file/)
    expect(readFileSync(join(workspace, 'notes.txt'), 'utf8')).toBe('keep me\n')
  })
})

describe.each(['exclude-file', 'baseline'])('%s', (input) => {
  test('a directory is an input error before any request', async () => {
    const workspace = newWorkspace()
    mkdirSync(join(workspace, 'config'))
    const result = await run(workspace, { [input]: 'config' })
    expectInputError(result, input, /"config" is a directory/)
  })

  test.each<[string, (workspace: string) => string]>([
    ['a ../ path', (workspace) => relative(workspace, join(outside, 'passwd'))],
    ['an absolute path', () => join(outside, 'passwd')],
    [
      'a symlink in the workspace',
      (workspace) => {
        symlinkSync(join(outside, 'passwd'), join(workspace, 'linked.txt'))
        return 'linked.txt'
      }
    ],
    [
      'a symlinked folder in the workspace',
      (workspace) => {
        symlinkSync(outside, join(workspace, 'shared'))
        return 'shared/passwd'
      }
    ]
  ])('%s leading outside the workspace is refused, its content never shown', async (_, path) => {
    const workspace = newWorkspace()
    const result = await run(workspace, { [input]: path(workspace) })
    expectInputError(result, input, /outside the workspace/)
  })

  test('a file under RUNNER_TEMP is read (an artifact downloaded by an earlier step)', async () => {
    const workspace = newWorkspace()
    const runnerTemp = mkdtempSync(join(tmpdir(), 'e2e-runner-temp-'))
    const file = join(runnerTemp, 'downloaded')
    writeFileSync(
      file,
      input === 'baseline'
        ? JSON.stringify({ schemaVersion: 1, users: [] })
        : `${users[0].userPrincipalName} # service account\n`
    )
    const result = await run(workspace, { [input]: file }, { env: { RUNNER_TEMP: runnerTemp } })
    expect(commandLines(result, 'error')).toEqual([])
    expect(result.code).toBe(0)
    if (input === 'exclude-file') expect(result.outputs['excluded-count']).toBe('1')
  })

  test('a relative path is read from GITHUB_WORKSPACE, not the working directory', async () => {
    const workspace = newWorkspace()
    mkdirSync(join(workspace, '.github'))
    writeFileSync(
      join(workspace, '.github', 'input'),
      input === 'baseline'
        ? JSON.stringify({ schemaVersion: 1, users: [] })
        : `${users[0].userPrincipalName} # service account\n`
    )
    const elsewhere = newWorkspace()
    const result = await run(
      elsewhere,
      { [input]: '.github/input' },
      { env: { GITHUB_WORKSPACE: workspace } }
    )
    expect(commandLines(result, 'error')).toEqual([])
    expect(result.code).toBe(0)
    if (input === 'exclude-file') expect(result.outputs['excluded-count']).toBe('1')
  })
})

describe('file content is never printed: the line and what was expected instead', () => {
  test.each<[string, string, string, RegExp]>([
    [
      'exclude-file',
      'a line that is not an exclusion',
      `${users[0].userPrincipalName}\nTOPSECRET-not-a-upn # reason\n`,
      /exclude-file .*line 2.*(UPN glob|object ID)/
    ],
    [
      'exclude-file',
      'a bad until:',
      `${users[0].userPrincipalName} until:TOPSECRET\n`,
      /exclude-file .*line 1.*until:YYYY-MM-DD/
    ],
    ['baseline', 'text that is not JSON', `${CONTENT}\n`, /'baseline'.*JSON at line 1/],
    [
      'baseline',
      'JSON broken on line 3',
      '{\n  "schemaVersion": 1,\n  "users": TOPSECRET\n}\n',
      /'baseline'.*JSON at line 3/
    ],
    [
      'baseline',
      'JSON that is not a report',
      JSON.stringify({ schemaVersion: 'TOPSECRET', users: 'TOPSECRET' }),
      /'baseline'.*schemaVersion 1/
    ]
  ])('%s: %s', async (input, _, content, message) => {
    const workspace = newWorkspace()
    writeFileSync(join(workspace, 'input.txt'), content)
    const result = await run(workspace, { [input]: 'input.txt' })
    expect(result.code).toBe(1)
    const errors = commandLines(result, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(message)
    expect(visible(result)).not.toContain('TOPSECRET')
    expect(sim.requests).toHaveLength(0)
  })
})

describe('a failed run leaves every earlier file as it was', () => {
  test('the earlier report and the baseline in report-dir stay byte for byte; the summary and the log say they are older', async () => {
    const workspace = newWorkspace()
    const earlier = await run(workspace, { 'report-dir': 'reports' })
    expect(earlier.code).toBe(0)
    const reports = join(workspace, 'reports')
    const before = new Map(
      readdirSync(reports).map((name) => [name, readFileSync(join(reports, name))])
    )
    expect([...before.keys()].sort()).toEqual([
      'entra-signin-report.csv',
      'entra-signin-report.html',
      'entra-signin-report.json'
    ])
    const generatedAt = earlier.json().generatedAt

    sim.resetRequests()
    sim.addFault({
      target: 'users',
      after: 2,
      kind: 'status',
      status: 503,
      retryAfter: '0.01',
      times: Infinity
    })
    const failed = await run(workspace, {
      'report-dir': 'reports',
      baseline: 'reports/entra-signin-report.json'
    })
    expect(failed.code).toBe(1)
    expect(failed.outputs.result).toBe('error')
    expect(commandLines(failed, 'error')).toHaveLength(1)
    expect(commandLines(failed, 'error')[0]).toMatch(/users page 3/)
    // Nothing deleted, nothing changed, nothing left behind.
    expect(readdirSync(reports).sort()).toEqual([...before.keys()].sort())
    for (const [name, bytes] of before) {
      expect(readFileSync(join(reports, name)).equals(bytes)).toBe(true)
    }
    for (const shown of [decodeHtml(failed.summary), failed.stdout]) {
      expect(shown).toMatch(/from an earlier run/)
      expect(shown).toContain(generatedAt)
    }
    expect(failed.outputs['report-json'] ?? '').toBe('')

    // The next complete run replaces them (the baseline it read included).
    sim.clearFaults()
    const next = await run(workspace, {
      'report-dir': 'reports',
      baseline: 'reports/entra-signin-report.json'
    })
    expect(next.code).toBe(0)
    expect(readdirSync(reports).sort()).toEqual([...before.keys()].sort())
    expect(next.json().generatedAt).not.toBe(generatedAt)
  })

  test('a run that fails without an earlier report says nothing about one', async () => {
    const workspace = newWorkspace()
    sim.addFault({ target: 'users', kind: 'status', status: 400 })
    const failed = await run(workspace, { 'report-dir': 'reports' })
    expect(failed.code).toBe(1)
    expect(failed.summary).not.toMatch(/earlier run/)
    expect(failed.stdout).not.toMatch(/earlier run/)
  })
})
