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

function cell(out: ByteWriter, value: UserRecord[keyof UserRecord]): void {
  if (value === null || value === undefined) return
  if (typeof value === 'boolean') return out.text(value ? 'true' : 'false')
  if (typeof value === 'number') return out.text(String(value))
  // Most cells need neither the apostrophe nor quotes and are copied as they are.
  const text = protectCell(value)
  if (text === value && out.plain(value, QUOTED)) return
  out.utf8(NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text)
}

const HEADER = `${USER_COLUMNS.join(',')}\r\n`

/**
 * RFC 4180 rows (CRLF, quoted where needed) for one page of records, as UTF-8; `header` on the
 * first. Written by hand: a general CSV library cost more than everything else per user (bench/).
 */
export function csvRows(records: UserRecord[], header: boolean): Buffer {
  const out = new ByteWriter(records.length * 320 + HEADER.length)
  if (header) out.text(HEADER)
  for (const record of records) {
    cell(out, record[USER_COLUMNS[0]])
    for (let column = 1; column < USER_COLUMNS.length; column++) {
      out.text(',')
      cell(out, record[USER_COLUMNS[column]])
    }
    out.text('\r\n')
  }
  return out.take()
}
