/** `report-formats`: any of csv, json, html; outputs and files follow exactly what was asked. */
import { existsSync, readdirSync } from 'node:fs'
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { runOn } from '../../__fixtures__/action.js'
import { expectValidReport } from '../../__fixtures__/schema.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { generateTenant } from '../../simulator/tenant.js'
import { csvRecords } from './helpers.js'

const COUNT = 120

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ tenant: generateTenant({ count: COUNT, seed: 12 }) })
})
afterAll(() => sim.close())

const run = (formats: string) => runOn(sim, { 'report-formats': formats, 'on-stale': 'warn' })

test.each([
  ['csv', ['entra-signin-report.csv']],
  ['json', ['entra-signin-report.json']],
  ['csv,json', ['entra-signin-report.csv', 'entra-signin-report.json']],
  ['html', ['entra-signin-report.html']],
  [
    'csv,json,html',
    ['entra-signin-report.csv', 'entra-signin-report.html', 'entra-signin-report.json']
  ],
  [' JSON , csv ', ['entra-signin-report.csv', 'entra-signin-report.json']]
])('report-formats "%s" writes exactly %j', async (formats, files) => {
  const result = await run(formats)
  expect(result.code).toBe(0)
  expect(readdirSync(result.outputs['report-dir']).sort()).toEqual(files)

  const wantsJson = files.includes('entra-signin-report.json')
  const wantsCsv = files.includes('entra-signin-report.csv')
  if (wantsJson) {
    expect(result.outputs['report-json']).toMatch(/entra-signin-report\.json$/)
    expect(existsSync(result.outputs['report-json'])).toBe(true)
    expectValidReport(result.json())
    expect(result.json().users).toHaveLength(COUNT)
  } else {
    expect(result.outputs['report-json']).toBe('')
  }
  if (wantsCsv) {
    expect(result.outputs['report-csv']).toMatch(/entra-signin-report\.csv$/)
    expect(existsSync(result.outputs['report-csv'])).toBe(true)
    expect(csvRecords(result)).toHaveLength(COUNT)
  } else {
    expect(result.outputs['report-csv']).toBe('')
  }
  if (files.includes('entra-signin-report.html')) {
    // One row of values per user inside the page's JSON block (the browser tests open it).
    const block = /<script type="application\/json" id="users-data">([\s\S]*?)<\/script>/.exec(
      result.html()
    )
    expect(JSON.parse(block![1])).toHaveLength(COUNT)
  }
  expect(result.outputs['user-count']).toBe(String(COUNT))
})

test('an unknown format fails before any request, naming the allowed values', async () => {
  sim.resetRequests()
  const result = await run('csv,xlsx')
  expect(result.code).toBe(1)
  expect(result.outputs.result).toBe('error')
  expect(result.stdout).toMatch(/::error::.*report-formats.*csv, json, html.*xlsx/)
  expect(sim.requests).toHaveLength(0)
})
