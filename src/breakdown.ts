import type { Status, UserRecord } from './policy.js'

/**
 * The inactivity histogram's buckets, by whole days inactive (1 y = 365 days). `never` holds the
 * checked users with no sign-in at all, and those whose inactivity is unknown (`daysInactive`
 * null: no activity date and no creation date).
 */
export const BUCKETS = [
  { label: '< 30 d', below: 30 },
  { label: '30–60 d', below: 60 },
  { label: '60–90 d', below: 90 },
  { label: '90–180 d', below: 180 },
  { label: '180–365 d', below: 365 },
  { label: '1–2 y', below: 730 },
  { label: '> 2 y', below: Infinity },
  { label: 'never', below: NaN }
] as const

const NEVER = BUCKETS.length - 1

export const STATUSES: readonly Status[] = ['stale', 'warn', 'active', 'excluded', 'skipped']

/** The histogram bucket of a record: its index in BUCKETS. */
export function bucketOf(record: Pick<UserRecord, 'daysInactive' | 'neverSignedIn'>): number {
  const days = record.daysInactive
  if (record.neverSignedIn || days === null) return NEVER
  let bucket = 0
  while (days >= BUCKETS[bucket].below) bucket++
  return bucket
}

/** At most this many user types get their own row; the rest are counted together. */
export const MAX_USER_TYPES = 8
export const OTHER_TYPES = '(other types)'
export const NO_TYPE = '(no type)'

/** Counts per status, one row of the breakdown. */
export type StatusCounts = Record<Status, number>

const noStatuses = (): StatusCounts => ({ stale: 0, warn: 0, active: 0, excluded: 0, skipped: 0 })

/**
 * What the charts draw, counted as the users stream by: the histogram of the checked users (the
 * ones the policy judged) and every user by type and status. Its size is fixed whatever the
 * tenant: user types past MAX_USER_TYPES share one row.
 */
export class Breakdown {
  /** Checked users per BUCKETS entry. */
  readonly histogram: number[] = BUCKETS.map(() => 0)
  private readonly types = new Map<string, StatusCounts>()

  add(record: UserRecord): void {
    const { status } = record
    if (status !== 'excluded' && status !== 'skipped') this.histogram[bucketOf(record)]++
    this.typeRow(record.userType ?? NO_TYPE)[status]++
  }

  private typeRow(type: string): StatusCounts {
    const known = this.types.get(type)
    if (known) return known
    // A new type once MAX_USER_TYPES are known is counted with the other overflow types.
    const key = this.types.size < MAX_USER_TYPES ? type : OTHER_TYPES
    const row = this.types.get(key) ?? noStatuses()
    this.types.set(key, row)
    return row
  }

  /** Rows by user type, most users first (the overflow row last). */
  byType(): { type: string; counts: StatusCounts; total: number }[] {
    const total = (counts: StatusCounts) =>
      STATUSES.reduce((sum, status) => sum + counts[status], 0)
    return [...this.types]
      .map(([type, counts]) => ({ type, counts, total: total(counts) }))
      .sort(
        (a, b) =>
          Number(a.type === OTHER_TYPES) - Number(b.type === OTHER_TYPES) || b.total - a.total
      )
  }
}
