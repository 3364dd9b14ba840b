/**
 * The merge action end to end: three simulated tenants each run dist/index.js and upload their
 * report to the simulator's artifact service (one workflow run, one job each), then
 * dist/merge/index.js (merge/action.yml's defaults as INPUT_*) lists, downloads, validates and
 * merges them.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { runAction, simInputs, type ActionRun, type Report } from '../../__fixtures__/action.js'
import { runFixture } from '../../__fixtures__/route-harness.js'
import { createArtifactService, type ArtifactService } from '../../simulator/artifact.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { generateTenant } from '../../simulator/tenant.js'
import { commandLines, decodeHtml, parseCsv } from './helpers.js'

const REPOSITORY = 'octo-org/octo-repo'
const RUN_ID = '4242'

interface Leg {
  name: string
  /** The tenant-id the leg's job gives (a GUID, or for beta its domain). */
  tenantInput: string
  sim: Simulator
  artifact: string
  run: ActionRun
  report: Report
  csv: string[][]
  dir: string
}

const TENANTS = [
  { name: 'alpha', id: 'a1a1a1a1-0000-4000-8000-000000000001', count: 150, seed: 11 },
  { name: 'beta', id: 'b2b2b2b2-0000-4000-8000-000000000002', count: 90, seed: 12 },
  { name: 'gamma', id: 'c3c3c3c3-0000-4000-8000-000000000003', count: 40, seed: 13 }
]

let legs: Leg[]
let service: ArtifactService
let caPath: string

function runnerEnv(svc: ArtifactService, job: string): Record<string, string> {
  return {
    ...svc.env(legs?.[0]?.sim.origin ?? '', job),
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_RUN_ID: RUN_ID,
    GITHUB_SERVER_URL: 'https://github.com'
  }
}

beforeAll(async () => {
  const sims = await Promise.all(
    TENANTS.map(({ name, id, count, seed }) =>
      startSimulator({
        tenant: generateTenant({ count, seed, domain: `${name}.onmicrosoft.com` }),
        directories: [{ id, domains: [`${name}.onmicrosoft.com`], premium: true }]
      })
    )
  )
  // The legs reach their own tenant's simulator and the first one's artifact service.
  caPath = join(mkdtempSync(join(tmpdir(), 'merge-ca-')), 'ca.pem')
  writeFileSync(caPath, sims.map((sim) => sim.caPem).join('\n'))
  service = createArtifactService()
  sims[0].addRoutes(service.route)
  const origin = sims[0].origin
  legs = await Promise.all(
    TENANTS.map(async ({ name }, index) => {
      const sim = sims[index]
      const tenantInput = name === 'beta' ? sim.domain : sim.tenantId
      const artifact = `entra-signin-report-${name}`
      const run = await runAction({
        inputs: {
          ...simInputs(sim),
          'tenant-id': tenantInput,
          'on-stale': 'warn',
          'warn-days': '30',
          'artifact-name': artifact
        },
        env: {
          ...service.env(origin, `leg-${name}`),
          GITHUB_REPOSITORY: REPOSITORY,
          GITHUB_RUN_ID: RUN_ID,
          GITHUB_SERVER_URL: 'https://github.com'
        },
        caPath
      })
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      return {
        name,
        tenantInput,
        sim,
        artifact,
        run,
        report: run.json(),
        csv: parseCsv(run.csv()),
        dir: run.outputs['report-dir']
      }
    })
  )
}, 180_000)
afterAll(async () => {
  await Promise.all((legs ?? []).map((leg) => leg.sim.close()))
})

/** The merge action against `svc`, as a job of the same workflow run. */
function merge(
  svc: ArtifactService,
  inputs: Record<string, string> = {},
  extra: Record<string, string> = {}
): Promise<ActionRun> {
  return runAction({
    action: 'merge',
    inputs,
    env: { ...runnerEnv(svc, 'merge'), ...extra },
    caPath
  })
}

