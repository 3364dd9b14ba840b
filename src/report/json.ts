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

/** Characters JSON.stringify would escape in a string: quote, backslash, controls, surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** JSON.stringify for a string or null; most report strings need no escape and are quoted as is. */
function str(value: string | null): string {
  if (value === null) return 'null'
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`
}

/**
 * `JSON.stringify` of a record with exactly the report's keys in USER_COLUMNS order, written out
 * by hand: the same bytes at less than half the cost (JSON.stringify of a fresh object per user
 * was the largest CPU cost per user, bench/).
 */
function userJson(r: UserRecord): string {
  return (
    `{"id":${str(r.id)},"userPrincipalName":${str(r.userPrincipalName)}` +
    `,"displayName":${str(r.displayName)},"userType":${str(r.userType)}` +
    `,"accountEnabled":${r.accountEnabled === null ? 'null' : r.accountEnabled}` +
    `,"createdDateTime":${str(r.createdDateTime)}` +
    `,"lastSignInDateTime":${str(r.lastSignInDateTime)}` +
    `,"lastNonInteractiveSignInDateTime":${str(r.lastNonInteractiveSignInDateTime)}` +
    `,"lastSuccessfulSignInDateTime":${str(r.lastSuccessfulSignInDateTime)}` +
    `,"lastActivityDateTime":${str(r.lastActivityDateTime)}` +
    `,"daysInactive":${JSON.stringify(r.daysInactive)},"neverSignedIn":${r.neverSignedIn}` +
    `,"status":${str(r.status)},"reason":${str(r.reason)}}`
  )
}

// The keys above must follow the contract's column order; fail loudly (in any test) if not.
const NULLS = Object.fromEntries(
  USER_COLUMNS.map((column) => [column, null])
) as unknown as UserRecord
if (Object.keys(JSON.parse(userJson(NULLS)) as object).join() !== USER_COLUMNS.join()) {
  throw new Error('report/json.ts: userJson() no longer matches USER_COLUMNS')
}

export function jsonUsers(records: UserRecord[], first: boolean): string {
  let text = ''
  for (let index = 0; index < records.length; index++) {
    text += `${first && index === 0 ? '' : ','}\n    ${userJson(records[index])}`
  }
  return text
}

export function jsonFooter(counts: Counts, result: Result): string {
  return `\n  ],\n  "counts": ${JSON.stringify(counts)},\n  "result": ${JSON.stringify(result)}\n}\n`
}
