import { ReportError } from '../errors.js'
import { SCALAR_COUNTS, type Counts, type Result, type UserRecord } from '../policy.js'
import type { ReportMeta } from '../report/json.js'
import { reportValidator } from '../report/schema.js'

/** A report as the action writes it, checked against docs/report.schema.json. */
export interface TenantReport extends ReportMeta {
  schemaVersion: number
  users: UserRecord[]
  counts: Counts
  result: Exclude<Result, 'error'>
}

/** Schema errors named by where they are, never by the value there (it may be a user's name). */
const MAX_ERRORS_SHOWN = 3

/**
 * What a schema cannot state: the counts agree with the users listed (a report cut short, its
 * users missing but its counts those of the whole tenant, fails here), and the tenant ID is one.
 */
function consistencyProblems(report: TenantReport): string[] {
  const { users, counts } = report
  const tally: Counts = { ...counts }
  for (const key of SCALAR_COUNTS) tally[key] = 0
  tally.users = users.length
  for (const user of users) {
    tally[user.status]++
    if (user.status !== 'excluded' && user.status !== 'skipped') {
      tally.checked++
      if (user.neverSignedIn) tally.neverSignedIn++
    }
  }
  const problems: string[] = []
  // The action takes a GUID or a domain; anything else (a line break above all) would reach log
  // lines and cells as the tenant's name.
  if (!/^[\x21-\x7e]+$/.test(report.tenantId)) problems.push('tenantId is not a GUID or a domain')
  for (const key of ['users', 'checked', 'stale', 'warn', 'active', 'excluded', 'skipped'] as const)
    if (tally[key] !== counts[key]) {
      problems.push(`counts.${key} is ${counts[key]} but ${tally[key]} such users are listed`)
    }
  if (tally.neverSignedIn !== counts.neverSignedIn)
    problems.push(
      `counts.neverSignedIn is ${counts.neverSignedIn} but ${tally.neverSignedIn} checked users never signed in`
    )
  if (counts.newStale > counts.stale)
    problems.push(`counts.newStale ${counts.newStale} is more than counts.stale ${counts.stale}`)
  return problems
}

/**
 * Parses and checks one report: valid JSON, valid against the schema, counts that agree with
 * its users. Throws a ReportError naming `label` otherwise; nothing of the file's content is
 * quoted (it holds user names).
 */
export function readReport(text: string, label: string): TenantReport {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message)
    throw new ReportError(
      `${label} is not valid JSON${at ? ` (at byte ${at[1]} of ${Buffer.byteLength(text)})` : ''}: the file is corrupt or cut short. Re-run the tenant's job.`
    )
  }
  const validate = reportValidator()
  if (!validate(parsed)) {
    const errors = validate.errors ?? []
    const shown = errors
      .slice(0, MAX_ERRORS_SHOWN)
      .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`)
    const more = errors.length > shown.length ? ` (and ${errors.length - shown.length} more)` : ''
    throw new ReportError(
      `${label} does not match docs/report.schema.json: ${shown.join('; ')}${more}.`
    )
  }
  const report = parsed as TenantReport
  const problems = consistencyProblems(report)
  if (problems.length > 0) {
    throw new ReportError(`${label} is incomplete or inconsistent: ${problems.join('; ')}.`)
  }
  return report
}