/** Uploads a leg's report directory (or a doctored copy) as another job of the run would. */
async function upload(svc: ArtifactService, name: string, dir: string): Promise<void> {
  const files = ['entra-signin-report.json', 'entra-signin-report.csv']
    .map((file) => join(dir, file))
    .filter((path) => existsSync(path))
  const child = await runFixture('artifact-upload.mjs', [name, dir, '', '--', ...files], {
    ...svc.env(legs[0].sim.origin, `upload-${name}`),
    NODE_EXTRA_CA_CERTS: caPath
  })
  expect(child.code).toBe(0)
}

/**
 * stderr without the one warning the toolkit's download prints: its unzip-stream dependency
 * still calls `new Buffer()` (DEP0005), in actions/download-artifact too.
 */
const ownStderr = (run: ActionRun) =>
  run.stderr
    .split('\n')
    .filter((line) => !/DEP0005|--trace-deprecation/.test(line) && line !== '')
    .join('\n')

const sum = (pick: (leg: Leg) => number) => legs.reduce((total, leg) => total + pick(leg), 0)

/** The summary's table rows as cell texts. */
function tableRows(summary: string): string[][] {
  return [...summary.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((cell) =>
      decodeHtml(cell[1].replace(/<[^>]+>/g, ''))
    )
  )
}

const RANK: Record<string, number> = { error: 0, fail: 1, warn: 2, pass: 3 }

