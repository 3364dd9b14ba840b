/**
 * The documentation a new user follows must match the action: the README's input and output
 * tables equal action.yml, every example and workflow is a valid workflow that passes only real
 * inputs to the action, every message in the troubleshooting table exists in src/, and every
 * relative link resolves.
 *
 * No schema-aware workflow linter (actionlint, @action-validator/core) is installed, so the
 * workflows go through `workflowProblems` below: a structural check of the workflow syntax
 * (keys, events, permissions, jobs, steps, `uses` forms) plus the expression references that
 * matter here (`steps.<id>.outputs.<name>` of earlier steps and real action outputs, `needs`,
 * `matrix`, `inputs`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from '@jest/globals'
import { validateAction, validateWorkflow, type ValidationState } from '@action-validator/core'
import { parse, parseDocument } from 'yaml'
import { parseExclusions } from '../../src/exclusions.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

interface ActionYml {
  inputs: Record<string, { required?: boolean; default?: string; description: string }>
  outputs: Record<string, { description: string }>
  branding?: { icon?: string; color?: string }
  runs: { using: string; main: string }
}
const action = parse(read('action.yml')) as ActionYml
const README = read('README.md')

/** The text of a `## heading` section, up to the next `## ` heading. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`)
  if (start < 0) throw new Error(`no "## ${heading}" section`)
  const end = markdown.indexOf('\n## ', start + heading.length + 4)
  return markdown.slice(start, end < 0 ? undefined : end)
}

/** Cells of the markdown table rows in `text` (header and separator rows left out). */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, line.trimEnd().length - 1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim())
    )
}

const codeSpan = (cell: string) => /^`([^`]+)`$/.exec(cell)?.[1]

describe('README tables equal action.yml', () => {
  test('inputs: names in the same order, required and defaults', () => {
    const rows = tableRows(section(README, 'Inputs')).filter((row) => codeSpan(row[0]))
    const documented = rows.map(([name, required, dflt]) => ({
      name: codeSpan(name),
      required: required === 'yes',
      default: dflt === '' ? '' : codeSpan(dflt)
    }))
    const declared = Object.entries(action.inputs).map(([name, input]) => ({
      name,
      required: input.required === true,
      default: input.default ?? ''
    }))
    expect(documented).toEqual(declared)
  })

  test('outputs: names in the same order', () => {
    const rows = tableRows(section(README, 'Outputs')).filter((row) => codeSpan(row[0]))
    expect(rows.map(([name]) => codeSpan(name))).toEqual(Object.keys(action.outputs))
  })

  test('action.yml has marketplace branding and runs on node24', () => {
    expect(action.branding?.icon).toBeTruthy()
    expect(action.branding?.color).toBeTruthy()
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  test('the two set-up commands are there', () => {
    expect(README).toContain('npm ci && npm run demo')
    expect(README).toContain('npm ci && npm test')
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts
    expect(scripts.demo).toBeTruthy()
    expect(scripts.test).toBeTruthy()
  })
})

// ---------------------------------------------------------------------------------------------
// Workflows

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Mapping = { [key: string]: Json }
const isMapping = (value: Json | undefined): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const WORKFLOW_KEYS = [
  'name',
  'run-name',
  'on',
  'permissions',
  'env',
  'defaults',
  'concurrency',
  'jobs'
]
const EVENTS = [
  'branch_protection_rule',
  'check_run',
  'check_suite',
  'create',
  'delete',
  'deployment',
  'deployment_status',
  'discussion',
  'discussion_comment',
  'fork',
  'gollum',
  'issue_comment',
  'issues',
  'label',
  'merge_group',
  'milestone',
  'page_build',
  'public',
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
  'pull_request_target',
  'push',
  'registry_package',
  'release',
  'repository_dispatch',
  'schedule',
  'status',
  'watch',
  'workflow_call',
  'workflow_dispatch',
  'workflow_run'
]
const EVENT_FILTERS = [
  'branches',
  'branches-ignore',
  'tags',
  'tags-ignore',
  'paths',
  'paths-ignore',
  'types',
  'inputs',
  'outputs',
  'secrets',
  'workflows'
]
const PERMISSION_SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses'
]
const JOB_KEYS = [
  'name',
  'needs',
  'permissions',
  'if',
  'runs-on',
  'environment',
  'concurrency',
  'outputs',
  'env',
  'defaults',
  'steps',
  'timeout-minutes',
  'strategy',
  'continue-on-error',
  'container',
  'services',
  'uses',
  'with',
  'secrets'
]
const STEP_KEYS = [
  'id',
  'if',
  'name',
  'uses',
  'run',
  'shell',
  'with',
  'env',
  'continue-on-error',
  'timeout-minutes',
  'working-directory'
]
const DISPATCH_INPUT_KEYS = ['description', 'required', 'default', 'type', 'options']
const ID = /^[A-Za-z_][A-Za-z0-9_-]*$/
const USES = /^(\.\/.*|docker:\/\/.+|[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[A-Za-z0-9_./-]+)$/
/** This action, as a workflow in this repository or a user's repository refers to it. */
const isThisAction = (uses: string) => uses === './' || /\/entra-signin-check@v\d+$/.test(uses)

function unknownKeys(value: Mapping, allowed: string[], where: string): string[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${where}: unknown key "${key}"`)
}

