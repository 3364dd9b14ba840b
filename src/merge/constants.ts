/** Input names of the merge action, exactly as merge/action.yml declares them. */
export enum MergeInputs {
  Pattern = 'pattern',
  Reports = 'reports',
  Expect = 'expect',
  OnStale = 'on-stale',
  MaxStale = 'max-stale',
  SummaryRows = 'summary-rows',
  ReportDir = 'report-dir',
  ArtifactName = 'artifact-name',
  JobSummary = 'job-summary'
}

/**
 * Output names of the merge action besides the totals, which carry the action's own count
 * output names (countOutputs), exactly as merge/action.yml declares them.
 */
export enum MergeOutputs {
  Result = 'result',
  TenantCount = 'tenant-count',
  ReportJson = 'report-json',
  ReportCsv = 'report-csv',
  ArtifactId = 'artifact-id',
  ArtifactUrl = 'artifact-url'
}

/** Base name of the merged files in `report-dir`, and of `report-dir`'s default. */
export const MERGED_BASENAME = 'entra-signin-merged-report'

/** Default of `pattern`: the artifacts the action uploads (`entra-signin-report-<leg>`). */
export const DEFAULT_PATTERN = 'entra-signin-report*'
