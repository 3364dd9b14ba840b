/**
 * How `auth-method` picks the way to sign in, end to end on the bundle: auto's order
 * (certificate, secret, password, GitHub OIDC), the log line naming the method, and every
 * combination that cannot work failing before any request with the ways and inputs listed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { runAction } from '../../__fixtures__/action.js'
import { createGithubOidc, verifyOidcToken } from '../../simulator/github.js'
import { DEFAULT_DOMAIN, startSimulator, type Simulator } from '../../simulator/server.js'
import { makeClientCertificate, type ClientCertificate } from '../../simulator/tls.js'
import { commandLines } from './helpers.js'

const PASSWORD = 'Correct-Horse-9'
const AUDITOR = `auditor@${DEFAULT_DOMAIN}`

let sim: Simulator
let cert: ClientCertificate
const oidc = createGithubOidc()
let oidcEnv: Record<string, string>

beforeAll(async () => {
  sim = await startSimulator()
  cert = makeClientCertificate('auto selection')
  sim.apps[0].certificateThumbprints = [cert.thumbprintSha256]
  sim.addRoutes(oidc.route)
  sim.registerOidcIssuer(verifyOidcToken)
  oidcEnv = oidc.env(sim.origin)
})
afterAll(() => sim.close())
beforeEach(() => sim.resetRequests())

const base = () => ({
  'tenant-id': sim.tenantId,
  'client-id': sim.clientId,
  'authority-host': sim.authorityHost,
  'graph-endpoint': sim.graphEndpoint
})

/** What the token request carried, to tell the flows apart. */
function flowOf(form: Record<string, string>): string {
  if (form.grant_type === 'password') return 'password'
  if (form.client_secret) return 'client-secret'
  const header = JSON.parse(
    Buffer.from(form.client_assertion.split('.')[0], 'base64url').toString('utf8')
  ) as Record<string, unknown>
  return 'x5t#S256' in header ? 'client-certificate' : 'github-oidc'
}

describe('auth-method auto', () => {
  type Given = 'certificate' | 'secret' | 'user' | 'oidc'
  test.each<[Given[], string]>([
    [['certificate', 'secret', 'oidc'], 'client-certificate'],
    [['certificate'], 'client-certificate'],
    [['secret', 'oidc'], 'client-secret'],
    [['secret', 'user', 'oidc'], 'password'],
    [['oidc'], 'github-oidc']
  ])('given %j, signs in with %s and says so', async (given, method) => {
    const inputs: Record<string, string> = base()
    let env: Record<string, string> = {}
    if (given.includes('certificate')) inputs['client-certificate'] = cert.keyPem + cert.certPem
    if (given.includes('secret')) inputs['client-secret'] = sim.clientSecret
    if (given.includes('user')) Object.assign(inputs, { username: AUDITOR, password: PASSWORD })
    if (given.includes('oidc')) env = oidcEnv
    const run = await runAction({ inputs, env, caPath: sim.caPath })
    expect(run.stdout).toContain(`with ${method} (auth-method: auto)`)
    expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
    const forms = sim.requests.filter((r) => r.target === 'token').map((r) => r.form ?? {})
    expect(forms.map(flowOf)).toEqual([method])
  })

  test('with no way to sign in, lists the four ways and what each needs, before any request', async () => {
    const run = await runAction({ inputs: base(), caPath: sim.caPath })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    const lines = commandLines(run, 'error')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain("Input 'auth-method' is auto but no way to sign in was given")
    for (const needs of [
      'client-certificate (PEM key + certificate',
      'client-secret (client-secret)',
      'password (username + password',
      'github-oidc (',
      'id-token: write'
    ])
      expect(lines[0]).toContain(needs)
    expect(sim.requests).toHaveLength(0)
  })
})

describe('an explicit auth-method that cannot work fails before any request', () => {
  test.each<[string, Record<string, string>, Record<string, string>, RegExp]>([
    ['client-secret', {}, {}, /'auth-method' is client-secret but 'client-secret' is empty/],
    [
      'client-certificate',
      {},
      {},
      /'auth-method' is client-certificate but 'client-certificate' is empty.*needs client-certificate/
    ],
    [
      'password',
      { username: AUDITOR },
      {},
      /'auth-method' is password but 'username' and 'password' are both required/
    ],
    ['github-oidc', {}, {}, /'auth-method' is github-oidc but .*id-token: write/],
    [
      'client-secret',
      { 'client-secret': 'x-secret-value', username: AUDITOR, password: PASSWORD },
      {},
      /'auth-method' is client-secret but username, password belong to another method/
    ],
    [
      'github-oidc',
      { 'client-secret': 'x-secret-value' },
      { oidc: 'yes' },
      /'auth-method' is github-oidc but client-secret belongs to another method/
    ],
    [
      'password',
      { username: AUDITOR, password: PASSWORD, 'client-certificate': 'CERT' },
      {},
      /'auth-method' is password but client-certificate belongs to another method/
    ],
    [
      'client-certificate',
      { 'client-certificate': 'CERT', 'client-secret': 'x-secret-value' },
      {},
      /'auth-method' is client-certificate but client-secret belongs to another method/
    ]
  ])('%s with %j', async (method, extra, env, message) => {
    const inputs: Record<string, string> = { ...base(), ...extra, 'auth-method': method }
    if (inputs['client-certificate'] === 'CERT')
      inputs['client-certificate'] = cert.keyPem + cert.certPem
    const run = await runAction({
      inputs,
      env: env.oidc ? oidcEnv : {},
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')).toEqual([expect.stringMatching(message)])
    expect(sim.requests).toHaveLength(0)
    const shown = run
      .everything()
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n')
    expect(shown).not.toContain('x-secret-value')
    expect(shown).not.toContain(PASSWORD)
  })
})