/** Every string inside a value, with the path to it. */
function strings(value: Json | undefined, path: string): [string, string][] {
  if (typeof value === 'string') return [[path, value]]
  if (Array.isArray(value))
    return value.flatMap((item, index) => strings(item, `${path}[${index}]`))
  if (isMapping(value))
    return Object.entries(value).flatMap(([key, item]) => strings(item, `${path}.${key}`))
  return []
}

/** The expressions in a value: each `${{ … }}`, or the whole of an `if:` without one. */
function expressions(text: string, isCondition: boolean, where: string, problems: string[]) {
  const found: string[] = []
  const opened = text.split('${{').length - 1
  for (const match of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) found.push(match[1])
  if (found.length !== opened) problems.push(`${where}: unclosed \${{ expression`)
  if (isCondition && opened === 0) found.push(text)
  return found
}

interface Scope {
  where: string
  steps: Map<string, string> // earlier step id → its `uses` ('' for run steps)
  needs: string[]
  jobs: Mapping
  matrixKeys: Set<string> | undefined
  inputs: Set<string>
}

function checkReferences(expression: string, scope: Scope, problems: string[]): void {
  const { where } = scope
  for (const match of expression.matchAll(/\bsteps\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_.-]+)/g)) {
    const [, id, rest] = match
    if (!scope.steps.has(id)) {
      problems.push(`${where}: steps.${id} is not an earlier step of this job`)
      continue
    }
    const output = /^outputs\.([A-Za-z0-9_-]+)$/.exec(rest)?.[1]
    if (!output && rest !== 'outcome' && rest !== 'conclusion') {
      problems.push(`${where}: steps.${id}.${rest} is not outputs.<name>, outcome or conclusion`)
    } else if (output && isThisAction(scope.steps.get(id)!) && !(output in action.outputs)) {
      problems.push(`${where}: steps.${id}.outputs.${output} is not an output of action.yml`)
    }
  }
  for (const match of expression.matchAll(/\bneeds\.([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_.-]+))?/g)) {
    const [, job, rest] = match
    if (!scope.needs.includes(job)) problems.push(`${where}: needs.${job} is not in needs`)
    if (rest && rest !== 'result' && !/^outputs\.[A-Za-z0-9_-]+$/.test(rest))
      problems.push(`${where}: needs.${job}.${rest} is not outputs.<name> or result`)
  }
  for (const match of expression.matchAll(/\bmatrix\.([A-Za-z0-9_-]+)/g)) {
    if (!scope.matrixKeys?.has(match[1]))
      problems.push(`${where}: matrix.${match[1]} is not defined`)
  }
  for (const match of expression.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)) {
    if (!scope.inputs.has(match[1])) problems.push(`${where}: inputs.${match[1]} is not an input`)
  }
}

