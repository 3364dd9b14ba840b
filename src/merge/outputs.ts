import type { ActionIO } from '../io.js'
import type { Counts, Result } from '../policy.js'
import type { UploadOutcome } from '../publish/artifact.js'
import { countOutputs } from '../publish/outputs.js'
import { MergeOutputs } from './constants.js'
import type { MergedPaths } from './files.js'
import type { MergeSettings } from './settings.js'

/** The annotations of a completed merge: upload trouble, then the verdict (none: none). */
export function announceMerge(
  io: ActionIO,
  result: Exclude<Result, 'error'>,
  counts: Counts,
  tenantCount: number,
  policy: MergeSettings['policy'],
  upload: UploadOutcome
): void {
  if (upload.status === 'failed') io.error(upload.message)
  if (upload.status === 'skipped') {
    if (upload.warn) io.warning(`Artifact not uploaded: ${upload.reason}`)
    else io.info(`Artifact not uploaded: ${upload.reason}`)
  }
  const across = `across ${tenantCount} tenant(s)`
  if (result === 'fail') {
    io.error(
      `${counts.stale} stale user(s) ${across} exceed max-stale ${policy.maxStale} (on-stale: fail). See the job summary and the merged report.`
    )
  } else if (result === 'warn' && policy.onStale !== 'none') {
    io.warning(
      `${counts.stale} stale and ${counts.warn} warn user(s) ${across}. See the job summary and the merged report.`
    )
  } else if (result === 'pass') {
    io.info(`Pass: no checked user ${across} is stale or warn.`)
  }
}

/** Every output of a completed merge: the totals carry the action's count output names. */
export function setMergeOutputs(
  io: ActionIO,
  result: Result,
  counts: Counts,
  tenantCount: number,
  paths: MergedPaths,
  upload: UploadOutcome
): void {
  io.setOutput(MergeOutputs.Result, result)
  for (const [output, value] of countOutputs(counts)) io.setOutput(output, value)
  io.setOutput(MergeOutputs.TenantCount, tenantCount)
  io.setOutput(MergeOutputs.ReportJson, paths.json)
  io.setOutput(MergeOutputs.ReportCsv, paths.csv)
  io.setOutput(MergeOutputs.ArtifactId, upload.status === 'uploaded' ? upload.id : '')
  io.setOutput(MergeOutputs.ArtifactUrl, upload.status === 'uploaded' ? upload.url : '')
}
