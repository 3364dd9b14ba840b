/**
 * Validates a JSON report against the documented schema (docs/report.schema.json) and the
 * invariants a schema cannot state (counts agree with the users listed). Every test that reads
 * a report the action produced should call `expectValidReport`.
 */
import { expect } from '@jest/globals'
import { reportErrors } from './report-schema.js'

export { reportErrors, reportSchema, reportValidator } from './report-schema.js'

interface ReportLike {
  users: { status: string; neverSignedIn: boolean }[]
  counts: Record<string, number>
}

/** Asserts the report matches the schema and its counts agree with its users. */
export function expectValidReport(report: unknown): void {
  expect(reportErrors(report)).toEqual([])
  const { users, counts } = report as ReportLike
  const tally: Record<string, number> = { excluded: 0, skipped: 0, stale: 0, warn: 0, active: 0 }
  for (const user of users) tally[user.status]++
  expect({
    users: counts.users,
    excluded: counts.excluded,
    skipped: counts.skipped,
    stale: counts.stale,
    warn: counts.warn,
    active: counts.active,
    checked: counts.checked
  }).toEqual({ users: users.length, ...tally, checked: tally.stale + tally.warn + tally.active })
  expect(counts.newStale).toBeLessThanOrEqual(counts.stale)
  expect(counts.neverSignedIn).toBe(
    users.filter(
      (user) => user.neverSignedIn && user.status !== 'excluded' && user.status !== 'skipped'
    ).length
  )
}