function checkOn(on: Json | undefined, problems: string[]): Set<string> {
  const inputs = new Set<string>()
  const events =
    typeof on === 'string' ? [on] : Array.isArray(on) ? on : isMapping(on) ? Object.keys(on) : []
  if (events.length === 0) problems.push('on: no event')
  for (const event of events) {
    if (typeof event !== 'string' || !EVENTS.includes(event))
      problems.push(`on: unknown event ${String(event)}`)
  }
  if (!isMapping(on)) return inputs
  for (const [event, config] of Object.entries(on)) {
    if (event === 'schedule') {
      if (!Array.isArray(config) || config.length === 0)
        problems.push('on.schedule: needs a list of crons')
      for (const entry of Array.isArray(config) ? config : []) {
        const cron = isMapping(entry) ? entry.cron : undefined
        if (typeof cron !== 'string' || cron.trim().split(/\s+/).length !== 5)
          problems.push(`on.schedule: "${JSON.stringify(entry)}" is not { cron: <5 fields> }`)
      }
    } else if (isMapping(config)) {
      problems.push(...unknownKeys(config, EVENT_FILTERS, `on.${event}`))
      if (isMapping(config.inputs)) {
        for (const [name, input] of Object.entries(config.inputs)) {
          inputs.add(name)
          if (isMapping(input))
            problems.push(...unknownKeys(input, DISPATCH_INPUT_KEYS, `on.${event}.inputs.${name}`))
        }
      }
    } else if (config !== null) {
      problems.push(`on.${event}: must be empty or a mapping`)
    }
  }
  return inputs
}

function checkPermissions(permissions: Json | undefined, where: string, problems: string[]): void {
  if (permissions === undefined || permissions === 'read-all' || permissions === 'write-all') return
  if (!isMapping(permissions))
    return void problems.push(`${where}: must be read-all, write-all or a mapping`)
  for (const [scope, level] of Object.entries(permissions)) {
    if (!PERMISSION_SCOPES.includes(scope)) problems.push(`${where}: unknown scope "${scope}"`)
    const allowed = scope === 'id-token' ? ['write', 'none'] : ['read', 'write', 'none']
    if (typeof level !== 'string' || !allowed.includes(level))
      problems.push(`${where}.${scope}: "${String(level)}" is not one of ${allowed.join(', ')}`)
  }
}

function matrixKeysOf(job: Mapping): Set<string> | undefined {
  const matrix = isMapping(job.strategy) ? job.strategy.matrix : undefined
  if (!isMapping(matrix)) return undefined
  const keys = new Set(Object.keys(matrix).filter((key) => key !== 'include' && key !== 'exclude'))
  for (const entry of Array.isArray(matrix.include) ? matrix.include : [])
    if (isMapping(entry)) Object.keys(entry).forEach((key) => keys.add(key))
  return keys
}

function checkStep(step: Json, index: number, scope: Scope, problems: string[]): void {
  const where = `${scope.where}.steps[${index}]`
  if (!isMapping(step)) return void problems.push(`${where}: not a mapping`)
  problems.push(...unknownKeys(step, STEP_KEYS, where))
  const uses = typeof step.uses === 'string' ? step.uses : undefined
  if ((uses === undefined) === (typeof step.run !== 'string'))
    problems.push(`${where}: needs exactly one of uses and run`)
  if (step.with !== undefined && uses === undefined) problems.push(`${where}: with: needs uses:`)
  if (step.shell !== undefined && uses !== undefined) problems.push(`${where}: shell: needs run:`)
  if (uses !== undefined && !USES.test(uses))
    problems.push(`${where}: "uses: ${uses}" is not owner/repo@ref, ./path or docker://`)
  if (uses !== undefined && isThisAction(uses)) {
    const given = isMapping(step.with) ? Object.keys(step.with) : []
    for (const key of given)
      if (!(key in action.inputs))
        problems.push(`${where}.with: "${key}" is not an input of action.yml`)
    for (const [name, input] of Object.entries(action.inputs))
      if (input.required && !given.includes(name))
        problems.push(`${where}.with: required input "${name}" missing`)
  }
  for (const [path, text] of strings(step, where)) {
    for (const expression of expressions(text, path === `${where}.if`, path, problems))
      checkReferences(expression, { ...scope, where: path }, problems)
  }
  if (step.id !== undefined) {
    if (typeof step.id !== 'string' || !ID.test(step.id))
      problems.push(`${where}: bad id ${String(step.id)}`)
    else if (scope.steps.has(step.id)) problems.push(`${where}: duplicate step id ${step.id}`)
    else scope.steps.set(step.id, uses ?? '')
  }
}

