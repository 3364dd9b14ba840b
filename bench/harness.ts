/**
 * The benchmark's moving parts: the simulator in its own process, the action run as a runner runs
 * it (with a probe reporting its CPU and peak RSS), and a check that the report holds every user
 * exactly once.
 */
import { fork, spawn } from 'node:child_process'
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ACTION, runAction } from '../__fixtures__/action.js'
import type { GeneratedTenant } from '../simulator/tenant.js'
import type { Fault } from '../simulator/types.js'
import type { ProbeResult } from './probe.js'
import type { SimCommand, SimInit, SimReady, SimStats } from './sim-process.js'

const HERE = dirname(fileURLToPath(import.meta.url))

/** A simulator running in a child process. */
export interface SimProcess extends SimReady {
  faults(faults: Fault[]): Promise<void>
  reset(): Promise<void>
  stats(): Promise<SimStats>
  close(): Promise<void>
}

export async function startSimProcess(init: SimInit): Promise<SimProcess> {
  const child = fork(join(HERE, 'sim-process.js'), [], {
    // JSON, not 'advanced': advanced deserialization can stall with a message split so that fewer
    // than 4 bytes of the next one are buffered (nodejs/node#55834); a CI bench hung on it once.
    serialization: 'json',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const waiting = new Map<number, (reply: { stats?: SimStats }) => void>()
  let nextId = 1
  const ready = await new Promise<SimReady>((done, fail) => {
    child.once('exit', (code) => fail(new Error(`the bench simulator exited (code ${code})`)))
    child.on('message', (message: { ready?: SimReady; id?: number; stats?: SimStats }) => {
      if (message.ready) done(message.ready)
      else if (message.id !== undefined) {
        waiting.get(message.id)?.(message)
        waiting.delete(message.id)
      }
    })
    child.send(init)
  })
  const command = (cmd: Omit<SimCommand, 'id'>) =>
    new Promise<{ stats?: SimStats }>((done, fail) => {
      const id = nextId++
      // A lost reply must fail the benchmark, not hang it (and CI with it).
      const timer = setTimeout(() => {
        waiting.delete(id)
        fail(new Error(`the bench simulator did not answer '${cmd.cmd}' within 60 s`))
      }, 60_000)
      waiting.set(id, (reply) => {
        clearTimeout(timer)
        done(reply)
      })
      child.send({ ...cmd, id })
    })
  return {
    ...ready,
    faults: async (faults) => void (await command({ cmd: 'faults', faults } as SimCommand)),
    reset: async () => void (await command({ cmd: 'reset' })),
    stats: async () => (await command({ cmd: 'stats' })).stats!,
    close: async () => {
      child.removeAllListeners('exit')
      const exited = new Promise((done) => child.once('exit', done))
      child.disconnect()
      await exited
    }
  }
}

export interface ActionMeasure {
  code: number | null
  wallMs: number
  /** The action process's user + system CPU. */
  cpuMs: number
  maxRssBytes: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  /** Where the run's files are (removed by `cleanup`). */
  dir: string
  cleanup(): void
}

/**
 * Runs dist/index.js as a runner does (the shared harness of the e2e tests), trusting the
 * simulator's CA, with the probe preloaded to report the action's own CPU and peak RSS.
 */
export async function runActionMeasured(
  sim: SimReady,
  inputs: Record<string, string>,
  /** The action is stopped after this long (it then counts as incomplete). */
  timeoutMs = 30 * 60_000
): Promise<ActionMeasure> {
  if (!existsSync(ACTION)) throw new Error(`${ACTION} is missing: run "npm run bundle" first.`)
  const probe = probeFile()
  const run = await runAction({
    inputs: {
      'tenant-id': sim.tenantId,
      'client-id': sim.clientId,
      'client-secret': sim.clientSecret,
      'authority-host': sim.origin,
      'graph-endpoint': sim.origin,
      'artifact-name': '',
      ...inputs
    },
    env: { BENCH_PROBE_FILE: probe.path },
    caPath: sim.caPath,
    nodeArgs: PROBE_ARGS,
    timeoutMs
  })
  const usage = probe.read()
  return {
    code: run.code,
    wallMs: run.wallMs,
    cpuMs: usage.cpuMs,
    maxRssBytes: usage.maxRssBytes,
    stdout: run.stdout,
    stderr: run.stderr,
    outputs: run.outputs,
    dir: run.dir,
    cleanup: () => rmSync(run.dir, { recursive: true, force: true })
  }
}

const PROBE_ARGS = ['--import', pathToFileURL(join(HERE, 'probe.js')).href]

/** A file for the probe to write to, and its reading (CPU in ms, peak RSS in bytes). */
function probeFile(): { path: string; read(): { cpuMs: number; maxRssBytes: number } } {
  const path = join(mkdtempSync(join(tmpdir(), 'bench-probe-')), 'probe.json')
  return {
    path,
    read() {
      const usage = existsSync(path)
        ? (JSON.parse(readFileSync(path, 'utf8')) as ProbeResult)
        : { userCpuUs: NaN, systemCpuUs: NaN, maxRssBytes: NaN }
      rmSync(dirname(path), { recursive: true, force: true })
      return {
        cpuMs: (usage.userCpuUs + usage.systemCpuUs) / 1000,
        maxRssBytes: usage.maxRssBytes
      }
    }
  }
}

export interface ReaderMeasure {
  users: number
  requests: number
  wallMs: number
  cpuMs: number
  maxRssBytes: number
}

/**
 * The reading floor (bench/reader.ts) against the same simulator, in its own process with the
 * probe, as the action runs: what listing the tenant costs before any of the action's work.
 */
export async function runReaderMeasured(sim: SimReady): Promise<ReaderMeasure> {
  const probe = probeFile()
  const started = performance.now()
  const child = spawn(process.execPath, [...PROBE_ARGS, join(HERE, 'reader.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_EXTRA_CA_CERTS: sim.caPath,
      BENCH_PROBE_FILE: probe.path,
      READER_ORIGIN: sim.origin,
      READER_TENANT: sim.tenantId,
      READER_CLIENT: sim.clientId,
      READER_SECRET: sim.clientSecret
    },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  const code = await new Promise<number | null>((done) => child.on('close', done))
  const wallMs = performance.now() - started
  const usage = probe.read()
  if (code !== 0) throw new Error(`the reading-floor client failed (exit ${code})`)
  const { users, requests } = JSON.parse(stdout) as { users: number; requests: number }
  return { users, requests, wallMs, ...usage }
}

export interface Completeness {
  rows: number
  /** Rows whose id is not the tenant's user at that position (duplicates, gaps, reordering). */
  misplaced: number
  /** Tenant users missing at the end. */
  missing: number
}

/**
 * Streams the CSV report and checks row i holds tenant user i: every user exactly once, in
 * Graph's order, in constant memory whatever the size.
 */
export async function checkCsv(path: string, tenant: GeneratedTenant): Promise<Completeness> {
  const row = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}),/
  let rows = 0
  let misplaced = 0
  let carry = ''
  let header = true
  const line = (text: string) => {
    if (header) {
      header = false
      return
    }
    const m = row.exec(text)
    if (!m) return // the continuation of a quoted multi-line cell
    if (tenant.indexOf(m[1]) !== rows) misplaced++
    rows++
  }
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    const lines = (carry + (chunk as string)).split('\n')
    carry = lines.pop() ?? ''
    for (const text of lines) line(text)
  }
  if (carry) line(carry)
  return { rows, misplaced, missing: Math.max(0, tenant.count - rows) }
}

/** The `waiting X s` figures the action logged for its retries. */
export function loggedWaitsMs(stdout: string): number[] {
  return [...stdout.matchAll(/waiting (\d+(?:\.\d+)?) s before retry/g)].map((m) =>
    Math.round(Number(m[1]) * 1000)
  )
}

export function reportPath(run: ActionMeasure, format: 'csv' | 'json'): string {
  return run.outputs[`report-${format}`] || resolve(run.dir, 'entra-signin-report', `x.${format}`)
}

/** The HTML report has no output of its own: it is always in report-dir. */
export function htmlReportPath(run: ActionMeasure): string {
  return resolve(run.outputs['report-dir'] || run.dir, 'entra-signin-report.html')
}
