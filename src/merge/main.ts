import type { ActionIO, Clock } from '../io.js'
import type { Result } from '../policy.js'
import { uploadReport, type ArtifactUploader } from '../publish/artifact.js'
import { renderErrorSummary } from '../summary/summary.js'
import { MergeOutputs } from './constants.js'
import { MergedFiles } from './files.js'
import { mergeReports, type MergeOutcome } from './merge.js'
import { announceMerge, setMergeOutputs } from './outputs.js'
import { getMergeSettings, type MergeSettings } from './settings.js'
import { findReports, type ArtifactStore } from './sources.js'
import { renderMergeSummary } from './summary.js'
import { mergedResult, missingTenants, sumCounts, type Problem, type TenantRow } from './verdict.js'

export interface MergeDependencies {
  clock: Clock
  store: ArtifactStore
  uploader: ArtifactUploader
}

const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]

/**
 * Wiring only: settings → find the reports → merge them one at a time → verdict → upload →
 * summary and outputs. Returns the result; the entry point turns fail/error into exit code 1.
 */
export async function runMerge(io: ActionIO, deps: MergeDependencies): Promise<Result> {
  let settings: MergeSettings
  let files: MergedFiles | undefined
  let outcome: MergeOutcome
  try {
    settings = getMergeSettings(io)
  } catch (error) {
    io.setOutput(MergeOutputs.Result, 'error')
    io.error(firstLine(error))
    return 'error'
  }
  try {
    const sources = await findReports(settings.origin, deps.store, io.env)
    io.info(
      `Merging ${sources.length} report(s): ${sources.map((source) => source.name).join(', ')}`
    )
    files = await MergedFiles.open(settings.reportDir, deps.clock.now().toISOString(), {
      onStale: settings.policy.onStale,
      maxStale: settings.policy.maxStale,
      expect: settings.expect
    })
    outcome = await mergeReports(sources, files, settings.summaryRows, (line) => io.info(line))
  } catch (error) {
    await files?.abort()
    io.setOutput(MergeOutputs.Result, 'error')
    io.error(firstLine(error))
    if (settings.jobSummary) await io.appendSummary(renderErrorSummary(firstLine(error)))
    return 'error'
  }

  const problems: Problem[] = [
    ...outcome.problems,
    ...missingTenants(settings.expect, outcome.tenants).map((name) => ({
      name,
      message: `Expected tenant ${name} has no report: its job failed before uploading one, or expect does not name it as its tenant-id, artifact name or file path.`
    }))
  ]
  const counts = sumCounts(outcome.tenants.map((tenant) => tenant.counts))
  const result = mergedResult(counts, problems, settings.policy)
  const rows: TenantRow[] = [
    ...outcome.tenants.map((tenant): TenantRow => ({
      kind: 'report',
      name: tenant.tenantId,
      tenant
    })),
    ...problems.map((problem): TenantRow => ({ kind: 'problem', name: problem.name, problem }))
  ]
  // Problems are in their tenant's row; notes say what holds for the whole merge.
  const notes: string[] = []
  if (settings.expect.length === 0) {
    notes.push(
      'expect is empty: a tenant whose job failed before uploading its report cannot be noticed. List the tenants in expect.'
    )
  }
  const summary = {
    rows,
    policy: settings.policy,
    expected: settings.expect.length,
    worst: outcome.worst,
    notes
  }

  if (result === 'error') {
    await files.abort()
    for (const problem of problems) io.error(problem.message)
    io.setOutput(MergeOutputs.Result, 'error')
    if (settings.jobSummary) await io.appendSummary(renderMergeSummary({ ...summary, result }))
    return 'error'
  }
  const paths = await files.finish(outcome.tenants, counts, result)
  for (const path of [paths.json, paths.csv]) io.info(`Merged report: ${path}`)
  const upload = await uploadReport(deps.uploader, settings.artifactName, paths, undefined, io.env)
  const final: Result = upload.status === 'failed' ? 'error' : result
  announceMerge(io, result, counts, outcome.tenants.length, settings.policy, upload)
  if (upload.status === 'skipped') notes.push(`Artifact: ${upload.reason}.`)
  if (upload.status === 'failed') notes.push(upload.message)
  if (settings.jobSummary) {
    await io.appendSummary(
      renderMergeSummary({
        ...summary,
        result: final,
        counts,
        artifactUrl: upload.status === 'uploaded' ? upload.url : undefined
      })
    )
  }
  setMergeOutputs(io, final, counts, outcome.tenants.length, paths, upload)
  return final
}
