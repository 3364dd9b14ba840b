import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { ActionIO } from '../io.js'
import { InputError, type PolicySettings } from '../settings.js'
import { DEFAULT_PATTERN, MERGED_BASENAME, MergeInputs } from './constants.js'

/** Where the reports come from. */
export type ReportOrigin =
  /** The artifacts of this workflow run whose names match `pattern` (`*`, `?`). */
  | { kind: 'artifacts'; pattern: string }
  /** Report JSON files already on disk: paths or globs, relative to the workspace. */
  | { kind: 'files'; patterns: string[]; workspace: string }

/** The merge action's settings, every input validated. */
export interface MergeSettings {
  origin: ReportOrigin
  /** Tenant IDs or artifact names (file paths for `reports`) that must each have a report. */
  expect: string[]
  /** The action's result rule, applied to the sums: fail-on is always `any`. */
  policy: Pick<PolicySettings, 'onStale' | 'maxStale' | 'failOn'>
  summaryRows: number
  /** Absolute directory for the merged files. */
  reportDir: string
  /** Name of the merged artifact; empty: no upload. */
  artifactName: string
  jobSummary: boolean
}

function fail(input: MergeInputs, value: string, allowed: string): never {
  throw new InputError(`Input '${input}' ${allowed}; got "${value}".`)
}

function list(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

function wholeNumber(io: ActionIO, input: MergeInputs, max: number, fallback: number): number {
  const value = io.getInput(input)
  if (value === '') return fallback
  const number = /^\d+$/.test(value) ? Number(value) : NaN
  if (!(number >= 0 && number <= max)) fail(input, value, `must be a whole number from 0 to ${max}`)
  return number
}

/** An artifact name pattern: the characters a name may hold, plus `*` and `?`. */
const PATTERN = /^[^":<>|\\/\r\n]+$/

/** Reads and validates every input before any request or file access. */
export function getMergeSettings(io: ActionIO): MergeSettings {
  const reports = list(io.getInput(MergeInputs.Reports))
  const pattern = io.getInput(MergeInputs.Pattern) || DEFAULT_PATTERN
  if (!PATTERN.test(pattern)) {
    fail(
      MergeInputs.Pattern,
      pattern,
      'must be an artifact name, * and ? allowed, without " : < > | \\ / or line breaks'
    )
  }
  const workspace = io.env.GITHUB_WORKSPACE || process.cwd()
  const origin: ReportOrigin =
    reports.length > 0
      ? { kind: 'files', patterns: reports, workspace }
      : { kind: 'artifacts', pattern }

  const onStaleValue = io.getInput(MergeInputs.OnStale) || 'fail'
  const onStale = (['fail', 'warn', 'none'] as const).find((choice) => choice === onStaleValue)
  if (!onStale) fail(MergeInputs.OnStale, onStaleValue, 'must be one of: fail, warn, none')
  const maxStale = wholeNumber(io, MergeInputs.MaxStale, 100_000_000, 0)
  const summaryRows = wholeNumber(io, MergeInputs.SummaryRows, 10_000, 50)

  const artifactName = io.getInput(MergeInputs.ArtifactName)
  if (/[":<>|*?\\/\r\n]/.test(artifactName)) {
    fail(
      MergeInputs.ArtifactName,
      artifactName,
      'must not contain any of " : < > | * ? \\ / or line breaks (empty: no upload)'
    )
  }
  const jobSummaryValue = io.getInput(MergeInputs.JobSummary) || 'true'
  if (!/^(true|false)$/i.test(jobSummaryValue))
    fail(MergeInputs.JobSummary, jobSummaryValue, 'must be true or false')

  return {
    origin,
    expect: list(io.getInput(MergeInputs.Expect)),
    policy: { onStale, maxStale, failOn: 'any' },
    summaryRows,
    reportDir: resolve(
      io.getInput(MergeInputs.ReportDir) || join(io.env.RUNNER_TEMP || tmpdir(), MERGED_BASENAME)
    ),
    artifactName,
    jobSummary: /^true$/i.test(jobSummaryValue)
  }
}
