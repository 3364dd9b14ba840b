import type { AuditOutcome } from '../audit.js'
import { Outputs } from '../constants.js'
import type { ActionIO } from '../io.js'
import type { Result } from '../policy.js'
import type { Settings } from '../settings/settings.js'
import type { UploadOutcome } from './artifact.js'

/** The annotation matching the result (on-stale: none writes none). */
export function announce(
  io: ActionIO,
  settings: Settings,
  outcome: AuditOutcome,
  result: Result,
  upload: UploadOutcome
): void {
  const { counts } = outcome
  const { policy } = settings
  if (upload.status === 'failed') io.error(upload.message)
  if (upload.status === 'skipped') {
    if (upload.warn) io.warning(`Artifact not uploaded: ${upload.reason}`)
    else io.info(`Artifact not uploaded: ${upload.reason}`)
  }
  const counted =
    policy.failOn === 'new'
      ? `${counts.newStale} new stale user(s)`
      : `${counts.stale} stale user(s)`
  if (outcome.result === 'fail') {
    io.error(
      `${counted} exceed max-stale ${policy.maxStale} (inactive ${policy.thresholdDays}+ days; on-stale: fail). See the job summary and the report.`
    )
  } else if (outcome.result === 'warn' && policy.onStale !== 'none') {
    io.warning(
      `${counts.stale} stale and ${counts.warn} warn user(s) (stale at ${policy.thresholdDays} days). See the job summary and the report.`
    )
  }
  if (result === 'pass')
    io.info(`Pass: no checked user is inactive ${policy.warnDays ?? policy.thresholdDays}+ days.`)
}

/** Every output of a completed run (DESIGN.md, Outputs). */
export function setOutputs(
  io: ActionIO,
  outcome: AuditOutcome,
  result: Result,
  upload: UploadOutcome
): void {
  const { counts, paths } = outcome
  io.setOutput(Outputs.Result, result)
  io.setOutput(Outputs.UserCount, counts.users)
  io.setOutput(Outputs.CheckedCount, counts.checked)
  io.setOutput(Outputs.StaleCount, counts.stale)
  io.setOutput(Outputs.WarnCount, counts.warn)
  io.setOutput(Outputs.NeverSignedInCount, counts.neverSignedIn)
  io.setOutput(Outputs.ExcludedCount, counts.excluded)
  io.setOutput(Outputs.NewStaleCount, counts.newStale)
  io.setOutput(Outputs.ReportDir, paths.dir)
  io.setOutput(Outputs.ReportJson, paths.json ?? '')
  io.setOutput(Outputs.ReportCsv, paths.csv ?? '')
  io.setOutput(Outputs.ArtifactId, upload.status === 'uploaded' ? upload.id : '')
  io.setOutput(Outputs.ArtifactUrl, upload.status === 'uploaded' ? upload.url : '')
}
