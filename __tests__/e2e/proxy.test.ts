/**
 * HTTPS_PROXY / https_proxy / NO_PROXY, end to end on the bundle. The simulator answers as
 * login.sim.test and graph.sim.test, names only the test CONNECT proxy can resolve: a request
 * that reaches them went through the proxy, and one that bypasses it fails. The proxy refuses any
 * other name, so nothing (msal instance discovery included) can leave for a real host unseen.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { runAction } from '../../__fixtures__/action.js'
import { createGithubOidc, verifyOidcToken } from '../../simulator/github.js'
import { startProxy, type Proxy } from '../../simulator/proxy.js'
import {
  DEFAULT_DOMAIN,
  PUBLIC_CLIENT_ID,
  startSimulator,
  type Simulator
} from '../../simulator/server.js'
import { makeClientCertificate } from '../../simulator/tls.js'
import { commandLines } from './helpers.js'

const LOGIN = 'login.sim.test'
const GRAPH = 'graph.sim.test'

let sim: Simulator
let proxy: Proxy
const oidc = createGithubOidc()
const cert = makeClientCertificate('proxied')

beforeAll(async () => {
  sim = await startSimulator({ hostNames: [LOGIN, GRAPH] })
  sim.apps[0].certificateThumbprints = [cert.thumbprintSha256]
  sim.addRoutes(oidc.route)
  sim.registerOidcIssuer(verifyOidcToken)
})
afterAll(() => sim.close())
beforeEach(async () => {
  sim.resetRequests()
  proxy = await startProxy({
    resolve: { [LOGIN]: '127.0.0.1', [GRAPH]: '127.0.0.1' },
    onlyResolved: true
  })
})
afterEach(() => proxy.close())

const inputs = (extra: Record<string, string> = {}) => ({
  'tenant-id': sim.tenantId,
  'client-id': sim.clientId,
  'client-secret': sim.clientSecret,
  'authority-host': sim.originFor(LOGIN),
  'graph-endpoint': sim.originFor(GRAPH),
  ...extra
})

/** Every CONNECT went to one of the simulator's names, and was tunnelled. */
function expectOnlySimulatorConnects(): void {
  const targets = new Set(proxy.connects())
  expect(targets).toEqual(new Set([`${LOGIN}:${sim.port}`, `${GRAPH}:${sim.port}`]))
  expect(proxy.records().every((record) => record.status === 200)).toBe(true)
}

describe('through the proxy', () => {
  test.each<[string, string, () => Record<string, string>, () => Record<string, string>]>([
    ['client-secret', 'HTTPS_PROXY', () => ({}), () => ({})],
    [
      'password (public client)',
      'https_proxy',
      () => ({
        'client-id': PUBLIC_CLIENT_ID,
        'client-secret': '',
        username: `auditor@${DEFAULT_DOMAIN}`,
        password: 'Correct-Horse-9'
      }),
      () => ({})
    ],
    [
      'client-certificate',
      'HTTPS_PROXY',
      () => ({ 'client-secret': '', 'client-certificate': cert.keyPem + cert.certPem }),
      () => ({})
    ],
    [
      'github-oidc',
      'https_proxy',
      () => ({ 'client-secret': '' }),
      // The runner's token service, reached by name through the proxy as well.
      () => oidc.env(sim.originFor(LOGIN))
    ]
  ])(
    '%s: token requests and Graph calls tunnel through %s',
    async (method, variable, extra, env) => {
      const run = await runAction({
        inputs: inputs(extra()),
        env: { ...env(), [variable]: proxy.url },
        caPath: sim.caPath
      })
      expect(run.stdout).toContain(`with ${method.split(' ')[0]} (auth-method: auto)`)
      expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
      expectOnlySimulatorConnects()
      // The simulator saw the requests under the names only the proxy resolves.
      const hosts = new Set(sim.requests.map((request) => request.headers.host))
      expect(hosts).toEqual(new Set([`${LOGIN}:${sim.port}`, `${GRAPH}:${sim.port}`]))
      expect(sim.requests.some((request) => request.target === 'token')).toBe(true)
      expect(sim.requests.some((request) => request.target === 'users')).toBe(true)
    }
  )

  test('a proxy that demands credentials gets them from the proxy URL', async () => {
    const guarded = await startProxy({
      resolve: { [LOGIN]: '127.0.0.1', [GRAPH]: '127.0.0.1' },
      onlyResolved: true,
      auth: { username: 'runner', password: 'Proxy-Pass-5' }
    })
    try {
      const url = new URL(guarded.url)
      url.username = 'runner'
      url.password = 'Proxy-Pass-5'
      const run = await runAction({
        inputs: inputs(),
        env: { HTTPS_PROXY: url.href },
        caPath: sim.caPath
      })
      expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
      const records = guarded.records()
      expect(records.length).toBeGreaterThanOrEqual(2)
      expect(records.every((record) => record.status === 200)).toBe(true)
      expect(run.everything()).not.toContain('Proxy-Pass-5')
    } finally {
      await guarded.close()
    }
  })
})

describe('bypassing the proxy', () => {
  test('without a proxy variable the names do not resolve: the run fails, naming the host', async () => {
    const run = await runAction({ inputs: inputs(), caPath: sim.caPath })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    const [line] = commandLines(run, 'error')
    expect(line).toContain(`could not reach ${LOGIN}:${sim.port}`)
    expect(line).toMatch(/ENOTFOUND|EAI_AGAIN/)
    expect(line).toContain('HTTPS_PROXY')
    expect(proxy.connects()).toEqual([])
    expect(sim.requests).toHaveLength(0)
  })

  test.each([
    ['NO_PROXY', LOGIN],
    ['no_proxy', `localhost,.sim.test`],
    ['NO_PROXY', 'example.org, LOGIN.SIM.TEST']
  ])(
    '%s=%s sends the sign-in around the proxy (and it fails to resolve)',
    async (variable, value) => {
      const run = await runAction({
        inputs: inputs(),
        env: { HTTPS_PROXY: proxy.url, [variable]: value },
        caPath: sim.caPath
      })
      expect(run.code).toBe(1)
      expect(commandLines(run, 'error')).toEqual([
        expect.stringContaining(`could not reach ${LOGIN}:${sim.port}`)
      ])
      expect(proxy.connects().filter((target) => target.startsWith(LOGIN))).toEqual([])
      expect(sim.requests).toHaveLength(0)
    }
  )
})
