import type { Counts, Result, UserRecord } from '../policy.js'
import { USER_COLUMNS } from './columns.js'

/** Everything in the JSON report before the users (DESIGN.md, Report). */
export interface ReportMeta {
  generatedAt: string
  tenantId: string
  cloud: string
  graphVersion: string
  source: string
  policy: Record<string, unknown>
}

export const SCHEMA_VERSION = 1

/**
 * The JSON report is streamed: the header, then `users` a page at a time, then counts and result
 * (known only at the end). Key order does not change the document.
 */
export function jsonHeader(meta: ReportMeta): string {
  const head = JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...meta }, null, 2)
  return `${head.slice(0, -2)},\n  "users": [`
}

/**
 * A record with exactly the report's keys in USER_COLUMNS order. An object literal of one fixed
 * shape: V8 serialises it several times faster than an object built key by key (bench/).
 */
function ordered(r: UserRecord): UserRecord {
  return {
    id: r.id,
    userPrincipalName: r.userPrincipalName,
    displayName: r.displayName,
    userType: r.userType,
    accountEnabled: r.accountEnabled,
    createdDateTime: r.createdDateTime,
    lastSignInDateTime: r.lastSignInDateTime,
    lastNonInteractiveSignInDateTime: r.lastNonInteractiveSignInDateTime,
    lastSuccessfulSignInDateTime: r.lastSuccessfulSignInDateTime,
    lastActivityDateTime: r.lastActivityDateTime,
    daysInactive: r.daysInactive,
    neverSignedIn: r.neverSignedIn,
    status: r.status,
    reason: r.reason
  }
}

// The literal above must follow the contract's column order; fail loudly (in any test) if not.
if (Object.keys(ordered({} as UserRecord)).join() !== USER_COLUMNS.join()) {
  throw new Error('report/json.ts: ordered() no longer matches USER_COLUMNS')
}

export function jsonUsers(records: UserRecord[], first: boolean): string {
  const parts: string[] = []
  for (let index = 0; index < records.length; index++) {
    parts.push(`${first && index === 0 ? '' : ','}\n    ${JSON.stringify(ordered(records[index]))}`)
  }
  return parts.join('')
}

export function jsonFooter(counts: Counts, result: Result): string {
  return `\n  ],\n  "counts": ${JSON.stringify(counts)},\n  "result": ${JSON.stringify(result)}\n}\n`
}
