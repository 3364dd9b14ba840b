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

export function jsonUsers(records: UserRecord[], first: boolean): string {
  let text = ''
  records.forEach((record, index) => {
    const ordered: Record<string, unknown> = {}
    for (const column of USER_COLUMNS) ordered[column] = record[column]
    text += `${first && index === 0 ? '' : ','}\n    ${JSON.stringify(ordered)}`
  })
  return text
}

export function jsonFooter(counts: Counts, result: Result): string {
  return `\n  ],\n  "counts": ${JSON.stringify(counts)},\n  "result": ${JSON.stringify(result)}\n}\n`
}
