import { Outputs } from '../constants.js'
import type { ActionIO } from '../io.js'
import type { AuditOutcome } from '../outcome.js'
import type { Counts, Result, ScalarCount } from '../policy.js'
import type { UploadOutcome } from './artifact.js'

/** The count outputs and the count each one reports (the merge action sets them too, summed). */
export const COUNT_OUTPUTS: readonly (readonly [Outputs, ScalarCount])[] = [
  [Outputs.UserCount, 'users'],
  [Outputs.CheckedCount, 'checked'],
  [Outputs.StaleCount, 'stale'],
  [Outputs.WarnCount, 'warn'],
  [Outputs.NeverSignedInCount, 'neverSignedIn'],
  [Outputs.ExcludedCount, 'excluded'],
  [Outputs.NewStaleCount, 'newStale']
]

/** Every count output with its value: the action's, and the merge action's over the sums. */
export function countOutputs(counts: Counts): [Outputs, number][] {
  return [
    ...COUNT_OUTPUTS.map(([output, count]): [Outputs, number] => [output, counts[count]]),
    [Outputs.PendingInvitationCount, counts.groups.pendingInvitations.checked],
    [Outputs.PrivilegedStaleCount, counts.groups.privileged.stale],
    [Outputs.LicensedStaleCount, counts.groups.licensed.stale]
  ]
}

/** Every output of a completed run (DESIGN.md, Outputs). */
export function setOutputs(
  io: ActionIO,
  outcome: Pick<AuditOutcome, 'counts' | 'paths'>,
  result: Result,
  upload: UploadOutcome
): void {
  const { counts, paths } = outcome
  io.setOutput(Outputs.Result, result)
  for (const [output, value] of countOutputs(counts)) io.setOutput(output, value)
  io.setOutput(Outputs.ReportDir, paths.dir)
  io.setOutput(Outputs.ReportJson, paths.json ?? '')
  io.setOutput(Outputs.ReportCsv, paths.csv ?? '')
  io.setOutput(Outputs.ArtifactId, upload.status === 'uploaded' ? upload.id : '')
  io.setOutput(Outputs.ArtifactUrl, upload.status === 'uploaded' ? upload.url : '')
}