/** Problems with a parsed workflow; empty when it is structurally valid. */
export function workflowProblems(workflow: Json): string[] {
  const problems: string[] = []
  if (!isMapping(workflow)) return ['the document is not a mapping']
  problems.push(...unknownKeys(workflow, WORKFLOW_KEYS, 'workflow'))
  if (!('on' in workflow)) problems.push('workflow: no "on"')
  if (!isMapping(workflow.jobs) || Object.keys(workflow.jobs).length === 0)
    return [...problems, 'workflow: no jobs']
  const inputs = checkOn(workflow.on, problems)
  checkPermissions(workflow.permissions, 'permissions', problems)
  const jobs = workflow.jobs
  for (const [jobId, job] of Object.entries(jobs)) {
    const where = `jobs.${jobId}`
    if (!ID.test(jobId)) problems.push(`${where}: bad job id`)
    if (!isMapping(job)) {
      problems.push(`${where}: not a mapping`)
      continue
    }
    problems.push(...unknownKeys(job, JOB_KEYS, where))
    if (job['runs-on'] === undefined) problems.push(`${where}: no runs-on`)
    if (!Array.isArray(job.steps) || job.steps.length === 0) problems.push(`${where}: no steps`)
    checkPermissions(job.permissions, `${where}.permissions`, problems)
    const needs =
      typeof job.needs === 'string'
        ? [job.needs]
        : Array.isArray(job.needs)
          ? (job.needs as string[])
          : []
    for (const need of needs)
      if (!(need in jobs) || need === jobId) problems.push(`${where}: needs unknown job ${need}`)
    if (job['timeout-minutes'] !== undefined && typeof job['timeout-minutes'] !== 'number')
      problems.push(`${where}: timeout-minutes must be a number`)
    const scope: Scope = {
      where,
      steps: new Map(),
      needs,
      jobs,
      matrixKeys: matrixKeysOf(job),
      inputs
    }
    for (const [key, value] of Object.entries(job)) {
      if (key === 'steps') continue
      for (const [path, text] of strings(value, `${where}.${key}`))
        for (const expression of expressions(text, key === 'if', path, problems))
          checkReferences(expression, { ...scope, where: path }, problems)
    }
    if (Array.isArray(job.steps))
      job.steps.forEach((step, index) => checkStep(step, index, scope, problems))
  }
  return problems
}

/** Parses YAML strictly: duplicate keys, tabs and syntax errors are errors. */
function parseWorkflow(text: string): { workflow: Json; errors: string[] } {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true, strict: true })
  return {
    workflow: document.toJS() as Json,
    errors: [...document.errors, ...document.warnings].map((error) => error.message)
  }
}

const files = (dir: string) =>
  existsSync(join(ROOT, dir))
    ? readdirSync(join(ROOT, dir))
        .filter((name) => /\.ya?ml$/.test(name))
        .map((name) => `${dir}/${name}`)
    : []
const WORKFLOWS = [...files('examples'), ...files('.github/workflows')]

