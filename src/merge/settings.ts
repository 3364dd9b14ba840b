import type { ActionIO } from '../io.js'
import { ON_STALE } from '../settings/choices.js'
import {
  artifactName,
  bool,
  choice,
  fail,
  list,
  optionalText,
  outputDirectory,
  text,
  wholeNumber
} from '../settings/input-helper.js'
import type { PolicySettings } from '../settings/settings.js'
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
  /** Tenant IDs, artifact names or file paths (for `reports`) that must each have a report. */
  expect: string[]
  /** The action's result rule, applied to the sums; fail-on is always `any`. */
  policy: Pick<PolicySettings, 'onStale' | 'maxStale' | 'failOn'>
  /** Most users listed in the summary, across tenants. */
  summaryRows: number
  /** Absolute directory for the merged files. */
  reportDir: string
  /** Name of the merged artifact; empty: no upload. */
  artifactName: string
  jobSummary: boolean
}

/** An artifact name pattern: the characters a name may hold, plus `*` and `?`. */
const PATTERN = /^[^":<>|\\/\r\n]+$/

/** `reports` given: files on disk; else the artifacts `pattern` matches. */
function readOrigin(io: ActionIO): ReportOrigin {
  const reports = list(text(io, MergeInputs.Reports))
  if (reports.length > 0) {
    return { kind: 'files', patterns: reports, workspace: io.env.GITHUB_WORKSPACE || process.cwd() }
  }
  const pattern = optionalText(io, MergeInputs.Pattern) ?? DEFAULT_PATTERN
  if (!PATTERN.test(pattern)) {
    fail(
      MergeInputs.Pattern,
      pattern,
      'must be an artifact name, * and ? allowed, without " : < > | \\ / or line breaks'
    )
  }
  return { kind: 'artifacts', pattern }
}

/** Reads and validates every input before any request or file access. */
export function getMergeSettings(io: ActionIO): MergeSettings {
  return {
    origin: readOrigin(io),
    expect: list(text(io, MergeInputs.Expect)),
    policy: {
      onStale: choice(io, MergeInputs.OnStale, ON_STALE, 'fail'),
      maxStale: wholeNumber(io, MergeInputs.MaxStale, 0, 100_000_000, 0),
      failOn: 'any'
    },
    summaryRows: wholeNumber(io, MergeInputs.SummaryRows, 0, 10_000, 50),
    reportDir: outputDirectory(io, MergeInputs.ReportDir, MERGED_BASENAME),
    artifactName: artifactName(io, MergeInputs.ArtifactName),
    jobSummary: bool(io, MergeInputs.JobSummary, true)
  }
}
