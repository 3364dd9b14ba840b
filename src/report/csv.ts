import { stringify } from 'csv-stringify/sync'
import type { UserRecord } from '../policy.js'
import { USER_COLUMNS } from './columns.js'

/** A cell a spreadsheet would run as a formula gets a leading apostrophe (DESIGN.md, Report). */
export function protectCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

/** RFC 4180 rows (CRLF, quoted where needed) for one page of records; `header` on the first. */
export function csvRows(records: UserRecord[], header: boolean): string {
  return stringify(records, {
    header,
    columns: USER_COLUMNS as string[],
    record_delimiter: 'windows',
    // csv-stringify quotes CRLF but not a bare CR or LF, which would split the row.
    quoted_match: /[\r\n]/,
    cast: {
      boolean: (value) => (value ? 'true' : 'false'),
      string: (value) => protectCell(value)
    }
  })
}
