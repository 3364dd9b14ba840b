import type { UserRecord } from '../policy.js'
import { USER_COLUMNS } from './columns.js'

/** A cell a spreadsheet would run as a formula gets a leading apostrophe (DESIGN.md, Report). */
export function protectCell(value: string): string {
  const first = value.charCodeAt(0)
  // = + - @ tab CR
  return first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13
    ? `'${value}`
    : value
}

/** A cell is quoted when it holds a comma, a quote, a CR or an LF (a bare one too). */
const NEEDS_QUOTES = /[",\r\n]/

function cell(value: UserRecord[keyof UserRecord]): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return String(value)
  const text = protectCell(value)
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

const HEADER = `${USER_COLUMNS.join(',')}\r\n`

/**
 * RFC 4180 rows (CRLF, quoted where needed) for one page of records; `header` on the first.
 * Written by hand: a general CSV library cost more than everything else per user (bench/).
 */
export function csvRows(records: UserRecord[], header: boolean): string {
  let text = header ? HEADER : ''
  for (const record of records) {
    let row = cell(record[USER_COLUMNS[0]])
    for (let column = 1; column < USER_COLUMNS.length; column++)
      row += `,${cell(record[USER_COLUMNS[column]])}`
    text += `${row}\r\n`
  }
  return text
}
