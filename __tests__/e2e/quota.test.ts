/**
 * Graph's quota and broken answers, end to end on the bundle against the simulator with a
 * scaled-down quota: throttled with and without Retry-After the run is complete and correct with
 * a bounded number of 429s; a request never answered is timed out and sent again; a body cut off
 * after the headers and a 200 that is not JSON are sent again, and one that stays broken is an
 * error, never a pass; the token endpoint's 503 and 429 are retried; each page's log line gives
 * the users so far and the time left.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { runOn, type ActionRun } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { generateTenant } from '../../simulator/tenant.js'
import { commandLines, expectRunError, tokenRequests, userRequests } from './helpers.js'

const USERS = 60
const PAGE_SIZE = 5
const PAGES = USERS / PAGE_SIZE
/** The scaled signInActivity window: 4 requests a second (Graph: 10 a minute). */
const WINDOW = { requests: 4, windowMs: 1000 }

let sim: Simulator
const tenant = generateTenant({ count: USERS, seed: 5 })

beforeAll(async () => {
  sim = await startSimulator({ tenant })
})
afterAll(() => sim.close())
beforeEach(() => {
  sim.clearFaults()
  sim.resetRequests()
  sim.setQuota(undefined)
})

const run = (inputs: Record<string, string> = {}) =>
  runOn(sim, { 'page-size': String(PAGE_SIZE), 'on-stale': 'warn', ...inputs })

/** A complete, correct run: every user once, the report and outputs agree. */
function expectComplete(result: ActionRun): void {
  expect(commandLines(result, 'error')).toEqual([])
  expect(result.code).toBe(0)
  expect(result.outputs['user-count']).toBe(String(USERS))
  const ids = result.json().users.map((user) => user.id)
  expect(new Set(ids).size).toBe(USERS)
  expect(ids.sort()).toEqual(
    Array.from({ length: USERS }, (_, index) => tenant.user(index).id).sort()
  )
}

const refused = (sim: Simulator) => userRequests(sim).filter((request) => request.status === 429)

describe('throttled by the signInActivity quota (4 a second)', () => {
  test('with Retry-After: complete; the pacer learns the window, so only a few 429s', async () => {
    sim.setQuota({ limits: { signInActivity: WINDOW } })
    const result = await run()
    expectComplete(result)
    // Sending freely until the first 429 teaches the window; after that at most one more.
    expect(refused(sim).length).toBeGreaterThanOrEqual(1)
    expect(refused(sim).length).toBeLessThanOrEqual(3)
    expect(userRequests(sim).length).toBe(PAGES + refused(sim).length)
    // The quota floor: 12 pages at 4 a second take at least 2 s.
    expect(result.wallMs).toBeGreaterThan(2000)
  })

  test('without Retry-After: complete, backing off within the documented window, a bounded number of 429s', async () => {
    sim.setQuota({ limits: { signInActivity: WINDOW }, retryAfter: false })
    const result = await run()
    expectComplete(result)
    expect(refused(sim).length).toBeGreaterThanOrEqual(1)
    expect(refused(sim).length).toBeLessThanOrEqual(4)
    expect(result.stdout).toMatch(/users page \d+: HTTP 429; waiting 1\.00 s/)
  })

  test('each page line gives the users so far and, from /users/$count, the time left', async () => {
    sim.setQuota({ limits: { signInActivity: WINDOW } })
    const result = await run()
    expectComplete(result)
    const count = sim.requests.filter((request) => request.target === 'count')
    expect(count).toHaveLength(1)
    expect(count[0].headers.consistencylevel).toBe('eventual')
    expect(result.stdout).toMatch(
      /users page 2: 10 users so far of about 60 \(.*\); about \d+ s left/
    )
  })
})

test('a page refused every time: an error after 8 refusals saying how far the run got, no report', async () => {
  sim.addFault({
    target: 'users',
    after: 3,
    kind: 'status',
    status: 429,
    retryAfter: '0.05',
    times: Infinity
  })
  expectRunError(
    await run(),
    /Graph kept refusing users page 4 with HTTP 429 .*refused 9 times in a row after waiting 0\.4 s in all; run again later\. The run had read 15 users of about 60 \(3 pages\) in \d+ s; no report was written\.$/
  )
  // Pages 1–3, then page 4's first try and 8 more.
  expect(userRequests(sim)).toHaveLength(3 + 9)
})