describe('merge of three tenants', () => {
  test('merged JSON and CSV row by row, outputs, summary and artifact', async () => {
    const stale = sum((leg) => leg.report.counts.stale)
    expect(stale).toBeGreaterThan(0) // else on-stale: fail could not fail
    const run = await merge(service, {
      expect: `${legs[0].tenantInput}\n${legs[1].tenantInput}, entra-signin-report-gamma`
    })
    expect(ownStderr(run)).toBe('')
    expect(commandLines(run, 'error')).toEqual([
      `::error::${stale} stale user(s) across 3 tenant(s) exceed max-stale 0 (on-stale: fail). See the job summary and the merged report.`
    ])
    expect(run.code).toBe(1)

    // Outputs: the totals under the action's own names, summed.
    const counts = ['users', 'checked', 'stale', 'warn', 'neverSignedIn', 'excluded', 'newStale']
    const names = [
      'user-count',
      'checked-count',
      'stale-count',
      'warn-count',
      'never-signed-in-count',
      'excluded-count',
      'new-stale-count'
    ]
    for (const [index, name] of names.entries()) {
      expect([name, run.outputs[name]]).toEqual([
        name,
        String(sum((leg) => leg.report.counts[counts[index]]))
      ])
    }
    for (const name of [
      'pending-invitation-count',
      'privileged-stale-count',
      'licensed-stale-count'
    ]) {
      expect([name, run.outputs[name]]).toEqual([
        name,
        String(sum((leg) => Number(leg.run.outputs[name])))
      ])
    }
    expect(run.outputs).toMatchObject({ result: 'fail', 'tenant-count': '3' })

    // The merged JSON: every leg's users in artifact-name order, each with its tenantId first.
    const merged = JSON.parse(readFileSync(run.outputs['report-json'], 'utf8')) as {
      schemaVersion: number
      generatedAt: string
      policy: Record<string, unknown>
      users: Record<string, unknown>[]
      tenants: Record<string, unknown>[]
      counts: Record<string, number>
      result: string
    }
    expect(Object.keys(merged)).toEqual([
      'schemaVersion',
      'generatedAt',
      'policy',
      'users',
      'tenants',
      'counts',
      'result'
    ])
    expect(merged.policy).toEqual({
      onStale: 'fail',
      maxStale: 0,
      expect: [legs[0].tenantInput, legs[1].tenantInput, 'entra-signin-report-gamma']
    })
    const expectedUsers: Record<string, unknown>[] = legs.flatMap((leg) =>
      leg.report.users.map((user) => ({ tenantId: leg.tenantInput, ...user }))
    )
    expect(merged.users).toHaveLength(expectedUsers.length)
    for (const [index, user] of merged.users.entries()) {
      expect(Object.keys(user)).toEqual(Object.keys(expectedUsers[index]))
      expect(user).toEqual(expectedUsers[index])
    }
    expect(merged.tenants).toEqual(
      legs.map((leg) => ({
        tenantId: leg.tenantInput,
        artifact: leg.artifact,
        generatedAt: leg.report.generatedAt,
        cloud: 'global',
        graphVersion: 'beta',
        source: 'sign-in-activity',
        result: leg.report.result,
        counts: leg.report.counts,
        policy: leg.report.policy
      }))
    )
    for (const key of Object.keys(legs[0].report.counts)) {
      // The group tallies and licences are objects: summed member by member below.
      if (typeof legs[0].report.counts[key] !== 'number') continue
      expect([key, merged.counts[key]]).toEqual([key, sum((leg) => leg.report.counts[key])])
    }
    type Groups = Record<string, Record<string, number>>
    const groupsOf = (counts: unknown) => (counts as { groups: Groups }).groups
    for (const [group, tally] of Object.entries(groupsOf(merged.counts))) {
      for (const [what, value] of Object.entries(tally))
        expect([group, what, value]).toEqual([
          group,
          what,
          sum((leg) => groupsOf(leg.report.counts)[group][what])
        ])
    }
    expect(merged.result).toBe('fail')

    // The merged CSV: a tenantId column before the report's, then each leg's rows as they were.
    const csv = parseCsv(readFileSync(run.outputs['report-csv'], 'utf8'))
    expect(csv[0]).toEqual(['tenantId', ...legs[0].csv[0]])
    const expectedRows = legs.flatMap((leg) =>
      leg.csv.slice(1).map((row) => [leg.tenantInput, ...row])
    )
    expect(csv.slice(1)).toEqual(expectedRows)

    // The summary: one row per tenant, worst first, then the totals.
    const summary = decodeHtml(run.summary)
    expect(summary).toContain('Entra ID sign-in check, 3 tenant(s) merged: fail')
    expect(summary).toContain('on-stale fail · max-stale 0 · 3 expected tenant(s)')
    const rows = tableRows(run.summary)
    expect(rows[0]).toEqual([
      'Tenant',
      'Result',
      'Users',
      'Checked',
      'Stale',
      'Warn',
      'Never signed in',
      'Excluded'
    ])
    const tenantRows = rows.slice(1, 4)
    const cellsOf = (leg: Leg) => {
      const c = leg.report.counts
      return [c.users, c.checked, c.stale, c.warn, c.neverSignedIn, c.excluded].map(String)
    }
    for (const leg of legs) {
      const name =
        leg.tenantInput === leg.artifact ? leg.tenantInput : `${leg.tenantInput} (${leg.artifact})`
      const row = tenantRows.find((cells) => cells[0] === name)
      expect(row?.slice(2)).toEqual(cellsOf(leg))
      expect(row?.[1]).toContain(leg.report.result)
    }
    const order = tenantRows.map((cells) => {
      const leg = legs.find((candidate) => cells[0].startsWith(candidate.tenantInput))!
      return [RANK[leg.report.result], -leg.report.counts.stale]
    })
    expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]))
    expect(rows[4][0]).toBe('All tenants')
    expect(rows[4].slice(2)).toEqual(
      ['users', 'checked', 'stale', 'warn', 'neverSignedIn', 'excluded'].map((key) =>
        String(sum((leg) => leg.report.counts[key]))
      )
    )
    // The worst 50 users across tenants, each with its tenant.
    const attention = expectedUsers
      .filter((user) => user.status === 'stale' || user.status === 'warn')
      .sort(
        (a, b) =>
          (a.status === 'stale' ? 0 : 1) - (b.status === 'stale' ? 0 : 1) ||
          ((b.daysInactive as number | null) ?? Infinity) -
            ((a.daysInactive as number | null) ?? Infinity) ||
          String(a.userPrincipalName ?? '').localeCompare(String(b.userPrincipalName ?? ''))
      )
    const userRows = rows.slice(6)
    expect(rows[5]).toEqual([
      'Tenant',
      'Status',
      'User',
      'Name',
      'Type',
      'Days inactive',
      'Last activity',
      'Reason'
    ])
    expect(userRows.map((cells) => [cells[0], cells[1], cells[2]])).toEqual(
      attention.slice(0, 50).map((user) => [user.tenantId, user.status, user.userPrincipalName])
    )
    expect(run.summary).toContain(
      `<p>${attention.length - 50} more in <a href="${run.outputs['artifact-url']}">the merged report artifact</a>.</p>`
    )

    // The merged artifact, uploaded beside the legs'.
    const uploaded = service.artifacts().find((a) => a.name === 'entra-signin-merged-report')
    expect(uploaded).toBeDefined()
    expect(run.outputs['artifact-id']).toBe(String(uploaded?.id))
    expect(run.outputs['artifact-url']).toBe(
      `https://github.com/${REPOSITORY}/actions/runs/${RUN_ID}/artifacts/${uploaded?.id}`
    )
  })

  test('max-stale across all tenants: the sum decides (warn), exit 0', async () => {
    const stale = sum((leg) => leg.report.counts.stale)
    const run = await merge(service, { 'max-stale': String(stale), 'artifact-name': '' })
    expect(run.outputs.result).toBe('warn')
    expect(run.code).toBe(0)
    expect(commandLines(run, 'warning')[0]).toContain(`${stale} stale and`)
    const lower = await merge(service, { 'max-stale': String(stale - 1), 'artifact-name': '' })
    expect(lower.outputs.result).toBe('fail')
    // expect left empty: the summary says a failed tenant could go unnoticed.
    expect(decodeHtml(lower.summary)).toContain('expect is empty')
  })
})

