/**
 * The report artifact, end to end: dist/index.js uploads with the real @actions/artifact client
 * to the simulator's artifact service (Twirp + signed blob upload); the tests unzip what arrived.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { fromBuffer, type Entry, type ZipFile } from 'yauzl'
import { runAction, simInputs, type ActionRun } from '../../__fixtures__/action.js'
import { expectValidReport } from '../../__fixtures__/schema.js'
import { createArtifactService, type ArtifactService } from '../../simulator/artifact.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { generateTenant, type GeneratedTenant } from '../../simulator/tenant.js'
import { commandLines, decodeHtml, parseCsv } from './helpers.js'

const COUNT = 700
const REPOSITORY = 'octo-org/octo-repo'
const RUN_ID = '8675309'

let sim: Simulator
let service: ArtifactService
let tenant: GeneratedTenant
beforeAll(async () => {
  tenant = generateTenant({ count: COUNT, seed: 41 })
  sim = await startSimulator({ tenant })
})
afterAll(() => sim.close())
beforeEach(() => {
  // A fresh service per test: artifact names are unique per workflow run.
  service = createArtifactService()
  sim.addRoutes(service.route)
  sim.clearFaults()
  sim.resetRequests()
})

/** The runner's environment for the artifact client (never GITHUB_SERVER_URL = simulator). */
function runnerEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...service.env(sim.origin),
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_RUN_ID: RUN_ID,
    GITHUB_SERVER_URL: 'https://github.com',
    ...extra
  }
}

/** on-stale: warn, so the audit alone passes with exit 0 and an upload failure stands out. */
function run(inputs: Record<string, string> = {}, env = runnerEnv()): Promise<ActionRun> {
  return runAction({
    inputs: { ...simInputs(sim), 'on-stale': 'warn', 'page-size': '250', ...inputs },
    env,
    caPath: sim.caPath
  })
}

/** The files in a zip, by name. */
async function unzip(bytes: Buffer): Promise<Map<string, string>> {
  const zip = await new Promise<ZipFile>((done, fail) =>
    fromBuffer(bytes, { lazyEntries: true }, (error, file) => (error ? fail(error) : done(file)))
  )
  const files = new Map<string, string>()
  await new Promise<void>((done, fail) => {
    zip.on('error', fail)
    zip.on('end', done)
    zip.on('entry', (entry: Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return fail(error)
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('error', fail)
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks).toString('utf8'))
          zip.readEntry()
        })
      })
    })
    zip.readEntry()
  })
  return files
}

const artifactRequests = () => sim.requests.filter((request) => request.target === 'artifact')
const allIds = () => Array.from({ length: COUNT }, (_, index) => tenant.user(index).id).sort()

