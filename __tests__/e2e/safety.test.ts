/**
 * What a hostile directory or a careless log could do: display names that are HTML, markdown or
 * spreadsheet formulas, and the client secret or access token leaking into anything the run shows
 * or writes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { type ActionRun, runOn } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { fixtureTenant } from '../../simulator/tenant.js'
import {
  csvRecords,
  decodeHtml,
  graphUser,
  signedIn,
  tokenRequests,
  usersById,
  visible
} from './helpers.js'

const MARKUP = ['<script>alert(1)</script>', 'Pipe | Tester', '**bold** Name', '[link](http://x)']
const FORMULAS = [
  "=cmd|' /C calc'!A0",
  '+SUM(1,2)',
  '-2+3',
  '@mention Someone',
  '\tTab First',
  '\rCarriage First'
]
const users = [...MARKUP, ...FORMULAS, 'Ünïcödé 名前 🙂'].map((displayName, index) =>
  graphUser(`tricky${index}`, { displayName, signInActivity: signedIn(200.5 + index) })
)
const formulaUpn = graphUser('formula', {
  userPrincipalName: '=HYPERLINK("http://x")@contoso.onmicrosoft.com',
  signInActivity: signedIn(150.5)
})

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ tenant: fixtureTenant([...users, formulaUpn]) })
})
afterAll(() => sim.close())
beforeEach(() => {
  sim.clearFaults()
  sim.resetRequests()
})

const run = (inputs: Record<string, string> = {}) => runOn(sim, inputs)

describe('display names that are markup or formulas', () => {
  let result: ActionRun
  beforeAll(async () => {
    result = await run()
  })

  test('the summary lists every name HTML-escaped, none raw', () => {
    const { summary } = result
    expect(summary).not.toMatch(/<script/i)
    expect(summary).not.toContain('**bold**')
    expect(summary).not.toContain('[link](http://x)')
    expect(summary).not.toContain('Pipe | Tester')
    const decoded = decodeHtml(summary)
    for (const name of [...MARKUP, "=cmd|' /C calc'!A0", '+SUM(1,2)', 'Ünïcödé 名前 🙂'])
      expect(decoded).toContain(name)
  })

  test('CSV cells starting with = + - @ tab or CR start with an apostrophe', () => {
    const rows = new Map(csvRecords(result).map((row) => [row.id, row]))
    expect(rows.size).toBe(users.length + 1)
    for (const user of users) {
      const name = user.displayName!
      const cell = rows.get(user.id)!.displayName
      expect(cell).toBe(/^[=+\-@\t\r]/.test(name) ? `'${name}` : name)
    }
    expect(rows.get(formulaUpn.id)!.userPrincipalName).toBe(`'${formulaUpn.userPrincipalName}`)
  })

  test('the JSON keeps every name exactly as Graph sent it', () => {
    const records = usersById(result)
    for (const user of [...users, formulaUpn]) {
      expect(records.get(user.id)!.displayName).toBe(user.displayName)
      expect(records.get(user.id)!.userPrincipalName).toBe(user.userPrincipalName)
    }
  })
})

/** Access tokens the action sent to Graph, from the Authorization headers the simulator saw. */
function tokensSent(): string[] {
  const tokens = sim.requests
    .map((request) => /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1])
    .filter((token): token is string => token !== undefined)
  return [...new Set(tokens)]
}

describe.each<[string, () => void, string, number]>([
  ['a complete run', () => undefined, 'fail', 1],
  [
    'a run whose token is revoked mid-run',
    () => sim.addFault({ target: 'users', after: 1, kind: 'revoke-token' }),
    'fail',
    2
  ],
  [
    'a run that ends in an error',
    () =>
      sim.addFault({
        target: 'users',
        after: 1,
        kind: 'status',
        status: 503,
        retryAfter: '0.01',
        times: Infinity
      }),
    'error',
    1
  ]
])('%s', (_, arrange, expected, tokenCount) => {
  test('neither the client secret nor any access token shows anywhere', async () => {
    arrange()
    const result = await run({ 'page-size': '4' })
    expect(result.outputs.result).toBe(expected)
    // The secret and the tokens were really used, so their absence below means something.
    expect(
      tokenRequests(sim).some((request) => request.form?.client_secret === sim.clientSecret)
    ).toBe(true)
    const tokens = tokensSent()
    expect(tokens).toHaveLength(tokenCount)
    const shown = visible(result)
    expect(shown).not.toContain(sim.clientSecret)
    for (const token of tokens) {
      expect(shown).not.toContain(token)
      expect(result.stdout).toContain(`::add-mask::${token}`)
    }
    expect(result.stdout).toContain(`::add-mask::${sim.clientSecret}`)
  })
})