describe('a tenant that cannot be merged is an error naming it', () => {
  test('an expected tenant without a report', async () => {
    const svc = createArtifactService()
    legs[0].sim.addRoutes(svc.route)
    await upload(svc, legs[0].artifact, legs[0].dir)
    await upload(svc, legs[1].artifact, legs[1].dir)
    const reportDir = mkdtempSync(join(tmpdir(), 'merge-missing-'))
    const run = await merge(svc, {
      expect: legs.map((leg) => leg.tenantInput).join('\n'),
      'report-dir': reportDir
    })
    expect(run.code).toBe(1)
    expect(run.outputs).toEqual({ result: 'error' })
    expect(commandLines(run, 'error')).toEqual([
      `::error::Expected tenant ${legs[2].tenantInput} has no report: its job failed before uploading one, or expect does not name it as its tenant-id, artifact name or file path.`
    ])
    // No merged file: a merge that leaves a tenant out is never presented as complete.
    expect(existsSync(join(reportDir, 'entra-signin-merged-report.json'))).toBe(false)
    expect(existsSync(join(reportDir, 'entra-signin-merged-report.json.partial'))).toBe(false)
    expect(svc.artifacts().map((a) => a.name)).toEqual([legs[0].artifact, legs[1].artifact])
    const rows = tableRows(run.summary)
    expect(rows[1].slice(0, 2)).toEqual([legs[2].tenantInput, '🛑 error'])
    expect(rows.map((cells) => cells[0])).toEqual(
      expect.arrayContaining([`${legs[0].tenantInput} (${legs[0].artifact})`])
    )
    expect(decodeHtml(run.summary)).toContain('No merged report was produced')
    expect(rows.some((cells) => cells[0] === 'All tenants')).toBe(false)
  })

  test('a corrupt, an incomplete and a JSON-less report are each named', async () => {
    const svc = createArtifactService()
    legs[0].sim.addRoutes(svc.route)
    const work = mkdtempSync(join(tmpdir(), 'merge-corrupt-'))
    const doctored = (name: string, edit: (text: string) => string | undefined) => {
      const dir = join(work, name)
      mkdirSync(dir)
      cpSync(join(legs[0].dir, 'entra-signin-report.csv'), join(dir, 'entra-signin-report.csv'))
      const text = edit(readFileSync(join(legs[0].dir, 'entra-signin-report.json'), 'utf8'))
      if (text !== undefined) writeFileSync(join(dir, 'entra-signin-report.json'), text)
      return dir
    }
    await upload(svc, legs[1].artifact, legs[1].dir)
    await upload(
      svc,
      'entra-signin-report-cut',
      doctored('cut', (text) => text.slice(0, text.length / 2))
    )
    await upload(
      svc,
      'entra-signin-report-short',
      doctored('short', (text) => {
        const report = JSON.parse(text) as Report
        report.users.pop()
        return JSON.stringify(report)
      })
    )
    await upload(
      svc,
      'entra-signin-report-csv-only',
      doctored('csv-only', () => undefined)
    )
    await upload(
      svc,
      'entra-signin-report-badresult',
      doctored('badresult', (text) => JSON.stringify({ ...JSON.parse(text), result: 'error' }))
    )
    const run = await merge(svc)
    expect(run.code).toBe(1)
    expect(run.outputs).toEqual({ result: 'error' })
    const errors = commandLines(run, 'error')
    expect(errors).toHaveLength(4)
    expect(errors[0]).toMatch(
      /^::error::Cannot merge artifact "entra-signin-report-badresult" does not match docs\/report\.schema\.json: \/result must be equal to one of the allowed values\.$/
    )
    expect(errors[1]).toBe(
      '::error::Cannot merge artifact "entra-signin-report-csv-only" holds no entra-signin-report.json: the tenant\'s job needs json in report-formats.'
    )
    expect(errors[2]).toMatch(
      /^::error::Cannot merge artifact "entra-signin-report-cut" is not valid JSON.*: the file is corrupt or cut short\. Re-run the tenant's job\.$/
    )
    expect(errors[3]).toMatch(
      /^::error::Cannot merge artifact "entra-signin-report-short" is incomplete or inconsistent: counts\.users is \d+ but \d+ such users are listed/
    )
    // Nothing of a report's content (user names) is quoted in a message.
    for (const user of legs[0].report.users.slice(-3)) {
      if (user.userPrincipalName) expect(run.stdout).not.toContain(String(user.userPrincipalName))
    }
    const rows = tableRows(run.summary)
    expect(rows.slice(1, 5).map((cells) => [cells[0], cells[1]])).toEqual(
      ['badresult', 'csv-only', 'cut', 'short'].map((name) => [
        `entra-signin-report-${name}`,
        '🛑 error'
      ])
    )
    expect(rows[5][0]).toBe(`${legs[1].tenantInput} (${legs[1].artifact})`)
  })

  test('no artifact matches the pattern', async () => {
    const svc = createArtifactService()
    legs[0].sim.addRoutes(svc.route)
    await upload(svc, 'something-else', legs[2].dir)
    const run = await merge(svc)
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')).toEqual([
      '::error::No artifact of this workflow run matches pattern "entra-signin-report*" (artifacts: something-else). The tenant jobs upload with artifact-name; run the merge job after them (needs:).'
    ])
  })
})

