import type { ActionIO } from '../io.js'
import type { AuditOutcome } from '../outcome.js'
import type { Result } from '../policy.js'
import type { PolicySettings } from '../settings/settings.js'
import type { UploadOutcome } from './artifact.js'

/** The annotation matching the result (on-stale: none writes none). */
export function announce(
  io: ActionIO,
  policy: PolicySettings,
  outcome: Pick<AuditOutcome, 'counts' | 'result'>,
  result: Result,
  upload: UploadOutcome
): void {
  const { counts } = outcome
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
