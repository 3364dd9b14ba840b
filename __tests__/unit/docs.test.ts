/**
 * The documentation a new user follows must match the action: the README's input and output
 * tables equal action.yml, every example and workflow is a valid workflow that passes only real
 * inputs to the action, every message in the troubleshooting table exists in src/, and every
 * relative link resolves.
 *
 * The workflows' structure is checked against GitHub's schemas by @action-validator/core;
 * `workflowProblems` below adds what a schema cannot know: the action's inputs and outputs as
 * action.yml declares them, the expression references (`steps.<id>.outputs.<name>` of earlier
 * steps, `needs`, `matrix`, `inputs`), step ids, `uses` forms and `id-token: write`.
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
const mergeAction = parse(read('merge/action.yml')) as ActionYml
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

  test('Merge inputs and Merge outputs equal merge/action.yml', () => {
    const merge = section(README, 'Many tenants: the merge action')
    const inputs = merge.slice(
      merge.indexOf('### Merge inputs'),
      merge.indexOf('### Merge outputs')
    )
    const documented = tableRows(inputs)
      .filter((row) => codeSpan(row[0]))
      .map(([name, required, dflt]) => ({
        name: codeSpan(name),
        required: required === 'yes',
        default: dflt === '' ? '' : codeSpan(dflt)
      }))
    expect(documented).toEqual(
      Object.entries(mergeAction.inputs).map(([name, input]) => ({
        name,
        required: input.required === true,
        default: input.default ?? ''
      }))
    )
    const outputs = tableRows(merge.slice(merge.indexOf('### Merge outputs'))).filter((row) =>
      codeSpan(row[0])
    )
    expect(outputs.map(([name]) => codeSpan(name))).toEqual(Object.keys(mergeAction.outputs))
    expect(mergeAction.runs).toEqual({ using: 'node24', main: '../dist/merge/index.js' })
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
// Workflows: the GitHub schemas (@action-validator/core) check the structure; the checks below
// are what a schema cannot know: this action's inputs and outputs, which steps, jobs, matrix keys
// and inputs an expression may name, and that every run script is valid bash.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Mapping = { [key: string]: Json }
const isMapping = (value: Json | undefined): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const ID = /^[A-Za-z_][A-Za-z0-9_-]*$/
/** The schema takes any string for `uses`; GitHub runs only these forms. */
const USES = /^(\.\/.*|docker:\/\/.+|[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[A-Za-z0-9_./-]+)$/
/** This action, as a workflow in this repository or a user's repository refers to it. */
/** This repository's action, or its merge action, as a workflow refers to it. */
function actionFor(uses: string): { file: string; yml: ActionYml } | undefined {
  if (uses === './' || /\/entra-signin-check@v\d+$/.test(uses))
    return { file: 'action.yml', yml: action }
  if (uses === './merge' || /\/entra-signin-check\/merge@v\d+$/.test(uses))
    return { file: 'merge/action.yml', yml: mergeAction }
  return undefined
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
    } else if (output) {
      const target = actionFor(scope.steps.get(id)!)
      if (target && !(output in target.yml.outputs))
        problems.push(`${where}: steps.${id}.outputs.${output} is not an output of ${target.file}`)
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

/** The inputs `inputs.<name>` may name: those of workflow_dispatch and workflow_call. */
function workflowInputs(on: Json | undefined): Set<string> {
  const inputs = new Set<string>()
  if (!isMapping(on)) return inputs
  for (const config of Object.values(on))
    if (isMapping(config) && isMapping(config.inputs))
      Object.keys(config.inputs).forEach((name) => inputs.add(name))
  return inputs
}

/** The schema allows `id-token: read`, but GitHub hands out an OIDC token only for `write`. */
function checkIdToken(permissions: Json | undefined, where: string, problems: string[]): void {
  const level = isMapping(permissions) ? permissions['id-token'] : undefined
  if (level !== undefined && level !== 'write' && level !== 'none')
    problems.push(`${where}.id-token: "${String(level)}" is not one of write, none`)
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
  if (!isMapping(step)) return
  const uses = typeof step.uses === 'string' ? step.uses : undefined
  if (uses !== undefined && !USES.test(uses))
    problems.push(`${where}: "uses: ${uses}" is not owner/repo@ref, ./path or docker://`)
  const target = uses === undefined ? undefined : actionFor(uses)
  if (target) {
    const given = isMapping(step.with) ? Object.keys(step.with) : []
    for (const key of given)
      if (!(key in target.yml.inputs))
        problems.push(`${where}.with: "${key}" is not an input of ${target.file}`)
    for (const [name, input] of Object.entries(target.yml.inputs))
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

/** What the schemas cannot see in a parsed workflow; empty when there is nothing. */
export function workflowProblems(workflow: Json): string[] {
  const problems: string[] = []
  if (!isMapping(workflow) || !isMapping(workflow.jobs)) return problems
  const inputs = workflowInputs(workflow.on)
  checkIdToken(workflow.permissions, 'permissions', problems)
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    const where = `jobs.${jobId}`
    if (!isMapping(job)) continue
    checkIdToken(job.permissions, `${where}.permissions`, problems)
    const needs =
      typeof job.needs === 'string'
        ? [job.needs]
        : Array.isArray(job.needs)
          ? (job.needs as string[])
          : []
    const scope: Scope = { where, steps: new Map(), needs, matrixKeys: matrixKeysOf(job), inputs }
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

/** Parses YAML strictly: duplicate keys (which the validator lets through) are errors. */
function parseWorkflow(text: string): { workflow: Json; errors: string[] } {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true, strict: true })
  return {
    workflow: document.toJS() as Json,
    errors: [...document.errors, ...document.warnings].map((error) => error.message)
  }
}

/** The validator's messages for one file, one line each. */
const schemaProblems = (state: ValidationState) =>
  state.errors.map((error) =>
    `${'path' in error ? error.path : ''} ${error.title} ${error.detail ?? ''}`.trim()
  )

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

  test.each(WORKFLOWS)('%s is a valid workflow that uses the action as action.yml says', (file) => {
    const text = read(file)
    const { workflow, errors } = parseWorkflow(text)
    expect(errors).toEqual([])
    expect(schemaProblems(validateWorkflow(text))).toEqual([])
    expect(workflowProblems(workflow)).toEqual([])
  })

  test('merge/action.yml is a valid action (checked as node20, like action.yml)', () => {
    const text = read('merge/action.yml')
    expect(text).toMatch(/^\s+using: node24$/m)
    expect(schemaProblems(validateAction(text.replace(/using: node24/, 'using: node20')))).toEqual(
      []
    )
  })

  test('action.yml is a valid action (the schema predates node24, so it is checked as node20)', () => {
    const text = read('action.yml')
    expect(text).toMatch(/^\s+using: node24$/m)
    expect(schemaProblems(validateAction(text.replace(/using: node24/, 'using: node20')))).toEqual(
      []
    )
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

  test('the checks find what the schemas cannot see in a broken workflow', () => {
    const text = `
name: broken
on: push
permissions:
  id-token: read
jobs:
  audit:
    runs-on: ubuntu-latest
    steps:
      - uses: ./
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
      - id: later
        uses: actions/checkout
`
    expect(schemaProblems(validateWorkflow(text))).toEqual([])
    const problems = workflowProblems(parseWorkflow(text).workflow)
    const expected = [
      'permissions.id-token: "read" is not one of write, none',
      'jobs.audit.steps[0].with: "tenant" is not an input of action.yml',
      'jobs.audit.steps[0].with: required input "tenant-id" missing',
      'jobs.audit.steps[0].with: required input "client-id" missing',
      'jobs.audit.steps[1].with: "treshold-days" is not an input of action.yml',
      'jobs.audit.steps[2].run: steps.check.outputs.stale is not an output of action.yml',
      'jobs.audit.steps[2].run: steps.later is not an earlier step of this job',
      'jobs.audit.steps[2].run: matrix.tenant is not defined',
      'jobs.audit.steps[3].run: unclosed ${{ expression',
      'jobs.audit.steps[4]: "uses: actions/checkout" is not owner/repo@ref, ./path or docker://',
      'jobs.audit.steps[4]: duplicate step id later'
    ]
    expect(problems).toEqual(expected)
  })

  test('the validator reports what is structurally wrong', () => {
    const cases = {
      'an unknown event':
        'on:\n  schedul: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n',
      'a job without runs-on': 'on: push\njobs:\n  a:\n    steps:\n      - run: echo\n',
      'needs of an unknown job':
        'on: push\njobs:\n  a:\n    needs: nowhere\n    runs-on: x\n    steps:\n      - run: echo\n',
      'a step with both uses and run':
        'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: ./\n        run: echo\n',
      'an unknown job key':
        'on: push\njobs:\n  a:\n    runs-on: x\n    timeout: 5\n    steps:\n      - run: echo\n',
      'no jobs': 'on: push\njobs: {}\n'
    }
    const missed = Object.entries(cases)
      .filter(([, text]) => schemaProblems(validateWorkflow(text)).length === 0)
      .map(([what]) => what)
    expect(missed).toEqual([])
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
