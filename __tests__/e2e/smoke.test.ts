import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { runOn } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { generateTenant } from '../../simulator/tenant.js'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ tenant: generateTenant({ count: 1200, seed: 3 }) })
})
afterAll(() => sim.close())

test('the bundle reads every page and reports every user', async () => {
  const run = await runOn(sim)
  expect(run.outputs['user-count']).toBe('1200')
  expect(run.json().users).toHaveLength(1200)
  expect(sim.requests.filter((request) => request.target === 'users')).toHaveLength(3)
  expect(run.code).toBe(run.outputs.result === 'fail' ? 1 : 0)
})
