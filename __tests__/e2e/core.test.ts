/**
 * The core run end to end: every page of a multi-page tenant, both Graph versions, every output
 * action.yml declares, and the exit code of each result.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { actionYml, type ActionRun, runOn } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { generateTenant } from '../../simulator/tenant.js'
import type { RecordedRequest } from '../../simulator/types.js'
import { commandLines, csvRecords, reportDirFiles, userRequests } from './helpers.js'

const USERS = 160
let sim: Simulator
let expectedIds: string[]

beforeAll(async () => {
  sim = await startSimulator({ tenant: generateTenant({ count: USERS, seed: 42 }) })
  expectedIds = Array.from({ length: USERS }, (_, index) => sim.tenant.user(index).id).sort()
})
afterAll(() => sim.close())
beforeEach(() => {
  sim.clearFaults()
  sim.resetRequests()
})

const run = (inputs: Record<string, string> = {}) => runOn(sim, inputs)

describe.each(['beta', 'v1.0'])('graph-version %s, page-size 50, 160 users', (version) => {
  let result: ActionRun
  let requests: RecordedRequest[]
  beforeAll(async () => {
    sim.resetRequests()
    result = await run({ 'graph-version': version, 'page-size': '50' })
    requests = userRequests(sim)
  })

  test('reads four pages from the chosen version, following every nextLink', () => {
    expect(requests).toHaveLength(4)
    for (const request of requests) {
      const url = new URL(request.url, sim.origin)
      expect(url.pathname).toBe(`/${version}/users`)
      expect(url.searchParams.get('$top')).toBe('50')
      expect(url.searchParams.get('$select')?.split(',')).toContain('signInActivity')
      expect(request.status).toBe(200)
    }
    const skipTokens = requests.map((request) =>
      new URL(request.url, sim.origin).searchParams.get('$skiptoken')
    )
    expect(skipTokens[0]).toBeNull()
    expect(skipTokens.slice(1).every((token) => typeof token === 'string' && token !== '')).toBe(
      true
    )
    expect(new Set(skipTokens).size).toBe(4)
  })

  test('reports every user exactly once in the JSON and the CSV', () => {
    const report = result.json()
    expect(report.graphVersion).toBe(version)
    expect(report.users.map((user) => user.id as string).sort()).toEqual(expectedIds)
    expect(
      csvRecords(result)
        .map((row) => row.id)
        .sort()
    ).toEqual(expectedIds)
  })

  test('sets every output action.yml declares, consistent with the report', () => {
    for (const name of Object.keys(actionYml.outputs)) expect(result.outputs).toHaveProperty(name)
    const { counts } = result.json()
    expect(result.outputs['user-count']).toBe(String(USERS))
    expect(result.outputs['checked-count']).toBe(String(counts.checked))
    expect(result.outputs['stale-count']).toBe(String(counts.stale))
    expect(result.outputs['warn-count']).toBe(String(counts.warn))
    expect(result.outputs['never-signed-in-count']).toBe(String(counts.neverSignedIn))
    expect(result.outputs['excluded-count']).toBe(String(counts.excluded))
    expect(result.outputs['new-stale-count']).toBe(String(counts.stale))
    expect(Number(counts.stale)).toBeGreaterThan(0)
    expect(result.outputs.result).toBe('fail')
    expect(result.json().result).toBe('fail')
    expect(result.code).toBe(1)
    const dir = result.outputs['report-dir']
    expect(dir).toBe(join(result.dir, 'entra-signin-report'))
    expect(result.outputs['report-json']).toBe(join(dir, 'entra-signin-report.json'))
    expect(result.outputs['report-csv']).toBe(join(dir, 'entra-signin-report.csv'))
    expect(existsSync(result.outputs['report-json'])).toBe(true)
    expect(existsSync(result.outputs['report-csv'])).toBe(true)
    // No artifact service outside a runner: the upload is skipped, the outputs say so by being empty.
    expect(result.outputs['artifact-id']).toBe('')
    expect(result.outputs['artifact-url']).toBe('')
  })
})

test('report-formats json writes only the JSON and leaves report-csv empty', async () => {
  const result = await run({ 'report-formats': 'json', 'page-size': '100' })
  expect(result.outputs['report-csv']).toBe('')
  expect(reportDirFiles(result)).toEqual(['entra-signin-report.json'])
  expect(result.json().users).toHaveLength(USERS)
})

test('a request Graph rejects ends in result error and exit code 1', async () => {
  sim.addFault({ target: 'users', kind: 'status', status: 400 })
  const result = await run({ 'page-size': '50' })
  expect(result.code).toBe(1)
  expect(result.outputs.result).toBe('error')
  expect(commandLines(result, 'error')).toHaveLength(1)
  expect(commandLines(result, 'error')[0]).toMatch(/users page 1.*400/)
  expect(reportDirFiles(result)).toEqual([])
  // Not retried: 400 is the caller's mistake.
  expect(userRequests(sim)).toHaveLength(1)
})
