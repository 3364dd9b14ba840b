/**
 * Faults on the way to Graph: latency, throttling with Retry-After (fractional seconds and an
 * HTTP date), transient 5xx and network errors that recover, a token revoked mid-run, and the
 * failures that must end in `error` with no report left behind.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { runAction, simInputs, type ActionRun } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { generateTenant } from '../../simulator/tenant.js'
import type { Fault, Route } from '../../simulator/types.js'
import {
  commandLines,
  expectRunError,
  reportDirFiles,
  tokenRequests,
  userRequests
} from './helpers.js'

const USERS = 40
const PAGES = 4
let sim: Simulator
/** When set, the next users request is answered 429 with a Retry-After date this far ahead. */
let retryAfterDateMs: number | undefined

/** 429 with `Retry-After: <HTTP date>` computed when the request arrives, not when queued. */
const throttleWithDate: Route = async (req, ctx) => {
  if (retryAfterDateMs === undefined || req.method !== 'GET' || !/\/users$/.test(req.url.pathname))
    return undefined
  const ahead = retryAfterDateMs
  retryAfterDateMs = undefined
  ctx.record('users')
  return {
    status: 429,
    headers: { 'Retry-After': new Date(Date.now() + ahead).toUTCString() },
    body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } }
  }
}

beforeAll(async () => {
  sim = await startSimulator({ tenant: generateTenant({ count: USERS, seed: 11 }) })
  sim.addRoutes(throttleWithDate)
})
afterAll(() => sim.close())
beforeEach(() => {
  sim.clearFaults()
  sim.resetRequests()
  sim.setLatency(0)
  retryAfterDateMs = undefined
})

/** on-stale warn: a complete run is `warn` with exit code 0, so `error` stands out. */
const run = (inputs: Record<string, string> = {}) =>
  runAction({
    inputs: {
      ...simInputs(sim),
      'page-size': String(USERS / PAGES),
      'on-stale': 'warn',
      ...inputs
    },
    caPath: sim.caPath
  })

function expectComplete(result: ActionRun): void {
  expect(result.outputs.result).toBe('warn')
  expect(result.code).toBe(0)
  expect(commandLines(result, 'error')).toEqual([])
  const report = result.json()
  expect(report.result).toBe('warn')
  expect(new Set(report.users.map((user) => user.id)).size).toBe(USERS)
  expect(result.outputs['user-count']).toBe(String(USERS))
  expect(reportDirFiles(result).sort()).toEqual([
    'entra-signin-report.csv',
    'entra-signin-report.html',
    'entra-signin-report.json'
  ])
}

test('latency on every request: still a complete report', async () => {
  sim.setLatency(120)
  const result = await run()
  expectComplete(result)
  expect(userRequests(sim)).toHaveLength(PAGES)
})

test('429 with a fractional Retry-After: waits that long, then completes', async () => {
  sim.addFault({ target: 'users', after: 1, kind: 'status', status: 429, retryAfter: '0.2' })
  const result = await run()
  expectComplete(result)
  expect(result.stdout).toMatch(
    /users page 2: HTTP 429, Retry-After 0\.2; waiting 0\.20 s before retry 1 of 8/
  )
  const requests = userRequests(sim)
  expect(requests.map((request) => request.status)).toEqual([200, 429, 200, 200, 200])
  expect(requests[2].url).toBe(requests[1].url)
  expect(requests[2].at - requests[1].at).toBeGreaterThanOrEqual(190)
})

test('429 with Retry-After as an HTTP date: waits until that date, then completes', async () => {
  retryAfterDateMs = 2000
  const result = await run()
  expectComplete(result)
  expect(result.stdout).toMatch(
    /users page 1: HTTP 429, Retry-After \w{3}, .* GMT; waiting [01]\.\d\d s/
  )
  const requests = userRequests(sim)
  expect(requests.map((request) => request.status)).toEqual([429, 200, 200, 200, 200])
  // The date has whole seconds: 1–2 s after the 429 was sent.
  expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(900)
})