describe('reports already on disk', () => {
  test('globs relative to the workspace, no artifact service needed', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'merge-files-'))
    for (const leg of legs)
      cpSync(leg.dir, join(workspace, 'reports', leg.name), { recursive: true })
    const run = await runAction({
      action: 'merge',
      inputs: {
        reports: 'reports/*/entra-signin-report.json',
        expect: 'reports/gamma/entra-signin-report.json',
        'on-stale': 'none'
      },
      workspace
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.outputs.result).toBe('warn')
    expect(run.outputs['tenant-count']).toBe('3')
    const merged = JSON.parse(readFileSync(run.outputs['report-json'], 'utf8')) as {
      tenants: { file: string }[]
    }
    expect(merged.tenants.map((tenant) => tenant.file)).toEqual(
      legs.map((leg) => `reports/${leg.name}/entra-signin-report.json`)
    )
    expect(run.outputs['artifact-id']).toBe('')
    const missing = await runAction({
      action: 'merge',
      inputs: { reports: 'reports/alpha/entra-signin-report.json\nreports/delta/*.json' },
      workspace
    })
    expect(missing.code).toBe(1)
    expect(commandLines(missing, 'error')).toEqual([
      `::error::Input 'reports': "reports/delta/*.json" matches no file (relative to ${workspace}).`
    ])
  })
})