describe('workflows and examples', () => {
  test('the examples and workflows the README promises exist', () => {
    for (const name of ['scheduled-audit', 'pull-request-gate', 'query-report', 'multi-tenant'])
      expect(WORKFLOWS).toContain(`examples/${name}.yml`)
    for (const name of ['ci', 'check-dist', 'release'])
      expect(WORKFLOWS).toContain(`.github/workflows/${name}.yml`)
    for (const file of files('examples')) expect(README).toContain(`](${file})`)
  })

  test.each(WORKFLOWS)('%s is a valid workflow', (file) => {
    const { workflow, errors } = parseWorkflow(read(file))
    expect(errors).toEqual([])
    expect(workflowProblems(workflow)).toEqual([])
  })

  test.each(WORKFLOWS)('%s: every run script is valid bash', (file) => {
    const { workflow } = parseWorkflow(read(file))
    const broken: string[] = []
    for (const [jobId, job] of Object.entries((workflow as Mapping).jobs as Mapping)) {
      ;(((job as Mapping).steps ?? []) as Mapping[]).forEach((step, index) => {
        if (typeof step.run !== 'string') return
        // The runner replaces expressions before bash sees the script.
        const script = step.run.replace(/\$\{\{[\s\S]*?\}\}/g, 'EXPR')
        const check = spawnSync('bash', ['--noprofile', '--norc', '-n', '-c', script], {
          encoding: 'utf8'
        })
        if (check.status !== 0) broken.push(`jobs.${jobId}.steps[${index}]: ${check.stderr.trim()}`)
      })
    }
    expect(broken).toEqual([])
  })

  test('every exclusion list in the README and the workflows parses', () => {
    const lists = [...README.matchAll(/```text\n([\s\S]*?)```/g)].map((match) => match[1])
    for (const file of WORKFLOWS) {
      for (const job of Object.values(
        (parseWorkflow(read(file)).workflow as Mapping).jobs as Mapping
      ))
        for (const step of ((job as Mapping).steps ?? []) as Mapping[])
          if (isMapping(step.with) && typeof step.with.exclude === 'string')
            lists.push(step.with.exclude)
    }
    expect(lists.length).toBeGreaterThan(1)
    for (const list of lists) expect(() => parseExclusions(list, 'exclude')).not.toThrow()
    expect(parseExclusions(lists[0], 'exclude').length).toBeGreaterThan(2)
  })

  test('ci runs the action itself on Node 24 against the simulator', () => {
    const ci = parseWorkflow(read('.github/workflows/ci.yml')).workflow as Mapping
    const steps = Object.values(ci.jobs as Mapping).flatMap(
      (job) => ((job as Mapping).steps ?? []) as Mapping[]
    )
    expect(steps.some((step) => step.uses === './')).toBe(true)
    expect(
      steps.some(
        (step) => typeof step.run === 'string' && step.run.includes('build/simulator/cli.js')
      )
    ).toBe(true)
    const nodes = steps
      .filter((step) => String(step.uses).startsWith('actions/setup-node'))
      .map((step) => String((step.with as Mapping)['node-version']))
    expect(nodes).toContain('24')
  })

  test('the checker finds what is wrong in a broken workflow', () => {
    const { workflow } = parseWorkflow(`
name: broken
on:
  schedul: {}
  schedule:
    - cron: '0 6 * *'
permissions:
  id-token: read
jobs:
  audit:
    needs: nowhere
    steps:
      - uses: ./
        run: echo both
        with:
          tenant: x
      - id: check
        uses: entra-signin-check/entra-signin-check@v1
        with:
          tenant-id: t
          client-id: c
          treshold-days: 90
      - run: echo "\${{ steps.check.outputs.stale }} \${{ steps.later.outputs.result }} \${{ matrix.tenant }}"
      - id: later
        run: echo "\${{ steps.check.outputs.result"
        if: steps.check.outputs.result == 'fail'
`)
    const problems = workflowProblems(workflow)
    const expected = [
      'on: unknown event schedul',
      'on.schedule: "{"cron":"0 6 * *"}" is not { cron: <5 fields> }',
      'permissions.id-token: "read" is not one of write, none',
      'jobs.audit: no runs-on',
      'jobs.audit: needs unknown job nowhere',
      'jobs.audit.steps[0]: needs exactly one of uses and run',
      'jobs.audit.steps[0].with: "tenant" is not an input of action.yml',
      'jobs.audit.steps[0].with: required input "tenant-id" missing',
      'jobs.audit.steps[1].with: "treshold-days" is not an input of action.yml',
      'jobs.audit.steps[2].run: steps.check.outputs.stale is not an output of action.yml',
      'jobs.audit.steps[2].run: steps.later is not an earlier step of this job',
      'jobs.audit.steps[2].run: matrix.tenant is not defined',
      'jobs.audit.steps[3].run: unclosed ${{ expression'
    ]
    for (const problem of expected) expect(problems).toContain(problem)
    expect(problems.some((problem) => problem.startsWith('jobs.audit.steps[3].if'))).toBe(false)
    expect(workflowProblems(parseWorkflow('on: push\njobs: {}\n').workflow)).toContain(
      'workflow: no jobs'
    )
  })

  test('strict parsing rejects duplicate keys', () => {
    expect(parseWorkflow('on: push\non: pull_request\njobs: {}\n').errors).not.toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Troubleshooting: every message listed exists in src/

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}
const SOURCES = sourceFiles(join(ROOT, 'src')).map((path) => ({
  path,
  text: readFileSync(path, 'utf8')
}))
const SOURCE_TEXT = SOURCES.map((file) => file.text).join('\n')

/** The message fragments in the first column of the troubleshooting tables. */
const FRAGMENTS = tableRows(section(README, 'Troubleshooting'))
  .map((row) => codeSpan(row[0]))
  .filter((cell): cell is string => cell !== undefined)
/** The literal pieces of a fragment: `…` stands for a part that varies. */
const pieces = (fragment: string) =>
  fragment
    .split('…')
    .map((piece) => piece.trim())
    .filter((piece) => piece.length >= 4)

describe('troubleshooting table', () => {
  test('lists many messages', () => {
    expect(FRAGMENTS.length).toBeGreaterThan(50)
  })

  test.each(FRAGMENTS)('"%s" is a message in src/', (fragment) => {
    expect(pieces(fragment).length).toBeGreaterThan(0)
    for (const piece of pieces(fragment)) expect(SOURCE_TEXT).toContain(piece)
  })

  test('every AADSTS code the action explains is in the table', () => {
    const codes = [...read('src/auth/errors.ts').matchAll(/case '(\d+)'/g)].map((match) => match[1])
    expect(codes.length).toBeGreaterThan(10)
    const table = section(README, 'Troubleshooting')
    for (const code of codes) expect(table).toMatch(new RegExp(`(AADSTS|/)${code}\\b`))
  })

  test('every message thrown as AuthFailure or GraphFailure is covered by a row', () => {
    const uncovered: string[] = []
    for (const { path, text } of SOURCES) {
      for (const match of text.matchAll(/new (AuthFailure|GraphFailure)\(/g)) {
        const literals = stringLiteralsOfCall(text, match.index + match[0].length)
        const statics = literals.flatMap((literal) => literal.split(/\$\{[^}]*\}/))
        if (!statics.some((piece) => piece.trim().length >= 12)) continue // only wraps another message
        const covered = FRAGMENTS.some((fragment) =>
          pieces(fragment).some((piece) => statics.some((part) => part.includes(piece)))
        )
        if (!covered)
          uncovered.push(`${path.slice(ROOT.length + 1)}: ${literals.join(' | ').slice(0, 120)}`)
      }
    }
    expect(uncovered).toEqual([])
  })
})

/** The string and template literals among the arguments of the call whose `(` ends at `start`. */
function stringLiteralsOfCall(text: string, start: number): string[] {
  const literals: string[] = []
  let depth = 1
  let index = start
  while (index < text.length && depth > 0) {
    const char = text[index]
    if (char === "'" || char === '"' || char === '`') {
      const end = literalEnd(text, index)
      literals.push(text.slice(index + 1, end))
      index = end + 1
      continue
    }
    if (char === '(' || char === '{' || char === '[') depth++
    if (char === ')' || char === '}' || char === ']') depth--
    index++
  }
  return literals
}

/** Index of the closing quote of the literal opening at `start` (template `${…}` nesting too). */
function literalEnd(text: string, start: number): number {
  const quote = text[start]
  for (let index = start + 1; index < text.length; index++) {
    const char = text[index]
    if (char === '\\') index++
    else if (char === quote) return index
    else if (quote === '`' && char === '$' && text[index + 1] === '{') {
      let depth = 1
      for (index += 2; index < text.length && depth > 0; index++) {
        if (text[index] === '{') depth++
        else if (text[index] === '}') depth--
        else if (text[index] === "'" || text[index] === '"' || text[index] === '`')
          index = literalEnd(text, index)
      }
      index--
    }
  }
  return text.length
}

// ---------------------------------------------------------------------------------------------
// Links and the report documentation

/** GitHub's anchor for a heading. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-')

function anchorsOf(markdown: string): Set<string> {
  const prose = markdown.replace(/```[\s\S]*?```/g, '')
  return new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1])))
}

const MARKDOWN = [
  'README.md',
  'CHANGELOG.md',
  'docs/setup.md',
  'docs/report.md',
  'docs/architecture.md'
]

describe('documentation', () => {
  test.each(MARKDOWN)('%s: every relative link and anchor resolves', (file) => {
    const text = read(file).replace(/```[\s\S]*?```/g, '')
    const broken: string[] = []
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = match[1]
      if (/^[a-z]+:/.test(link)) continue
      const [path, anchor] = link.split('#')
      const target = path === '' ? file : join(dirname(file), path)
      if (!existsSync(join(ROOT, target))) {
        broken.push(link)
        continue
      }
      if (anchor && target.endsWith('.md') && !anchorsOf(read(target)).has(anchor))
        broken.push(link)
    }
    expect(broken).toEqual([])
  })

  test('docs/report.md describes every field of the report schema', () => {
    const schema = JSON.parse(read('docs/report.schema.json')) as {
      properties: Record<string, unknown>
      $defs: Record<string, { properties?: Record<string, { enum?: string[] }> }>
    }
    const doc = read('docs/report.md')
    const names = [
      ...Object.keys(schema.properties),
      ...['user', 'counts', 'policy'].flatMap((def) =>
        Object.keys(schema.$defs[def].properties ?? {})
      )
    ]
    const statuses = schema.$defs.user.properties?.status.enum ?? []
    expect(statuses.length).toBe(5)
    const missing = [...names, ...statuses].filter((name) => !doc.includes(`\`${name}\``))
    expect(missing).toEqual([])
    expect(doc).toContain('](report.schema.json)')
  })

  test('LICENSE is MIT', () => {
    expect(read('LICENSE')).toMatch(/^MIT License/)
  })
})

describe('workflows, examples and action.yml against the GitHub schemas (@action-validator/core)', () => {
  // The validator's messages for one file, one line each.
  const problems = (state: ValidationState) =>
    state.errors.map((error) =>
      `${'path' in error ? error.path : ''} ${error.title} ${error.detail ?? ''}`.trim()
    )

  test.each(WORKFLOWS)('%s is a valid workflow', (path) => {
    expect(problems(validateWorkflow(read(path)))).toEqual([])
  })

  test('action.yml is a valid action (the schema predates node24, so it is checked as node20)', () => {
    const text = read('action.yml')
    expect(text).toMatch(/^\s+using: node24$/m)
    expect(problems(validateAction(text.replace(/using: node24/, 'using: node20')))).toEqual([])
  })

  test('the validator does report a broken workflow', () => {
    const broken =
      'on: push\njobs:\n  audit:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        run: echo both\n    timeout: 5\n'
    expect(problems(validateWorkflow(broken)).length).toBeGreaterThan(0)
  })
})
