import type { Counts, Result, UserRecord } from '../policy.js'
import { asciiTable, ByteWriter } from './bytes.js'
import { USER_COLUMNS } from './columns.js'
import type { CellValue } from './csv.js'

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

/** Characters JSON.stringify escapes in a string: quote, backslash and controls. */
const CONTROLS = String.fromCharCode(...Array.from({ length: 0x20 }, (_, code) => code))
const ESCAPED = asciiTable(`"\\${CONTROLS}`)

/**
 * `JSON.stringify` of each record with exactly the keys `columns` in that order, written out by
 * hand: the same bytes at a fraction of the cost (JSON.stringify of a fresh object per user was
 * the largest CPU cost per user, docs/benchmark.md). Most strings need no escape and are copied
 * as they are. The encoder writes one page of users, each on its own line; `first`: no comma
 * before the first.
 */
export function jsonEncoder<T extends { [K in keyof T]: CellValue }>(
  columns: readonly (keyof T & string)[]
): (records: readonly T[], first: boolean) => Buffer {
  /** `{"id":`, `,"userPrincipalName":`, …: what goes before each column's value. */
  const keys = columns.map((column, index) => Buffer.from(`${index === 0 ? '{' : ','}"${column}":`))
  const user = (out: ByteWriter, record: T): void => {
    for (let column = 0; column < columns.length; column++) {
      out.bytes(keys[column])
      const value: CellValue = record[columns[column]]
      if (value === null) out.bytes(NULL)
      else if (typeof value === 'string') {
        out.text('"')
        if (out.plain(value, ESCAPED)) out.text('"')
        else out.utf8(JSON.stringify(value).slice(1))
      } else if (typeof value === 'boolean') out.bytes(value ? TRUE : FALSE)
      else if (Array.isArray(value)) out.utf8(JSON.stringify(value))
      else out.text(String(value))
    }
    out.text('}')
  }
  return (records, first) => {
    const out = new ByteWriter(records.length * 640)
    for (let index = 0; index < records.length; index++) {
      out.text(first && index === 0 ? '\n    ' : ',\n    ')
      user(out, records[index])
    }
    return out.take()
  }
}

const NULL = Buffer.from('null')
const TRUE = Buffer.from('true')
const FALSE = Buffer.from('false')

/** The report's users: USER_COLUMNS. */
export const jsonUsers = jsonEncoder<UserRecord>(USER_COLUMNS)

export function jsonFooter(counts: Counts, result: Result): string {
  return `\n  ],\n  "counts": ${JSON.stringify(counts)},\n  "result": ${JSON.stringify(result)}\n}\n`
}
