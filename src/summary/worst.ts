import { compareWorstFirst, type UserRecord } from '../policy.js'

/**
 * Keeps only the worst `limit` users that need attention (stale, warn), so memory for the
 * summary stays bounded whatever the tenant size (`T`: records with more, e.g. their tenant).
 */
export class WorstUsers<T extends UserRecord = UserRecord> {
  private records: T[] = []
  /** The last user kept by the latest trim of a full list: anyone sorting after it stays out. */
  private cutoff: T | undefined

  constructor(private readonly limit: number) {}

  add(record: T): void {
    if (this.limit === 0 || (record.status !== 'stale' && record.status !== 'warn')) return
    if (this.cutoff && compareWorstFirst(record, this.cutoff) >= 0) return
    this.records.push(record)
    // Trim in batches: sorting at 2×limit keeps the cost at O(log limit) per user.
    if (this.records.length >= this.limit * 2) this.trim()
  }

  list(): T[] {
    this.trim()
    return this.records
  }

  private trim(): void {
    this.records.sort(compareWorstFirst)
    this.records.length = Math.min(this.records.length, this.limit)
    if (this.records.length === this.limit) this.cutoff = this.records[this.limit - 1]
  }
}
