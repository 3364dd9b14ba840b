/**
 * Signing in with a client secret, end to end on the bundle: the token request, the log line that
 * names the method, and every Entra failure a user can meet before Graph is reached (bad secret,
 * unknown app, unknown tenant, unreachable authority host), each one line with the fix.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals'
import { runAction, simInputs } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { visible, commandLines, maskedValues } from './helpers.js'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(() => sim.close())
beforeEach(() => sim.resetRequests())

/** What a reader of the log, outputs, summary and report sees (the runner hides ::add-mask::). */
const tokenRequests = () => sim.requests.filter((request) => request.target === 'token')

test('a client secret signs in with the .default scope and the log names the method', async () => {
  const run = await runAction({ inputs: simInputs(sim), caPath: sim.caPath })
  expect(run.stdout).toContain('with client-secret (auth-method: auto)')
  expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
  expect(['pass', 'warn', 'fail']).toContain(run.outputs.result)
  const [request] = tokenRequests()
  expect(request.form).toMatchObject({
    grant_type: 'client_credentials',
    client_id: sim.clientId,
    client_secret: sim.clientSecret,
    scope: `${sim.graphEndpoint}/.default`
  })
  expect(request.form).not.toHaveProperty('client_assertion')

  // The secret and the access token are masked at once and never printed or written.
  const accessToken = String(
    sim.requests.find((r) => r.target === 'users')?.headers.authorization
  ).replace(/^Bearer /, '')
  expect(accessToken.length).toBeGreaterThan(20)
  // Each mask is sent once: the one-line secret is not registered again as its own line.
  const masked = maskedValues(run)
  expect(masked.filter((value) => value === sim.clientSecret)).toHaveLength(1)
  expect(masked.filter((value) => value === accessToken)).toHaveLength(1)
  expect(new Set(masked).size).toBe(masked.length)
  expect(visible(run)).not.toContain(sim.clientSecret)
  expect(visible(run)).not.toContain(accessToken)
})

test('an explicit auth-method client-secret is logged as asked', async () => {
  const run = await runAction({
    inputs: { ...simInputs(sim), 'auth-method': 'client-secret' },
    caPath: sim.caPath
  })
  expect(run.stdout).toContain('with client-secret (auth-method: client-secret)')
  expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
})

test('a wrong secret gives the AADSTS7000215 explanation and nothing of the secret', async () => {
  const wrong = 'Wrong8Q~not.the.secret_value_0123456789'
  const run = await runAction({
    inputs: { ...simInputs(sim), 'client-secret': wrong },
    caPath: sim.caPath
  })
  expect(run.code).toBe(1)
  expect(run.outputs.result).toBe('error')
  expect(commandLines(run, 'error')).toEqual([
    expect.stringMatching(
      new RegExp(
        `client secret for app ${sim.clientId} \\(AADSTS7000215\\).*Value \\(not its Secret ID\\)`
      )
    )
  ])
  expect(sim.requests.some((request) => request.target === 'users')).toBe(false)
  expect(visible(run)).not.toContain(wrong)
  expect(run.summary).toContain('AADSTS7000215')
})

test('an app that is not in the tenant gives the AADSTS700016 explanation', async () => {
  const clientId = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b'
  const run = await runAction({
    inputs: { ...simInputs(sim), 'client-id': clientId },
    caPath: sim.caPath
  })
  expect(run.code).toBe(1)
  expect(commandLines(run, 'error')).toEqual([
    expect.stringContaining(
      `App ${clientId} was not found in tenant ${sim.tenantId} (AADSTS700016): check 'client-id'`
    )
  ])
  expect(tokenRequests()).toHaveLength(1)
})

test.each([
  ['a GUID', '0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d'],
  ['a domain', 'fabrikam.onmicrosoft.com']
])(
  'an unknown tenant (%s) is "not found in this cloud", naming tenant and host',
  async (_, tenant) => {
    const run = await runAction({
      inputs: { ...simInputs(sim), 'tenant-id': tenant },
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    const host = new URL(sim.authorityHost).host
    const [line] = commandLines(run, 'error')
    expect(line).toMatch(/not found in this cloud \(or authority host unreachable\)/i)
    expect(line).toContain(tenant)
    expect(line).toContain(host)
    // Only the tenant's metadata was asked for; no token request, no Graph call.
    expect(tokenRequests()).toHaveLength(0)
    expect(sim.requests.every((request) => request.url.startsWith(`/${tenant}/`))).toBe(true)
  }
)

test('the tenant may be given as its verified domain', async () => {
  const run = await runAction({
    inputs: { ...simInputs(sim), 'tenant-id': sim.domain },
    caPath: sim.caPath
  })
  expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
  expect(tokenRequests()[0].url).toMatch(new RegExp(`^/${sim.domain}/oauth2/v2.0/token`))
})

test('an authority host that does not answer is named, with the network error', async () => {
  // A closed port on loopback: nothing listens there.
  const run = await runAction({
    inputs: { ...simInputs(sim), 'authority-host': 'https://127.0.0.1:9' },
    caPath: sim.caPath
  })
  expect(run.code).toBe(1)
  const [line] = commandLines(run, 'error')
  expect(line).toContain('127.0.0.1:9')
  expect(line).toMatch(/unreachable|ECONNREFUSED/)
  expect(sim.requests).toHaveLength(0)
})

test('http:// authority hosts are refused before any request', async () => {
  const run = await runAction({
    inputs: { ...simInputs(sim), 'authority-host': sim.authorityHost.replace('https', 'http') },
    caPath: sim.caPath
  })
  expect(run.code).toBe(1)
  expect(commandLines(run, 'error')).toEqual([expect.stringMatching(/'authority-host'.*https/)])
  expect(sim.requests).toHaveLength(0)
})

test('a token endpoint that drops the connection is named, with the network error', async () => {
  // Every try: token requests are retried like Graph's (4 retries).
  sim.addFault({ target: 'token', kind: 'reset', times: Infinity })
  try {
    const run = await runAction({ inputs: simInputs(sim), caPath: sim.caPath })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')).toEqual([
      expect.stringMatching(
        new RegExp(
          `Could not reach Entra ID for a token \\(${new URL(sim.authorityHost).host}: .*(socket hang up|ECONNRESET).*\\): check 'authority-host'`
        )
      )
    ])
    expect(sim.requests.some((request) => request.target === 'users')).toBe(false)
  } finally {
    sim.clearFaults()
  }
})

test('a token endpoint answering 503 is reported with its status', async () => {
  sim.addFault({ target: 'token', kind: 'status', status: 503, times: Infinity })
  try {
    const run = await runAction({ inputs: simInputs(sim), caPath: sim.caPath })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    expect(commandLines(run, 'error')).toEqual([
      `::error::Entra ID did not answer the token request (${new URL(sim.authorityHost).host} answered HTTP 503 Service Unavailable): a 5xx or 429 is temporary, run the job again; otherwise check 'authority-host' and HTTPS_PROXY / NO_PROXY if the runner needs a proxy.`
    ])
    expect(sim.requests.some((request) => request.target === 'users')).toBe(false)
  } finally {
    sim.clearFaults()
  }
})
