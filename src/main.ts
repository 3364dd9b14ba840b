import { audit, type AuditOutcome } from './audit.js'
import { createTokenSource } from './auth/token-source.js'
import { Outputs } from './constants.js'
import { createGraphClient } from './graph/client.js'
import type { RetryContext } from './graph/retry.js'
import type { Fetch } from './http.js'
import type { ActionIO, Clock } from './io.js'
import type { Result } from './policy.js'
import { uploadReport, type ArtifactUploader } from './report/artifact.js'
import { baselineNotes, logWindowWarning, startNotes } from './report/notes.js'
import { announce, setOutputs } from './report/outcome.js'
import { redactingIO } from './report/redact.js'
import { renderErrorSummary, renderSummary } from './report/summary.js'
import { getSettings } from './settings/get-settings.js'
import type { Settings } from './settings/settings.js'

export interface Dependencies {
  clock: Clock
  fetch: Fetch
  artifacts: ArtifactUploader
}

const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]

/**
 * Wiring only: settings → token source → Graph → policy → report → artifact → summary and
 * outputs. Returns the result; the entry point turns fail/error into exit code 1.
 */
export async function run(io: ActionIO, deps: Dependencies): Promise<Result> {
  const started = deps.clock.now().getTime()
  let settings: Settings
  try {
    settings = getSettings(io, deps.clock.now())
  } catch (error) {
    io.setOutput(Outputs.Result, 'error')
    io.error(firstLine(error))
    return 'error'
  }
  // With redact, no log line shows a UPN (the password-flow account in sign-in errors, for one).
  if (settings.redact !== 'none') io = redactingIO(io)
  const notes = startNotes(settings, deps.clock.now())
  const windowWarning = logWindowWarning(settings)
  if (windowWarning) io.warning(windowWarning)
  io.info(
    `Signing in to tenant ${settings.tenantId} (${settings.cloud}, ${settings.authorityHost}) with ${settings.credentials.method} (auth-method: ${settings.authMethodInput})`
  )

  const retry: RetryContext = {
    clock: deps.clock,
    log: (message) => io.info(message),
    waited: { ms: 0 }
  }
  const tokens = createTokenSource(settings, io, deps.fetch, deps.clock)
  const graph = createGraphClient(settings, tokens, deps.fetch, retry)
  let outcome: AuditOutcome
  try {
    // Sign in before the report files are opened: a bad credential fails fast, leaving no files.
    await tokens.token(false)
    outcome = await audit(settings, graph, retry, settings.baseline)
  } catch (error) {
    const message = firstLine(error)
    io.setOutput(Outputs.Result, 'error')
    io.setOutput(Outputs.ReportDir, settings.reportDir)
    io.error(message)
    if (settings.jobSummary)
      await io.appendSummary(renderErrorSummary(message, settings.redact !== 'none'))
    return 'error'
  }
  const seconds = (ms: number) => (ms / 1000).toFixed(1)
  io.info(
    `Read ${outcome.counts.users} users with ${graph.requests} Graph requests in ${seconds(deps.clock.now().getTime() - started)} s (${seconds(retry.waited.ms)} s waiting on throttling)`
  )
  for (const path of [outcome.paths.json, outcome.paths.csv]) if (path) io.info(`Report: ${path}`)

  const upload = await uploadReport(
    deps.artifacts,
    settings.artifactName,
    outcome.paths,
    settings.retentionDays,
    io.env
  )
  const result: Result = upload.status === 'failed' ? 'error' : outcome.result
  announce(io, settings, outcome, result, upload)
  if (upload.status === 'skipped') notes.push(`Artifact: ${upload.reason}.`)
  if (upload.status === 'failed') notes.push(upload.message)
  if (settings.baseline) notes.push(...baselineNotes(outcome, settings.baseline, settings))
  if (settings.jobSummary) {
    await io.appendSummary(
      renderSummary({
        result,
        counts: outcome.counts,
        settings,
        worst: outcome.worst,
        artifactUrl: upload.status === 'uploaded' ? upload.url : undefined,
        notes
      })
    )
  }
  setOutputs(io, outcome, result, upload)
  return result
}