describe('artifact upload', () => {
  test('uploads both report files with every user and outputs the artifact id and URL', async () => {
    const result = await run()
    expect(result.outputs.result).toBe('warn')
    expect(result.code).toBe(0)

    const [artifact] = service.artifacts()
    expect(service.artifacts()).toHaveLength(1)
    expect(artifact.name).toBe('entra-signin-report')
    expect(artifact.retentionDays).toBeNull()
    expect(result.outputs['artifact-id']).toBe(String(artifact.id))
    const url = `https://github.com/${REPOSITORY}/actions/runs/${RUN_ID}/artifacts/${artifact.id}`
    expect(result.outputs['artifact-url']).toBe(url)

    const files = await unzip(artifact.bytes)
    expect([...files.keys()].sort()).toEqual([
      'entra-signin-report.csv',
      'entra-signin-report.html',
      'entra-signin-report.json'
    ])
    const report = JSON.parse(files.get('entra-signin-report.json')!) as {
      users: { id: string }[]
    }
    expectValidReport(report)
    expect(report.users.map((user) => user.id).sort()).toEqual(allIds())
    const [header, ...rows] = parseCsv(files.get('entra-signin-report.csv')!)
    expect(header[0]).toBe('id')
    expect(rows.map((row) => row[0]).sort()).toEqual(allIds())
    // What was uploaded is what stays on the runner.
    expect(files.get('entra-signin-report.json')).toBe(
      readFileSync(result.outputs['report-json'], 'utf8')
    )
    expect(files.get('entra-signin-report.csv')).toBe(
      readFileSync(result.outputs['report-csv'], 'utf8')
    )
    expect(files.get('entra-signin-report.html')).toBe(
      readFileSync(join(result.outputs['report-dir'], 'entra-signin-report.html'), 'utf8')
    )

    expect(decodeHtml(result.summary)).toContain(url)
  })

  test('passes retention-days and artifact-name through', async () => {
    const result = await run({ 'artifact-name': 'weekly-entra-audit', 'retention-days': '7' })
    expect(result.code).toBe(0)
    const [artifact] = service.artifacts()
    expect(artifact.name).toBe('weekly-entra-audit')
    expect(artifact.retentionDays).toBe(7)
    expect(Date.parse(artifact.expiresAt!) - Date.parse(artifact.createdAt)).toBeGreaterThan(
      6.9 * 86_400_000
    )
    expect(result.outputs['artifact-id']).toBe(String(artifact.id))
  })

  test('retention-days up to 400 (private and internal repositories) reaches the service', async () => {
    const result = await run(
      { 'retention-days': '400' },
      runnerEnv({ GITHUB_RETENTION_DAYS: '400' })
    )
    expect(result.code).toBe(0)
    const [artifact] = service.artifacts()
    expect(artifact.retentionDays).toBe(400)
    expect(commandLines(result, 'warning').join('\n')).not.toContain('Retention days')
  })

  test("retention-days above the repository's setting: the toolkit keeps the setting and warns", async () => {
    const result = await run(
      { 'retention-days': '400' },
      runnerEnv({ GITHUB_RETENTION_DAYS: '90' })
    )
    expect(result.code).toBe(0)
    expect(result.outputs.result).toBe('warn')
    const [artifact] = service.artifacts()
    expect(artifact.retentionDays).toBe(90)
    expect(commandLines(result, 'warning')).toContainEqual(
      expect.stringContaining(
        'Retention days cannot be greater than the maximum allowed retention set within the repository. Using 90 instead.'
      )
    )
  })

  test('uploads only the formats asked for', async () => {
    const result = await run({ 'report-formats': 'json' })
    expect(result.code).toBe(0)
    const files = await unzip(service.artifacts()[0].bytes)
    expect([...files.keys()]).toEqual(['entra-signin-report.json'])
    expectValidReport(JSON.parse(files.get('entra-signin-report.json')!))
    expect(result.outputs['report-csv']).toBe('')
  })

  test('an empty artifact-name uploads nothing and leaves the artifact outputs empty', async () => {
    const result = await run({ 'artifact-name': '' })
    expect(result.code).toBe(0)
    expect(result.outputs.result).toBe('warn')
    expect(artifactRequests()).toHaveLength(0)
    expect(service.artifacts({ all: true })).toHaveLength(0)
    expect(result.outputs['artifact-id']).toBe('')
    expect(result.outputs['artifact-url']).toBe('')
    expect(existsSync(result.outputs['report-json'])).toBe(true)
    expect(existsSync(result.outputs['report-csv'])).toBe(true)
    expect(result.json().users).toHaveLength(COUNT)
    expect(result.summary).not.toMatch(/actions\/runs/)
  })

  test('a failed upload is result=error with exit 1, naming where the report still is', async () => {
    // CreateArtifact succeeds, then the signed blob upload is refused (storage fails fast on 403).
    sim.addFault({ target: 'artifact', kind: 'status', status: 403, after: 1, times: Infinity })
    const result = await run()
    expect(result.code).toBe(1)
    expect(result.outputs.result).toBe('error')
    expect(result.outputs['artifact-id']).toBe('')
    expect(result.outputs['artifact-url']).toBe('')
    expect(service.artifacts()).toHaveLength(0)

    const dir = result.outputs['report-dir']
    expect(dir).not.toBe('')
    const errors = commandLines(result, 'error')
    expect(errors.some((line) => /artifact/i.test(line) && line.includes(dir))).toBe(true)
    // The report is complete and still on disk.
    expect(existsSync(result.outputs['report-json'])).toBe(true)
    expect(existsSync(result.outputs['report-csv'])).toBe(true)
    expect(result.json().users).toHaveLength(COUNT)
    expectValidReport(result.json())
    expect(decodeHtml(result.summary)).toContain(dir)
  })

  test('on GitHub Enterprise Server it warns, skips the upload and keeps the result', async () => {
    const result = await run({}, runnerEnv({ GITHUB_SERVER_URL: 'https://ghe.example.com' }))
    expect(result.code).toBe(0)
    expect(result.outputs.result).toBe('warn')
    expect(artifactRequests()).toHaveLength(0)
    expect(result.outputs['artifact-id']).toBe('')
    expect(result.outputs['artifact-url']).toBe('')
    const warnings = commandLines(result, 'warning')
    expect(warnings.some((line) => /Enterprise Server/.test(line))).toBe(true)
    expect(decodeHtml(result.summary)).toMatch(/GitHub Enterprise Server/)
    expect(result.json().users).toHaveLength(COUNT)
  })
})
