import { createTokenSource } from './auth/token-source.js'
import { BASELINE_SAMPLE } from './baseline.js'
import { Breakdown } from './breakdown.js'
import { LOG_WINDOW_DAYS } from './constants.js'
import { GraphFailure } from './errors.js'
import { compileExclusions, isExpired } from './exclusions.js'
import { createGraphClient, type GraphClient } from './graph/client.js'
import { groupExclusions } from './graph/groups.js'
import { skuPartNumbers } from './graph/licenses.js'
import { privilegedRoles } from './graph/roles.js'
import { createRetryContext, type RetryContext } from './graph/retry.js'
import { signInLogPace, signInLogUserPages } from './graph/sign-in-logs.js'
import { userPages, type UserListing } from './graph/users.js'
import type { Fetch } from './http.js'
import type { ActionIO, Clock } from './io.js'
import type { Audited, AuditOutcome } from './outcome.js'
import {
  count,
  decideResult,
  emptyCounts,
  evaluateUser,
  type PolicyContext,
  type UserRecord
} from './policy.js'
import { ReportFiles } from './report/files.js'
import type { ReportMeta } from './report/json.js'
import { redactorFor, type Mask } from './report/redact.js'
import type { Settings } from './settings/settings.js'
import {
  duplicatesNote,
  interactiveOnlyWarning,
  logWindowWarning,
  startNotes
} from './summary/notes.js'
import { WorstUsers } from './summary/worst.js'

/** Users evaluated between two turns of the event loop. */
const EVALUATE_SLICE = 100
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

/** Everything in the JSON report before the users; `policy` holds every policy input. */
export function reportMeta(
  settings: Settings,
  now: Date,
  mask: Mask = redactorFor(settings.redact).report
): ReportMeta {
  return {
    generatedAt: now.toISOString(),
    tenantId: settings.tenantId,
    cloud: settings.cloud,
    graphVersion: settings.graphVersion,
    source: settings.source,
    policy: reportPolicy(settings, mask)
  }
}

function reportPolicy(settings: Settings, mask: Mask): Record<string, unknown> {
  return {
    ...settings.policy,
    warnDays: settings.policy.warnDays ?? null,
    guestThresholdDays: settings.policy.guestThresholdDays ?? null,
    invitationDays: settings.policy.invitationDays ?? null,
    privilegedThresholdDays: settings.policy.privilegedThresholdDays ?? null,
    exclude: settings.exclusions.map((rule) => ({
      pattern: mask.pattern(rule),
      reason: rule.reason,
      until: rule.until ?? null,
      origin: rule.origin
    })),
    excludeGroups: settings.excludeGroups,
    excludeFile: settings.excludeFile ?? null,
    baseline: settings.baselinePath ?? null
  }
}

/**
 * `/users/$count` (ConsistencyLevel: eventual): one cheap request outside the signInActivity
 * quota, for the time-left estimate only. Never used to decide that a listing is complete; when
 * Graph does not answer it, the run goes on without an estimate.
 */
async function userCountEstimate(
  graph: GraphClient,
  retry: RetryContext
): Promise<number | undefined> {
  try {
    const text = await graph.text(
      'users/$count',
      { resource: 'users', what: 'the user count' },
      { ConsistencyLevel: 'eventual' }
    )
    return /^\s*\d+\s*$/.test(text) ? Number(text) : undefined
  } catch (error) {
    if (!(error instanceof GraphFailure)) throw error
    retry.log(`No time-left estimate: ${error.message}`)
    return undefined
  }
}

