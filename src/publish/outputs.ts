import { Outputs } from '../constants.js'
import type { ActionIO } from '../io.js'
import type { AuditOutcome } from '../outcome.js'
import type { Result } from '../policy.js'
import type { UploadOutcome } from './artifact.js'

/** Every output of a completed run (DESIGN.md, Outputs). */
export function setOutputs(
  io: ActionIO,
  outcome: Pick<AuditOutcome, 'counts' | 'paths'>,
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
