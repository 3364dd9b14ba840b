/**
 * The test CONNECT proxy: it tunnels to fake host names that only it can resolve, so a request
 * that reaches them went through the proxy; a request that bypasses it cannot resolve them.
 */
import { request } from 'node:https'
import type { Agent } from 'node:http'
import { connect } from 'node:net'
import { HttpsProxyAgent } from 'https-proxy-agent'
import { startProxy } from '../simulator/proxy.js'
import type { Proxy } from '../simulator/proxy.js'
import { createGithubOidc, verifyOidcToken } from '../simulator/github.js'
import { runFixture, startHarness } from '../__fixtures__/route-harness.js'
import type { Harness } from '../__fixtures__/route-harness.js'
import type { Route } from '../simulator/types.js'

const hello: Route = async (req) =>
  req.url.pathname === '/hello' ? { status: 200, body: { host: req.headers.host } } : undefined

function get(url: string, ca: string, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Sends a raw CONNECT and returns the proxy's status line. */
function rawConnect(port: number, target: string, extra = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${extra}\r\n`)
    })
    socket.once('data', (d: Buffer) => {
      resolve(d.toString().split('\r\n')[0])
      socket.destroy()
    })
    socket.on('error', reject)
  })
}

describe('test CONNECT proxy', () => {
  const oidc = createGithubOidc()
  let sim: Harness
  let proxy: Proxy
  beforeAll(async () => {
    sim = await startHarness([hello, oidc.route], ['login.sim.test', 'graph.sim.test'])
  })
  afterAll(async () => {
    await sim.close()
  })
  beforeEach(async () => {
    proxy = await startProxy({
      resolve: { 'login.sim.test': '127.0.0.1', 'GRAPH.sim.test': '127.0.0.1' }
    })
  })
  afterEach(async () => {
    await proxy.close()
  })

  it('tunnels a request to a fake host name; a direct request cannot resolve it', async () => {
    const url = `https://login.sim.test:${sim.port}/hello`
    const res = await get(url, sim.caPem, new HttpsProxyAgent(proxy.url))
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual({ host: `login.sim.test:${sim.port}` })
    expect(proxy.connects()).toEqual([`login.sim.test:${sim.port}`])
    expect(proxy.records()[0].status).toBe(200)

    await expect(get(url, sim.caPem)).rejects.toMatchObject({ code: 'ENOTFOUND' })
    expect(proxy.connects()).toHaveLength(1)
  })

  it('maps names case-insensitively and records every target in order', async () => {
    const agent = new HttpsProxyAgent(proxy.url)
    await get(`https://graph.sim.test:${sim.port}/hello`, sim.caPem, agent)
    await get(`https://LOGIN.SIM.TEST:${sim.port}/hello`, sim.caPem, agent)
    expect(proxy.connects()).toEqual([`graph.sim.test:${sim.port}`, `login.sim.test:${sim.port}`])
  })

  it('the real toolkit reaches a fake host only with HTTPS_PROXY set', async () => {
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: `https://login.sim.test:${sim.port}/_oidc/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
      NODE_EXTRA_CA_CERTS: sim.caPath
    }
    const direct = await runFixture('oidc-get-token.mjs', ['api://AzureADTokenExchange'], env)
    expect(direct.code).toBe(1)
    expect(String(direct.result?.error)).toMatch(/ENOTFOUND/)
    expect(proxy.connects()).toEqual([])

    const proxied = await runFixture('oidc-get-token.mjs', ['api://AzureADTokenExchange'], {
      ...env,
      HTTPS_PROXY: proxy.url
    })
    expect(proxied.code).toBe(0)
    expect(verifyOidcToken(proxied.result?.token as string)?.aud).toBe('api://AzureADTokenExchange')
    expect(proxy.connects()).toEqual([`login.sim.test:${sim.port}`])
  })

  it('demands credentials when configured', async () => {
    const authed = await startProxy({
      resolve: { 'login.sim.test': '127.0.0.1' },
      auth: { username: 'u', password: 'p@ss' }
    })
    try {
      const target = `login.sim.test:${sim.port}`
      expect(await rawConnect(authed.port, target)).toBe(
        'HTTP/1.1 407 Proxy Authentication Required'
      )
      const wrong = `Proxy-Authorization: Basic ${Buffer.from('u:nope').toString('base64')}\r\n`
      expect(await rawConnect(authed.port, target, wrong)).toMatch(/^HTTP\/1.1 407/)
      const withCreds = new URL(authed.url)
      withCreds.username = 'u'
      withCreds.password = encodeURIComponent('p@ss')
      const res = await get(
        `https://${target}/hello`,
        sim.caPem,
        new HttpsProxyAgent(withCreds.href)
      )
      expect(res.status).toBe(200)
      expect(authed.records().map((r) => r.status)).toEqual([407, 407, 200])
    } finally {
      await authed.close()
    }
  })

  it('refuses unmapped names with onlyResolved, answers 502 when the upstream is down', async () => {
    const strict = await startProxy({
      resolve: { 'login.sim.test': '127.0.0.1' },
      onlyResolved: true
    })
    try {
      expect(await rawConnect(strict.port, 'example.com:443')).toBe('HTTP/1.1 403 Forbidden')
      expect(await rawConnect(strict.port, 'login.sim.test:99999')).toBe('HTTP/1.1 400 Bad Request')
      expect(strict.connects()).toEqual(['example.com:443', 'login.sim.test:99999'])
    } finally {
      await strict.close()
    }
    // a port nothing listens on: take a port, free it
    const free = await startProxy()
    const deadPort = free.port
    await free.close()
    expect(await rawConnect(proxy.port, `login.sim.test:${deadPort}`)).toBe(
      'HTTP/1.1 502 Bad Gateway'
    )
  })

  it('answers 501 to anything but CONNECT', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const socket = connect(proxy.port, '127.0.0.1', () =>
        socket.write('GET http://login.sim.test/ HTTP/1.1\r\nHost: login.sim.test\r\n\r\n')
      )
      socket.once('data', (d: Buffer) => {
        resolve(Number(d.toString().split(' ')[1]))
        socket.destroy()
      })
      socket.on('error', reject)
    })
    expect(res).toBe(501)
  })
})
