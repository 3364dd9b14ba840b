/**
 * Runs the bundled action (`dist/index.js`) the way a runner does: a child process with INPUT_*
 * variables (defaults from action.yml), GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP, and
 * NODE_EXTRA_CA_CERTS trusting the simulator. `E2E_NODE` picks the node binary (CI runs the
 * end-to-end tests again under Node 24).
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import type { ReportMeta } from '../src/report/json.js'
import type { Simulator } from '../simulator/server.js'
import { reportErrors } from './report-schema.js'

/** The project root: the nearest folder up holding action.yml (works from build/ too). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'action.yml'))) {
    const parent = dirname(dir)
    if (parent === dir)
      throw new Error('action.yml not found above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
  return dir
}
export const ROOT = projectRoot()
export const ACTION = join(ROOT, 'dist', 'index.js')

export interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}
export const actionYml = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml
export const mergeActionYml = parse(
  readFileSync(join(ROOT, 'merge', 'action.yml'), 'utf8')
) as ActionYml
/** The merge action's bundle, where merge/action.yml's runs.main points (as a runner resolves it). */
export const MERGE_ACTION = resolve(ROOT, 'merge', mergeActionYml.runs.main)

export interface ActionRun {
  code: number | null
  /** Wall time of the action process. */
  wallMs: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** Everything the run printed or wrote, for "the secret is nowhere" checks. */
  everything(): string
  json(): Report
  csv(): string
  /** The HTML report's text ('' when not written). */
  html(): string
  dir: string
}

/** The JSON report as read back: the header the writer streams first, then users, counts, result. */
export interface Report extends ReportMeta {
  schemaVersion: number
  counts: Record<string, number>
  result: string
  users: Record<string, unknown>[]
}

/**
 * The action's stdout as a runner's log shows it: `::add-mask::` lines are commands, never shown,
 * and `::debug::` lines (the artifact toolkit writes many) are hidden unless step debug logging
 * is on (https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands).
 */
export function runnerLog(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line !== '' && !/^::(add-mask|debug)::/.test(line))
}

/** Inputs pointing at the simulator with its default app and secret. */
export function simInputs(sim: Simulator): Record<string, string> {
  return {
    'tenant-id': sim.tenantId,
    'client-id': sim.clientId,
    'client-secret': sim.clientSecret,
    'authority-host': sim.authorityHost,
    'graph-endpoint': sim.graphEndpoint
  }
}

/** runAction against the simulator with its default app and secret, plus `inputs`. */
export function runOn(
  sim: Simulator,
  inputs: Record<string, string> = {},
  options: Omit<RunOptions, 'inputs' | 'caPath'> = {}
): Promise<ActionRun> {
  return runAction({ ...options, inputs: { ...simInputs(sim), ...inputs }, caPath: sim.caPath })
}

/** GITHUB_OUTPUT's `name<<delimiter` blocks (and plain `name=value` lines). */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[index])
    if (heredoc) {
      const value: string[] = []
      for (index++; index < lines.length && lines[index] !== heredoc[2]; index++)
        value.push(lines[index])
      outputs[heredoc[1]] = value.join('\n')
    } else if (lines[index].includes('=')) {
      const at = lines[index].indexOf('=')
      outputs[lines[index].slice(0, at)] = lines[index].slice(at + 1)
    }
  }
  return outputs
}

export interface RunOptions {
  /** Inputs by name; action.yml defaults fill the rest, like the runner. */
  inputs: Record<string, string>
  /** Extra environment (e.g. ACTIONS_* for OIDC or artifacts, proxies). */
  env?: Record<string, string>
  /** CA file to trust (the simulator's). */
  caPath?: string
  /** Working directory and GITHUB_WORKSPACE (default: a fresh temp dir). */
  workspace?: string
  timeoutMs?: number
  /** Node options before the script (the benchmark preloads its probe). */
  nodeArgs?: string[]
  /** Which action to run: the check (default, dist/index.js) or merge (dist/merge/index.js). */
  action?: 'check' | 'merge'
}

export async function runAction(options: RunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const workspace = options.workspace ?? dir
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true'
  }
  if (options.caPath) env.NODE_EXTRA_CA_CERTS = options.caPath
  const merge = options.action === 'merge'
  for (const [name, input] of Object.entries((merge ? mergeActionYml : actionYml).inputs)) {
    env[`INPUT_${name.toUpperCase()}`] = input.default ?? ''
  }
  for (const [name, value] of Object.entries(options.inputs))
    env[`INPUT_${name.toUpperCase()}`] = value
  Object.assign(env, options.env)
  const node = process.env.E2E_NODE || process.execPath
  const started = performance.now()
  const script = merge ? MERGE_ACTION : ACTION
  const child = spawn(node, [...(options.nodeArgs ?? []), script], { env, cwd: workspace })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  const code = await new Promise<number | null>((done) => child.on('close', done))
  const wallMs = performance.now() - started
  clearTimeout(timer)
  const outputs = parseOutputs(readFileSync(outputFile, 'utf8'))
  const summary = readFileSync(summaryFile, 'utf8')
  const reportDir = outputs['report-dir'] || join(dir, 'entra-signin-report')
  const read = (name: string) => {
    const path = join(reportDir, name)
    return existsSync(path) ? readFileSync(path, 'utf8') : ''
  }
  return {
    code,
    wallMs,
    stdout,
    stderr,
    outputs,
    summary,
    dir,
    everything: () =>
      [
        stdout,
        stderr,
        readFileSync(outputFile, 'utf8'),
        summary,
        read('entra-signin-report.json'),
        read('entra-signin-report.csv'),
        read('entra-signin-report.html')
      ].join('\n'),
    json: () => {
      // Every report a test, the demo or the benchmark reads must match the documented schema.
      const report = JSON.parse(read('entra-signin-report.json')) as Report
      const errors = reportErrors(report)
      if (errors.length > 0)
        throw new Error(`the report does not match docs/report.schema.json: ${errors.join('; ')}`)
      return report
    },
    csv: () => read('entra-signin-report.csv'),
    html: () => read('entra-signin-report.html')
  }
}
