import type { UserRecord } from '../policy.js'
import { asciiTable, ByteWriter } from './bytes.js'
import { USER_COLUMNS } from './columns.js'

/** First characters a spreadsheet runs as a formula (DESIGN.md, Report). */
const FORMULA_LEAD = asciiTable('=+-@\t\r')

/** A cell a spreadsheet would run as a formula gets a leading apostrophe. */
export function protectCell(value: string): string {
  const first = value.charCodeAt(0)
  return first < 0x80 && FORMULA_LEAD[first] === 1 ? `'${value}` : value
}

/** A cell is quoted when it holds a comma, a quote, a CR or an LF (a bare one too). */
const QUOTED = asciiTable(',"\r\n')
const NEEDS_QUOTES = /[,"\r\n]/

/** What a report cell holds. */
export type CellValue = UserRecord[keyof UserRecord]

function cell(out: ByteWriter, value: CellValue): void {
  if (value === null || value === undefined) return
  if (typeof value === 'boolean') return out.text(value ? 'true' : 'false')
  if (typeof value === 'number') return out.text(String(value))
  // Lists (licences, roles) are one `;`-joined cell, protected like any (a formula runs only from a cell start).
  if (Array.isArray(value)) return cell(out, value.join(';'))
  // Most cells need neither the apostrophe nor quotes and are copied as they are.
  const text = protectCell(value)
  if (text === value && out.plain(value, QUOTED)) return
  out.utf8(NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text)
}

/**
 * RFC 4180 rows (CRLF, quoted where needed) of `columns`, for one page of records at a time, as
 * UTF-8; `header` on the first. Written by hand: a general CSV library cost more than
 * everything else per user (bench/).
 */
export function csvEncoder<T extends { [K in keyof T]: CellValue }>(
  columns: readonly (keyof T & string)[]
): (records: readonly T[], header: boolean) => Buffer {
  const headerLine = `${columns.join(',')}\r\n`
  return (records, header) => {
    const out = new ByteWriter(records.length * 320 + headerLine.length)
    if (header) out.text(headerLine)
    for (const record of records) {
      cell(out, record[columns[0]])
      for (let column = 1; column < columns.length; column++) {
        out.text(',')
        cell(out, record[columns[column]])
      }
      out.text('\r\n')
    }
    return out.take()
  }
}

/** The report's rows: USER_COLUMNS. */
export const csvRows = csvEncoder<UserRecord>(USER_COLUMNS)
