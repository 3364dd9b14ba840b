/**
 * Validates a JSON report against the documented schema (docs/report.schema.json) and the
 * invariants a schema cannot state (counts agree with the users listed). Every test that reads
 * a report the action produced should call `expectValidReport`.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from '@jest/globals'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'

function findUp(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      return readFileSync(join(dir, name), 'utf8')
    } catch {
      const parent = dirname(dir)
      if (parent === dir)
        throw new Error(`${name} not found above ${fileURLToPath(import.meta.url)}`)
      dir = parent
    }
  }
}

/** The report's JSON Schema, as documented. */
export const reportSchema = JSON.parse(findUp('docs/report.schema.json')) as Record<string, unknown>

let compiled: ValidateFunction | undefined

/** The compiled validator (strict ajv, `date-time` checked as a real instant). */
export function reportValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ strict: true, allErrors: true })
    ajv.addFormat('date-time', {
      type: 'string',
      validate: (text: string) => !Number.isNaN(Date.parse(text))
    })
    compiled = ajv.compile(reportSchema)
  }
  return compiled
}

/** Schema errors of a report, one readable line each (empty: valid). */
export function reportErrors(report: unknown): string[] {
  const validate = reportValidator()
  if (validate(report)) return []
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`
  )
}

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
