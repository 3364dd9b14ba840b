/**
 * Graph's dates, read and written by hand: Date.parse and Date#toISOString were the largest costs
 * of the policy (docs/benchmark.md). Both always agree with the built-ins.
 */
import { SENTINEL_BEFORE } from './constants.js'

export const DAY_MS = 86_400_000

/** A Graph date, or null for every "never" form: absent, null, "", unparsable, before 1971. */
export function parseSignInDate(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null
  const time = parseGraphDate(value)
  if (Number.isNaN(time) || time < SENTINEL_BEFORE) return null
  return time
}

/** Two decimal digits at `at`, or -1. */
function twoDigits(value: string, at: number): number {
  const tens = value.charCodeAt(at) - 48
  const ones = value.charCodeAt(at + 1) - 48
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1
}

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * `Date.parse(value)`, with Graph's own form `YYYY-MM-DDTHH:MM:SS[.fraction]Z` read by hand
 * (Date.parse was the policy's largest cost, docs/benchmark.md). Anything else, out-of-range
 * fields included, is left to Date.parse, so both always agree.
 */
export function parseGraphDate(value: string): number {
  const end = value.length - 1
  if (
    end < 19 ||
    value.charCodeAt(end) !== 0x5a || // Z
    value.charCodeAt(4) !== 0x2d || // -
    value.charCodeAt(7) !== 0x2d ||
    value.charCodeAt(10) !== 0x54 || // T
    value.charCodeAt(13) !== 0x3a || // :
    value.charCodeAt(16) !== 0x3a ||
    (end > 19 && (end === 20 || value.charCodeAt(19) !== 0x2e)) // .
  )
    return Date.parse(value)
  const century = twoDigits(value, 0)
  const yearOfCentury = twoDigits(value, 2)
  const month = twoDigits(value, 5)
  const day = twoDigits(value, 8)
  const hours = twoDigits(value, 11)
  const minutes = twoDigits(value, 14)
  const seconds = twoDigits(value, 17)
  const year = century * 100 + yearOfCentury
  if (
    century < 0 ||
    yearOfCentury < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > (month === 2 && !isLeapYear(year) ? 28 : DAYS_IN_MONTH[month]) ||
    hours < 0 ||
    hours > 23 ||
    minutes < 0 ||
    minutes > 59 ||
    seconds < 0 ||
    seconds > 59
  )
    return Date.parse(value)
  // Milliseconds: the first three fraction digits; further ones are read as digits and dropped.
  let ms = 0
  for (let at = 20, scale = 100; at < end; at++, scale /= 10) {
    const digit = value.charCodeAt(at) - 48
    if (digit < 0 || digit > 9) return Date.parse(value)
    if (scale >= 1) ms += digit * scale
  }
  return (
    daysFromCivil(year, month, day) * DAY_MS +
    hours * 3_600_000 +
    minutes * 60_000 +
    seconds * 1000 +
    ms
  )
}

const isLeapYear = (year: number): boolean =>
  year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`)
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`)
/** Years 1000–9999 in ms: outside them toISOString pads or signs the year. */
const FAST_ISO_FROM = Date.UTC(1000, 0, 1)
const FAST_ISO_BEFORE = Date.UTC(10000, 0, 1)

/**
 * `new Date(time).toISOString()`, by hand (days to civil date, H. Hinnant): it runs five times per
 * user and Date#toISOString was the largest cost of the policy (bench/).
 */
export function iso(time: number | null): string | null {
  if (time === null) return null
  if (!(time >= FAST_ISO_FROM && time < FAST_ISO_BEFORE && Number.isInteger(time)))
    return new Date(time).toISOString()
  const days = Math.floor(time / DAY_MS)
  let ms = time - days * DAY_MS
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  const hours = Math.floor(ms / 3_600_000)
  ms -= hours * 3_600_000
  const minutes = Math.floor(ms / 60_000)
  ms -= minutes * 60_000
  const seconds = Math.floor(ms / 1000)
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(ms - seconds * 1000)}Z`
}