describe.each<[string, Fault, RegExp]>([
  [
    '503',
    { target: 'users', after: 2, kind: 'status', status: 503, retryAfter: '0.01' },
    /users page 3: HTTP 503, Retry-After 0\.01; waiting 0\.01 s before retry 1 of 4/
  ],
  [
    '504',
    { target: 'users', after: 1, kind: 'status', status: 504, retryAfter: '0.01' },
    /users page 2: HTTP 504/
  ],
  [
    'a reset connection',
    { target: 'users', after: 3, kind: 'reset' },
    /users page 4: network error: .*; waiting \d\.\d\d s before retry 1 of 4/
  ]
])('%s, then success', (_, fault, logged) => {
  test('retried once: a complete report and the log names the retry', async () => {
    sim.addFault(fault)
    const result = await run()
    expectComplete(result)
    expect(result.stdout).toMatch(logged)
    const requests = userRequests(sim)
    expect(requests).toHaveLength(PAGES + 1)
    const failed = (fault.after ?? 0) as number
    expect(requests[failed].status).toBe(fault.kind === 'reset' ? 0 : fault.status)
    expect(requests[failed + 1].url).toBe(requests[failed].url)
  })
})

test('a token revoked after page 1: one fresh token, page 2 repeated, a complete report', async () => {
  sim.addFault({ target: 'users', after: 1, kind: 'revoke-token' })
  const result = await run()
  expectComplete(result)
  expect(tokenRequests(sim)).toHaveLength(2)
  const requests = userRequests(sim)
  expect(requests.map((request) => request.status)).toEqual([200, 401, 200, 200, 200])
  expect(requests[2].url).toBe(requests[1].url)
  expect(requests[2].headers.authorization).not.toBe(requests[1].headers.authorization)
  expect(result.stdout).toMatch(/users page 2: Graph answered 401; fetching a fresh token/)
})

test('persistent 500 without Retry-After: bounded backoff, then error and no report', async () => {
  sim.addFault({ target: 'users', kind: 'status', status: 500, times: Infinity })
  const result = await run()
  expectRunError(
    result,
    /HTTP 500 for users page 1 after 4 retries \(InternalServerError: .*\); run again later\. The run had read 0 users of about 40 \(0 pages\) in \d+ s; no report was written\.$/
  )
  const requests = userRequests(sim)
  // One try and 4 retries, backing off 1, 2, 4, 8 s (±20%).
  expect(requests).toHaveLength(5)
  const gaps = requests.slice(1).map((request, index) => request.at - requests[index].at)
  ;[1000, 2000, 4000, 8000].forEach((base, index) => {
    expect(gaps[index]).toBeGreaterThanOrEqual(base * 0.8 - 50)
    expect(gaps[index]).toBeLessThanOrEqual(base * 1.2 + 1000)
  })
  expect(result.stdout).toMatch(/waiting \d\.\d\d s before retry 4 of 4/)
})

test('page 3 of 4 keeps failing: error, never a pass, no partial report', async () => {
  sim.addFault({
    target: 'users',
    after: 2,
    kind: 'status',
    status: 503,
    retryAfter: '0.01',
    times: Infinity
  })
  const result = await run({ 'on-stale': 'none', 'threshold-days': '36500' })
  expectRunError(
    result,
    /HTTP 503 for users page 3 after 4 retries.* The run had read 20 users of about 40 \(2 pages\) in \d+ s; no report was written\.$/
  )
  expect(userRequests(sim)).toHaveLength(2 + 5)
  expect(result.outputs['user-count']).toBeUndefined()
})

test('403 for a tenant without Entra ID P1/P2: error naming the licence', async () => {
  sim.directories[0].premium = false
  try {
    const result = await run()
    expectRunError(result, /Authentication_RequestFromNonPremiumTenantOrB2CTenant.*P1 or P2/)
    // 403 is not retried.
    expect(userRequests(sim)).toHaveLength(1)
  } finally {
    sim.directories[0].premium = true
  }
})

test('403 without AuditLog.Read.All: error naming the missing permission', async () => {
  const app = sim.apps[0]
  const roles = [...app.roles]
  app.roles = roles.filter((role) => role !== 'AuditLog.Read.All')
  try {
    const result = await run()
    expectRunError(
      result,
      /403 Authentication_MSGraphPermissionMissing.*AuditLog\.Read\.All.*admin consent/
    )
    expect(userRequests(sim)).toHaveLength(1)
  } finally {
    app.roles = roles
  }
})
