/**
 * Progress on long runs: a line per page with the users so far, every throttling wait with its
 * reason and length, and the Graph request count and elapsed time at the end.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals'
import { runOn } from '../../__fixtures__/action.js'
import { expectValidReport } from '../../__fixtures__/schema.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { generateTenant } from '../../simulator/tenant.js'
import { userRequests } from './helpers.js'

const COUNT = 1200

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ tenant: generateTenant({ count: COUNT, seed: 77 }) })
})
afterAll(() => sim.close())
beforeEach(() => {
  sim.clearFaults()
  sim.resetRequests()
})

const run = () => runOn(sim, { 'page-size': '500', 'on-stale': 'warn' })

/** Every Graph request the simulator answered (the token endpoint is Entra, not Graph). */
const graphRequests = () =>
  sim.requests.filter((request) => request.target !== 'token' && request.target !== 'discovery')

test('a line per page with the users so far, and the request count and time at the end', async () => {
  const result = await run()
  expect(result.code).toBe(0)
  const pages = result.stdout.split('\n').filter((line) => /^users page \d+:/.test(line))
  const stale = [0, 0, 0]
  expect(pages.map((line) => line.replace(/ \(.*$/, ''))).toEqual([
    'users page 1: 500 users so far of about 1200',
    'users page 2: 1000 users so far of about 1200',
    'users page 3: 1200 users so far of about 1200'
  ])
  for (const [index, line] of pages.entries()) {
    stale[index] = Number(/\((\d+) stale, \d+ warn\)/.exec(line)?.[1])
  }
  // The stale count grows with the pages and ends at the output.
  expect(stale[0]).toBeLessThanOrEqual(stale[1])
  expect(stale[2]).toBe(Number(result.outputs['stale-count']))

  expect(userRequests(sim)).toHaveLength(3)
  const end =
    /^Read (\d+) users with (\d+) Graph requests in (\d+\.\d) s \((\d+\.\d) s waiting on throttling\)$/m.exec(
      result.stdout
    )
  expect(end).not.toBeNull()
  expect(Number(end![1])).toBe(COUNT)
  expect(Number(end![2])).toBe(graphRequests().length)
  expect(Number(end![4])).toBe(0)
  expectValidReport(result.json())
})

test('a throttled run logs every wait with its reason and length', async () => {
  // Page 2 is throttled twice (429, then 503 with a fractional Retry-After); page 3 once without
  // Retry-After (backoff: 1 s ± 20 %).
  sim.addFault({ target: 'users', kind: 'status', status: 429, retryAfter: '0.3', after: 1 })
  sim.addFault({ target: 'users', kind: 'status', status: 503, retryAfter: '0.25', after: 2 })
  sim.addFault({ target: 'users', kind: 'status', status: 503, after: 4 })
  const result = await run()
  expect(result.code).toBe(0)
  expect(result.outputs['user-count']).toBe(String(COUNT))
  expect(result.json().users).toHaveLength(COUNT)

  const waits = result.stdout
    .split('\n')
    .filter((line) => /waiting [\d.]+ s before retry/.test(line))
  expect(waits).toHaveLength(3)
  expect(waits[0]).toMatch(
    /page 2.*HTTP 429, Retry-After 0\.3; waiting 0\.30 s before retry 1 of 8/
  )
  expect(waits[1]).toMatch(
    /page 2.*HTTP 503, Retry-After 0\.25; waiting 0\.25 s before retry 2 of 4/
  )
  expect(waits[2]).toMatch(
    /page 3.*HTTP 503; waiting (0\.[89]\d|1\.[01]\d|1\.20) s before retry 1 of 4/
  )
  expect(userRequests(sim)).toHaveLength(6)
  const end =
    /^Read 1200 users with (\d+) Graph requests in [\d.]+ s \(([\d.]+) s waiting on throttling\)$/m.exec(
      result.stdout
    )
  expect(Number(end?.[1])).toBe(graphRequests().length)
  const waited = Number(end?.[2])
  expect(waited).toBeGreaterThanOrEqual(1.3)
  expect(waited).toBeLessThanOrEqual(1.8)
})