/** "; about 12 min left" from the pace so far; '' without a total. */
function timeLeft(done: number, total: number | undefined, elapsedMs: number): string {
  if (total === undefined || done === 0) return ''
  const leftMs = Math.max(0, ((total - done) * elapsedMs) / done)
  const seconds = Math.round(leftMs / 1000)
  return `; about ${seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`} left`
}

/** The sign-in line of the run log: tenant, cloud, authority and method. */
function signInLine(settings: Settings): string {
  return `Signing in to tenant ${settings.tenantId} (${settings.cloud}, ${settings.authorityHost}) with ${settings.credentials.method} (auth-method: ${settings.authMethodInput})`
}

/**
 * Signs in, then reads every user through the policy into the report files. Throws on any
 * failure: a run that could not read everything has no outcome.
 */
export async function audit(
  settings: Settings,
  io: ActionIO,
  deps: { clock: Clock; fetch: Fetch },
  reportMask: Mask
): Promise<Audited> {
  const notes = startNotes(settings, deps.clock.now())
  const windowWarning = logWindowWarning(settings)
  if (windowWarning) io.warning(windowWarning)
  const interactiveOnly = interactiveOnlyWarning(settings)
  if (interactiveOnly) io.warning(interactiveOnly)
  io.info(signInLine(settings))
  const retry = createRetryContext(deps.clock, io)
  const tokens = createTokenSource(settings, io, deps.fetch, deps.clock)
  const graph = createGraphClient(settings, tokens, deps.fetch, retry)
  // Sign in before the report files are opened: a bad credential fails fast, leaving no files.
  await tokens.token(false)
  const listing: UserListing = { duplicates: 0 }
  const outcome = await auditUsers(settings, graph, retry, listing, reportMask)
  if (listing.duplicates > 0) {
    io.warning(duplicatesNote(listing.duplicates))
    notes.push(duplicatesNote(listing.duplicates))
  }
  return { outcome, notes, requests: graph.requests, waitedMs: retry.waited.ms }
}

/**
 * Streams every user page by page through the policy into the report files, keeping only the
 * counts and the worst users in memory. Any read failure aborts the files and throws: a partial
 * listing never becomes a report.
 */
async function auditUsers(
  settings: Settings,
  graph: GraphClient,
  retry: RetryContext,
  listing: UserListing,
  reportMask: Mask
): Promise<AuditOutcome> {
  const { baseline } = settings
  const now = retry.clock.now()
  const logs = settings.source === 'sign-in-logs'
  const context: PolicyContext = {
    policy: settings.policy,
    now,
    exclusions: compileExclusions(settings.exclusions.filter((rule) => !isExpired(rule, now))),
    groupExclusions: await groupExclusions(graph, settings.excludeGroups),
    // Read once, before the user pages (issue 12); roles only when a privileged rule asks.
    privilegedRoles:
      settings.policy.privilegedThresholdDays === undefined
        ? undefined
        : await privilegedRoles(graph),
    skuPartNumbers: await skuPartNumbers(graph),
    source: logs
      ? {
          capFallback: false,
          neverMeans: `no sign-in within the ${LOG_WINDOW_DAYS}-day log window`
        }
      : { capFallback: true, neverMeans: 'never signed in' }
  }
  if (logs) retry.log(signInLogPace())
  const total = await userCountEstimate(graph, retry)
  const started = retry.clock.now().getTime()
  const files = await ReportFiles.open(
    settings.reportDir,
    settings.reportFormats,
    reportMeta(settings, now, reportMask)
  )
  const counts = emptyCounts()
  const breakdown = new Breakdown()
  const worst = new WorstUsers(settings.summaryRows)
  const stillStale = new Set<string>()
  const newStaleSample: (string | null)[] = []
  const stillStaleSample: (string | null)[] = []
  let page = 0
  try {
    const source = logs
      ? signInLogUserPages(graph, settings, retry.clock, listing)
      : userPages(graph, { pageSize: settings.pageSize, withSignInActivity: true, listing })
    for await (const users of source) {
      page++
      const records: UserRecord[] = []
      for (let index = 0; index < users.length; index++) {
        // Let I/O in between (the next page's TLS handshake, its first bytes): a page's work is
        // tens of milliseconds, and a request stuck behind it would add to every run's wall time.
        if (index % EVALUATE_SLICE === 0 && index > 0) await nextTurn()
        const record = evaluateUser(users[index], context)
        const id = record.id.toLowerCase()
        const wasStale = baseline?.stale.has(id) ?? false
        if (record.status === 'stale' && wasStale) stillStale.add(id)
        if (baseline && record.status === 'stale') {
          const sample = wasStale ? stillStaleSample : newStaleSample
          if (sample.length < BASELINE_SAMPLE) sample.push(record.userPrincipalName)
        }
        count(counts, record, record.status === 'stale' && !wasStale)
        breakdown.add(record)
        worst.add(record)
        records.push(reportMask.record(record))
      }
      await files.append(records)
      const left = timeLeft(counts.users, total, retry.clock.now().getTime() - started)
      retry.log(
        `users page ${page}: ${counts.users} users so far${total === undefined ? '' : ` of about ${total}`} (${counts.stale} stale, ${counts.warn} warn)${left}`
      )
    }
  } catch (error) {
    await files.abort()
    if (!(error instanceof GraphFailure)) throw error
    // How far it got: the users read so far are not a report, but say how long to plan for.
    const of = total === undefined ? '' : ` of about ${total}`
    throw new GraphFailure(
      `${error.message} The run had read ${counts.users} users${of} (${page} pages) in ${Math.round((retry.clock.now().getTime() - started) / 1000)} s; no report was written.`,
      error.status,
      error.code
    )
  }
  const result = decideResult(counts, settings.policy)
  const paths = await files.finish(counts, result, breakdown)
  const noLongerStale = baseline
    ? [...baseline.stale].filter(([id]) => !stillStale.has(id)).map(([, upn]) => upn)
    : []
  return {
    counts,
    result,
    breakdown,
    paths,
    worst: worst.list(),
    noLongerStale,
    newStaleSample,
    stillStaleSample
  }
}
