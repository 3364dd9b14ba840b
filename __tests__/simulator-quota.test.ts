/**
 * The simulator's Graph throttling (a sliding window per app, tenant and resource class, each
 * $batch sub-request counted), `/users/$count`, and the transport faults: a request never
 * answered, a body cut off after the headers, a 200 that is not JSON, a token endpoint 5xx once.
 */
import { request, type Agent } from 'node:https'
import { simAgent, simRequest } from '../simulator/client.js'
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_ROLES,
  startSimulator,
  type Simulator
} from '../simulator/server.js'
import { DOCUMENTED_QUOTA, QuotaModel } from '../simulator/quota.js'
import { generateTenant } from '../simulator/tenant.js'

const OTHER_CLIENT_ID = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e'
const WINDOW_MS = 1000

let sim: Simulator
let agent: Agent
const tenant = generateTenant({ count: 50, seed: 3 })

async function appToken(clientId = DEFAULT_CLIENT_ID, secret = DEFAULT_CLIENT_SECRET) {
  const r = await simRequest(agent, `${sim.origin}/${sim.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      scope: `${sim.origin}/.default`
    }).toString()
  })
  return { status: r.status, token: (r.json as { access_token?: string }).access_token ?? '' }
}

const get = (path: string, token: string, headers: Record<string, string> = {}) =>
  simRequest(agent, sim.origin + path, {
    headers: { Authorization: `Bearer ${token}`, ...headers }
  })
const ACTIVITY = '/beta/users?$select=id,signInActivity&$top=5'

beforeAll(async () => {
  sim = await startSimulator({
    tenant,
    apps: [
      { clientId: DEFAULT_CLIENT_ID, secret: DEFAULT_CLIENT_SECRET, roles: [...DEFAULT_ROLES] },
      { clientId: OTHER_CLIENT_ID, secret: 'other', roles: [...DEFAULT_ROLES] }
    ]
  })
  agent = simAgent(sim.caPem)
})
afterAll(async () => {
  agent.destroy()
  await sim.close()
})
beforeEach(() => {
  sim.clearFaults()
  sim.setQuota(undefined)
})

describe('quota', () => {
  test('the documented rates are the default', () => {
    const model = new QuotaModel()
    expect(model.window('signInActivity')).toEqual({ requests: 10, windowMs: 60_000 })
    expect(model.window('reports')).toEqual({ requests: 5, windowMs: 10_000 })
    expect(new QuotaModel({ timeScale: 1 / 30 }).window('signInActivity')).toEqual({
      requests: 10,
      windowMs: 2000
    })
    expect(DOCUMENTED_QUOTA.directory.requests).toBeGreaterThan(1000)
  })

  test('a full signInActivity window answers 429 with Retry-After; per app; other users calls are not counted', async () => {
    sim.setQuota({ limits: { signInActivity: { requests: 3, windowMs: WINDOW_MS } } })
    const { token } = await appToken()
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await get(ACTIVITY, token)).status)
    expect(statuses).toEqual([200, 200, 200, 429])
    const refused = await get(ACTIVITY, token)
    expect(refused.status).toBe(429)
    expect(refused.headers['retry-after']).toBe('1')
    expect(refused.json).toMatchObject({ error: { code: 'TooManyRequests' } })
    // The user list without signInActivity is another class; another app has its own window.
    expect((await get('/beta/users?$select=id&$top=5', token)).status).toBe(200)
    expect((await get(ACTIVITY, (await appToken(OTHER_CLIENT_ID, 'other')).token)).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 50))
    expect((await get(ACTIVITY, token)).status).toBe(200)
    expect(sim.quota?.stats.refused.signInActivity).toBe(2)
  })

  test('Retry-After: whole seconds at the documented rates, the same fraction when scaled', () => {
    let now = 0
    const documented = new QuotaModel({}, () => now)
    const scaled = new QuotaModel({ timeScale: 1 / 30 }, () => now)
    for (let k = 0; k < 5; k++) {
      expect(documented.take('reports', 't', 'a')).toBeUndefined()
      expect(scaled.take('reports', 't', 'a')).toBeUndefined()
    }
    now = 100
    // 9.9 s of the 10 s window left: 10 s. Scaled, 0.233 s of 0.333 s left (6.99 s of the
    // documented clock): 7 s × 1/30, rounded up to the millisecond.
    expect(documented.take('reports', 't', 'a')?.headers?.['Retry-After']).toBe('10')
    expect(scaled.take('reports', 't', 'a')?.headers?.['Retry-After']).toBe('0.234')
  })

  test('retryAfter false: the 429 carries no Retry-After', async () => {
    sim.setQuota({
      limits: { signInActivity: { requests: 1, windowMs: WINDOW_MS } },
      retryAfter: false
    })
    const { token } = await appToken()
    expect((await get(ACTIVITY, token)).status).toBe(200)
    const refused = await get(ACTIVITY, token)
    expect(refused.status).toBe(429)
    expect(refused.headers['retry-after']).toBeUndefined()
  })

  test('each $batch sub-request counts against the sign-in log window', async () => {
    sim.setQuota({ limits: { reports: { requests: 5, windowMs: 10_000 } } })
    const { token } = await appToken()
    const requests = Array.from({ length: 7 }, (_, k) => ({
      id: String(k),
      method: 'GET',
      url: `/auditLogs/signIns?$filter=${encodeURIComponent(`userId eq '${tenant.user(k).id}'`)}&$top=1`
    }))
    const r = await simRequest(agent, `${sim.origin}/beta/$batch`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ requests })
    })
    expect(r.status).toBe(200)
    const responses = (
      r.json as { responses: Array<{ status: number; headers: Record<string, string> }> }
    ).responses
    expect(responses.map((x) => x.status)).toEqual([200, 200, 200, 200, 200, 429, 429])
    expect(Number(responses[5].headers['Retry-After'])).toBeGreaterThanOrEqual(9)
  })
})

test('/users/$count: a number with ConsistencyLevel eventual, 400 without', async () => {
  const { token } = await appToken()
  const counted = await get('/v1.0/users/$count', token, { ConsistencyLevel: 'eventual' })
  expect(counted.status).toBe(200)
  expect(counted.text).toBe('50')
  expect((await get('/v1.0/users/$count', token)).status).toBe(400)
})

describe('transport faults', () => {
  /** The raw outcome of one GET: its status and body, or the error that ended it. */
  const raw = (path: string, token: string, timeoutMs: number) =>
    new Promise<{ status?: number; body?: string; error?: string }>((resolve) => {
      const req = request(
        sim.origin + path,
        { headers: { Authorization: `Bearer ${token}` }, agent: false, ca: sim.caPem },
        (res) => {
          let body = ''
          res.on('data', (chunk: Buffer) => (body += chunk.toString()))
          res.on('end', () => resolve({ status: res.statusCode, body }))
          res.on('aborted', () => resolve({ status: res.statusCode, error: 'aborted' }))
          res.on('error', (e) => resolve({ status: res.statusCode, error: e.message }))
        }
      )
      req.setTimeout(timeoutMs, () => {
        resolve({ error: 'timeout' })
        req.destroy()
      })
      req.on('error', (e) => resolve({ error: e.message }))
      req.end()
    })

  test('hang: never answered', async () => {
    const { token } = await appToken()
    sim.addFault({ target: 'users', kind: 'hang' })
    expect(await raw(ACTIVITY, token, 300)).toEqual({ error: 'timeout' })
    expect((await raw(ACTIVITY, token, 5000)).status).toBe(200)
  })

  test('truncate: the headers, half the body, then the connection drops', async () => {
    const { token } = await appToken()
    sim.addFault({ target: 'users', kind: 'truncate' })
    const cut = await raw(ACTIVITY, token, 5000)
    expect(cut.status).toBe(200)
    expect(cut.error).toBeDefined()
  })

  test('not-json: a 200 whose body is an HTML page', async () => {
    const { token } = await appToken()
    sim.addFault({ target: 'users', kind: 'not-json' })
    const page = await get(ACTIVITY, token)
    expect(page.status).toBe(200)
    expect(page.json).toBeUndefined()
    expect(page.text).toMatch(/^<html>/)
  })

  test('token endpoint 503 once, then a token', async () => {
    sim.addFault({ target: 'token', kind: 'status', status: 503 })
    expect((await appToken()).status).toBe(503)
    expect((await appToken()).status).toBe(200)
  })
})
