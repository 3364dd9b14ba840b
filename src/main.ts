import { audit, BASELINE_SAMPLE, type AuditOutcome } from './audit.js'
import { loadBaseline, type Baseline } from './baseline.js'
import { createTokenSource } from './auth/token-source.js'
import { Outputs } from './constants.js'
import { isExpired } from './exclusions.js'
import { createGraphClient } from './graph/client.js'
import { LOG_WINDOW_DAYS } from './graph/sign-in-logs.js'
import type { RetryContext } from './graph/retry.js'
import type { Fetch } from './http.js'
import type { ActionIO, Clock } from './io.js'
import type { Result } from './policy.js'
import { uploadReport, type ArtifactUploader, type UploadOutcome } from './report/artifact.js'
import { redactingIO, redactUpn } from './report/redact.js'
import { renderErrorSummary, renderSummary } from './report/summary.js'
import { getSettings, type Settings } from './settings.js'

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
  let baseline: Baseline | undefined
  try {
    settings = getSettings(io, deps.clock.now())
    baseline = settings.baselinePath
      ? loadBaseline(settings.baselinePath, io.env.GITHUB_WORKSPACE || process.cwd())
      : undefined
  } catch (error) {
    io.setOutput(Outputs.Result, 'error')
    io.error(firstLine(error))
    return 'error'
  }
  // With redact, no log line shows a UPN (the password-flow account in sign-in errors, for one).
  if (settings.redact !== 'none') io = redactingIO(io)
  const notes = startNotes(settings, deps.clock.now(), io)
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
    outcome = await audit(settings, graph, retry, baseline)
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
  if (baseline) notes.push(...baselineNotes(outcome, baseline, settings))
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

/** Notes decided before any request: expired exclusions, a threshold beyond the log window. */
function startNotes(settings: Settings, now: Date, io: ActionIO): string[] {
  const notes: string[] = []
  for (const rule of settings.exclusions.filter((candidate) => isExpired(candidate, now))) {
    notes.push(
      `Expired exclusion (no longer applied): ${rule.pattern} until ${rule.until} (${rule.origin}${rule.reason ? `: ${rule.reason}` : ''}).`
    )
  }
  if (settings.source === 'sign-in-logs') {
    const window = `Sign-in logs reach back ${LOG_WINDOW_DAYS} days at most (7 without a premium licence): users with no entry count as not signed in within that window.`
    notes.push(window)
    if (settings.policy.thresholdDays > LOG_WINDOW_DAYS) {
      io.warning(
        `threshold-days ${settings.policy.thresholdDays} is beyond the ${LOG_WINDOW_DAYS}-day sign-in log window: every user without a sign-in in the window is stale once their account is older than the threshold. Use source: sign-in-activity for longer thresholds.`
      )
    }
  }
  return notes
}

/** New, still and no-longer stale users against the baseline: counts, then up to 20 UPNs each. */
function baselineNotes(outcome: AuditOutcome, baseline: Baseline, settings: Settings): string[] {
  const newCount = outcome.counts.newStale
  const still = outcome.counts.stale - newCount
  const gone = outcome.noLongerStale
  const names = (upns: (string | null)[], total: number) => {
    const shown = upns
      .slice(0, BASELINE_SAMPLE)
      .map((upn) => (settings.redact === 'none' ? upn : redactUpn(upn)) ?? '(no UPN)')
    return `${shown.join(', ')}${total > shown.length ? `, … (${total - shown.length} more in the report)` : ''}`
  }
  const lists: [string, (string | null)[], number][] = [
    ['New stale', outcome.newStaleSample, newCount],
    ['Still stale', outcome.stillStaleSample, still],
    ['No longer stale', gone, gone.length]
  ]
  return [
    `Against the baseline of ${baseline.generatedAt ?? 'an earlier run'}: ${newCount} new stale, ${still} still stale, ${gone.length} no longer stale.`,
    ...lists
      .filter(([, , total]) => total > 0)
      .map(([label, upns, total]) => `${label} (${total}): ${names(upns, total)}.`)
  ]
}

/** The annotation matching the result (on-stale: none writes none). */
function announce(
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

function setOutputs(
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
