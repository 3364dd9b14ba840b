import { Outputs } from '../constants.js'
import type { ActionIO, Clock } from '../io.js'
import type { Audited } from '../outcome.js'
import type { Result } from '../policy.js'
import type { Mask } from '../report/redact.js'
import type { Settings } from '../settings/settings.js'
import { earlierReport } from '../report/files.js'
import { baselineNotes, earlierReportNote } from '../summary/notes.js'
import { renderErrorSummary, renderSummary } from '../summary/summary.js'
import { announce } from './annotations.js'
import { uploadReport, type ArtifactUploader, type UploadOutcome } from './artifact.js'
import { setOutputs } from './outputs.js'

const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]

const seconds = (ms: number) => (ms / 1000).toFixed(1)

/** The end-of-audit line of the run log: users, requests, wall time and time spent throttled. */
function readLine(audited: Audited, elapsedMs: number): string {
  return `Read ${audited.outcome.counts.users} users with ${audited.requests} Graph requests in ${seconds(elapsedMs)} s (${seconds(audited.waitedMs)} s waiting on throttling)`
}

/** The notes under the summary's counts: start notes, the upload's trouble, the baseline lists. */
function summaryNotes(
  settings: Settings,
  summaryMask: Mask,
  audited: Audited,
  upload: UploadOutcome
): string[] {
  const notes = [...audited.notes]
  if (upload.status === 'skipped') notes.push(`Artifact: ${upload.reason}.`)
  if (upload.status === 'failed') notes.push(upload.message)
  if (settings.baseline) {
    notes.push(...baselineNotes(audited.outcome, settings.baseline, summaryMask.upn))
  }
  return notes
}

/**
 * Everything a completed audit shows the user: the report artifact, the annotations, the job
 * summary and the outputs. A failed upload turns the result into `error`.
 */
export async function publish(
  io: ActionIO,
  settings: Settings,
  summaryMask: Mask,
  audited: Audited,
  deps: { clock: Clock; artifacts: ArtifactUploader },
  startedMs: number
): Promise<Result> {
  const { outcome } = audited
  io.info(readLine(audited, deps.clock.now().getTime() - startedMs))
  for (const path of [outcome.paths.json, outcome.paths.csv, outcome.paths.html])
    if (path) io.info(`Report: ${path}`)
  const upload = await uploadReport(
    deps.artifacts,
    settings.artifactName,
    outcome.paths,
    settings.retentionDays,
    io.env
  )
  const result: Result = upload.status === 'failed' ? 'error' : outcome.result
  announce(io, settings.policy, outcome, result, upload)
  const notes = summaryNotes(settings, summaryMask, audited, upload)
  if (settings.jobSummary) {
    await io.appendSummary(
      renderSummary({
        result,
        counts: outcome.counts,
        settings,
        worst: outcome.worst,
        breakdown: outcome.breakdown,
        artifactUrl: upload.status === 'uploaded' ? upload.url : undefined,
        notes
      })
    )
  }
  setOutputs(io, outcome, result, upload)
  return result
}

/**
 * A run that could not finish: result `error` and one error line; once the settings are known,
 * also the report directory and the error summary (never counts: they would be partial).
 */
export async function publishError(
  io: ActionIO,
  settings: Settings | undefined,
  summaryMask: Mask,
  error: unknown
): Promise<Result> {
  const message = firstLine(error)
  io.setOutput(Outputs.Result, 'error')
  if (settings) io.setOutput(Outputs.ReportDir, settings.reportDir)
  io.error(message)
  // A later step reading report-dir must not take an earlier run's report for this one.
  const earlier = settings && (await earlierReport(settings.reportDir))
  const notes = earlier ? [earlierReportNote(earlier)] : []
  for (const note of notes) io.warning(note)
  if (settings?.jobSummary)
    await io.appendSummary(renderErrorSummary(message, summaryMask.text, notes))
  return 'error'
}
