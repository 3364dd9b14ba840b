/**
 * The job summary at tenant scale: 60,000 stale users, a summary that stays under 1 MiB, the
 * worst `summary-rows` users first, and "N more" pointing at the uploaded artifact.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { runAction, simInputs, type ActionRun } from '../../__fixtures__/action.js'
import { expectValidReport } from '../../__fixtures__/schema.js'
import { createArtifactService, type ArtifactService } from '../../simulator/artifact.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import type { GraphUser, Tenant } from '../../simulator/types.js'
import { ago, decodeHtml, histogram } from './helpers.js'

const COUNT = 60_000
const MIB = 1024 * 1024

/**
 * 60,000 users, generated on demand: every 20th signed in recently (active), the rest stale with
 * 100 to 3,090 days of inactivity spread over the tenant, so "worst first" has work to do.
 */
function staleTenant(): Tenant {
  const user = (index: number): GraphUser => ({
    id: `5ca1ab1e-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    userPrincipalName: `stale.user${index}@contoso.onmicrosoft.com`,
    displayName: `Stale User ${index}`,
    userType: 'Member',
    accountEnabled: true,
    createdDateTime: ago(4000.5),
    signInActivity: {
      lastSignInDateTime: null,
      lastNonInteractiveSignInDateTime: null,
      lastSuccessfulSignInDateTime: ago(index % 20 === 0 ? 3.5 : 100.5 + ((index * 7919) % 2991))
    }
  })
  return { count: COUNT, user, signIns: () => [], groupMembers: () => undefined }
}

let sim: Simulator
let service: ArtifactService
beforeAll(async () => {
  service = createArtifactService()
  sim = await startSimulator({ tenant: staleTenant(), routes: [service.route] })
})
afterAll(() => sim.close())

function run(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction({
    inputs: { ...simInputs(sim), 'page-size': '500', ...inputs },
    env: {
      ...service.env(sim.origin),
      GITHUB_REPOSITORY: 'octo-org/octo-repo',
      GITHUB_RUN_ID: '31337',
      GITHUB_SERVER_URL: 'https://github.com'
    },
    caPath: sim.caPath
  })
}

/** The summary's user rows, as [status, UPN, days inactive]. */
function summaryRows(summary: string): [string, string, string][] {
  return [
    ...summary.matchAll(
      /<tr><td>([^<]*)<\/td><td>([^<]*)<\/td>(?:<td>[^<]*<\/td>){2}<td>([^<]*)<\/td>/g
    )
  ].map((match) => [match[1], decodeHtml(match[2]), match[3]])
}

/** Days inactive of every stale user in the report, most first. */
function staleDaysWorstFirst(run: ActionRun): number[] {
  return run
    .json()
    .users.filter((user) => user.status === 'stale')
    .map((user) => user.daysInactive as number)
    .sort((a, b) => b - a)
}

describe('60,000 stale users', () => {
  let first: ActionRun
  beforeAll(async () => {
    first = await run({ 'artifact-name': 'scale-default-rows' })
  }, 180_000)

  test('the summary lists the worst 50 first, then "N more" with the artifact link', () => {
    expect(first.outputs['user-count']).toBe(String(COUNT))
    const stale = Number(first.outputs['stale-count'])
    expect(stale).toBe(COUNT - COUNT / 20)
    expect(first.outputs.result).toBe('fail')
    expect(first.code).toBe(1)

    const report = first.json()
    expectValidReport(report)
    expect(report.users).toHaveLength(COUNT)

    expect(Buffer.byteLength(first.summary)).toBeLessThan(MIB)
    const rows = summaryRows(first.summary)
    expect(rows).toHaveLength(50)
    expect(rows.every(([status]) => status === 'stale')).toBe(true)
    expect(rows.map(([, , days]) => Number(days))).toEqual(staleDaysWorstFirst(first).slice(0, 50))

    const [artifact] = service.artifacts().filter((a) => a.name === 'scale-default-rows')
    const url = `https://github.com/octo-org/octo-repo/actions/runs/31337/artifacts/${artifact.id}`
    expect(first.outputs['artifact-url']).toBe(url)
    expect(decodeHtml(first.summary)).toMatch(
      new RegExp(`${stale - 50} more in <a href="${url.replace(/[.]/g, '\\.')}">`)
    )
  })

  test('the summary charts the histogram and the users by type, as the report counts them', () => {
    const report = first.json()
    const bars = [
      ...first.summary.matchAll(/<tr><td>([^<]*)<\/td><td align="right">(\d+)<\/td><td><code>/g)
    ].map((match) => [decodeHtml(match[1]), Number(match[2])])
    expect(Object.fromEntries(bars)).toEqual(histogram(report.users))
    expect(bars.map(([label]) => label)).toEqual([
      '< 30 d',
      '30–60 d',
      '60–90 d',
      '90–180 d',
      '180–365 d',
      '1–2 y',
      '> 2 y',
      'never'
    ])
    const types = [
      ...first.summary.matchAll(/<tr><td>(Member|Guest)<\/td>((?:<td align="right">\d+<\/td>){6})/g)
    ].map((match) => [match[1], [...match[2].matchAll(/\d+/g)].map(Number)])
    const { stale, warn, active, excluded, skipped, users } = report.counts
    expect(types).toEqual([['Member', [stale, warn, active, excluded, skipped, users]]])
  })

  test('the most rows allowed still stay under 1 MiB, cut at the size limit', async () => {
    const big = await run({ 'artifact-name': 'scale-max-rows', 'summary-rows': '10000' })
    const stale = Number(big.outputs['stale-count'])
    const bytes = Buffer.byteLength(big.summary)
    expect(bytes).toBeLessThan(MIB)
    // The cut is at the size limit, not far below it.
    expect(bytes).toBeGreaterThan(0.9 * MIB)
    const rows = summaryRows(big.summary)
    expect(rows.length).toBeGreaterThan(1000)
    expect(rows.length).toBeLessThan(10_000)
    expect(rows.map(([, , days]) => Number(days))).toEqual(
      staleDaysWorstFirst(big).slice(0, rows.length)
    )
    expect(decodeHtml(big.summary)).toContain(`${stale - rows.length} more in <a href=`)
    expect(big.outputs['artifact-url']).toMatch(/\/artifacts\/\d+$/)
  }, 180_000)
})

describe('summary-rows', () => {
  test('0 lists no user, only the count and the link', async () => {
    const none = await run({ 'artifact-name': 'scale-no-rows', 'summary-rows': '0' })
    const stale = Number(none.outputs['stale-count'])
    expect(summaryRows(none.summary)).toEqual([])
    expect(none.summary).not.toContain('<th>Status</th>')
    expect(none.summary).not.toContain('stale.user')
    expect(decodeHtml(none.summary)).toContain(
      `${stale} more in <a href="${none.outputs['artifact-url']}">`
    )
  }, 180_000)
})