test('an estimate refused for good (Retry-After beyond 300 s) does not hold up the listing in the same quota bucket', async () => {
  // /users/$count and the sign-in-log source's user pages share the directory bucket: the
  // refused $count is given up, and the pages must not wait for it.
  sim.addFault({ target: 'count', kind: 'status', status: 429, retryAfter: '400' })
  const result = await run({
    source: 'sign-in-logs',
    'graph-version': 'beta',
    'threshold-days': '30'
  })
  expectComplete(result)
  expect(result.stdout).toMatch(/No time-left estimate: .*Retry-After/)
})

describe('the sign-in-log source throttled by the log quota (5 per 0.25 s), each $batch sub-request counted', () => {
  // Graph's 5 per 10 s at 1/40 of the time, Retry-After scaled with it.
  const LOG_WINDOW = { requests: 5, windowMs: 250 }
  const logRun = () =>
    run({ source: 'sign-in-logs', 'graph-version': 'beta', 'threshold-days': '30' })
  const subRequests = () => sim.requests.filter((request) => request.inBatch)

  test.each([
    ['with Retry-After', true],
    ['without Retry-After', false]
  ])('%s: complete, every user looked up, a bounded number of 429s', async (_, retryAfter) => {
    sim.setQuota({ timeScale: LOG_WINDOW.windowMs / 10_000, retryAfter })
    const result = await logRun()
    expectComplete(result)
    const subs = subRequests()
    const refusals = subs.filter((request) => request.status === 429).length
    const answered = subs.length - refusals
    // One lookup a user, two when the newest sign-in failed: at least one a user.
    expect(answered).toBeGreaterThanOrEqual(USERS)
    // The second page's batch meets the full window (5 refusals) and teaches it; then a probe
    // now and then. (The benchmark holds a long run to one refusal a window on average.)
    const windows = Math.ceil(answered / LOG_WINDOW.requests)
    expect(refusals).toBeGreaterThanOrEqual(1)
    expect(refusals).toBeLessThanOrEqual(LOG_WINDOW.requests + windows)
    expect(result.stdout).toMatch(
      /Graph's sign-in log quota, as learned from its answers: pacing to 5 requests per 0\.\d\d s/
    )
  })
})

describe('broken answers', () => {
  test('a request never answered is timed out after request-timeout and sent again', async () => {
    sim.addFault({ target: 'users', after: 1, kind: 'hang' })
    const result = await run({ 'request-timeout': '2' })
    expectComplete(result)
    expect(result.stdout).toMatch(/users page 2: GET \/beta\/users: no answer for 2 s; waiting/)
    expect(userRequests(sim)).toHaveLength(PAGES + 1)
  })

  test('a body cut off after the headers is sent again', async () => {
    sim.addFault({ target: 'users', after: 2, kind: 'truncate' })
    const result = await run()
    expectComplete(result)
    expect(result.stdout).toMatch(/users page 3: .*GET \/beta\/users: .*; waiting/)
    expect(userRequests(sim)).toHaveLength(PAGES + 1)
  })

  test('a 200 that is not JSON is sent again', async () => {
    sim.addFault({ target: 'users', after: 1, kind: 'not-json' })
    const result = await run()
    expectComplete(result)
    expect(result.stdout).toMatch(/users page 2 with a body that is not JSON/)
  })

  test('a 200 that is never JSON: an error naming the path, never a pass, no report', async () => {
    sim.addFault({ target: 'users', after: 1, kind: 'not-json', times: Infinity })
    const error = expectRunError(
      await run(),
      /users page 2 with a body that is not JSON \(HTTP 200, \/beta\/users\)/
    )
    expect(error).not.toMatch(/Bearer|sim\./)
    // Page 1, then page 2's first try and two more.
    expect(userRequests(sim)).toHaveLength(1 + 3)
  })
})

describe('the token endpoint', () => {
  test.each([
    ['503', { status: 503 }],
    ['429 with Retry-After', { status: 429, retryAfter: '1' }]
  ])('%s once: retried, the run completes', async (_, fault) => {
    sim.addFault({ target: 'token', kind: 'status', ...fault })
    const result = await run()
    expectComplete(result)
    expect(tokenRequests(sim)).toHaveLength(2)
  })
})
