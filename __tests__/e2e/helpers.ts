/**
 * Small helpers shared by the end-to-end suites: fixture users with dates relative to now, an
 * RFC 4180 reader for the CSV report, and views of what the runner and the simulator saw.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { ActionRun } from '../../__fixtures__/action.js'
import type { Simulator } from '../../simulator/server.js'
import type { GraphUser, RecordedRequest } from '../../simulator/types.js'

const DAY = 86_400_000

/**
 * An ISO date `days` ago. Half days keep whole-day counts away from a boundary: `ago(200.5)` is
 * 200 days inactive for the next twelve hours.
 */
export function ago(days: number): string {
  return new Date(Date.now() - days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

let serial = 0
/** A member, enabled, created long ago; `id` ends with a readable serial. */
export function graphUser(name: string, overrides: Partial<GraphUser> = {}): GraphUser {
  serial++
  return {
    id: `0000${serial.toString(16).padStart(4, '0')}-1111-4222-8333-${name
      .replace(/[^a-f0-9]/gi, '')
      .toLowerCase()
      .padEnd(12, '0')
      .slice(0, 12)}`,
    userPrincipalName: `${name}@contoso.onmicrosoft.com`,
    displayName: name,
    userType: 'Member',
    accountEnabled: true,
    createdDateTime: ago(1000.5),
    ...overrides
  }
}

/** signInActivity with only the last successful (and interactive) sign-in `days` ago. */
export function signedIn(days: number): GraphUser['signInActivity'] {
  const at = ago(days)
  return {
    lastSignInDateTime: at,
    lastNonInteractiveSignInDateTime: null,
    lastSuccessfulSignInDateTime: at
  }
}

/** Parses RFC 4180 text (CRLF rows, quoted cells with "" escapes) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"'
        index++
      } else if (char === '"') quoted = false
      else cell += char
    } else if (char === '"') quoted = true
    else if (char === ',') {
      row.push(cell)
      cell = ''
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      index++
    } else cell += char
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell)
    rows.push(row)
  }
  return rows
}

/** The CSV report as objects keyed by the header row. */
export function csvRecords(run: ActionRun): Record<string, string>[] {
  const [header, ...rows] = parseCsv(run.csv())
  return rows.map((cells) => Object.fromEntries(header.map((name, at) => [name, cells[at]])))
}

/** The JSON report's users by id. */
export function usersById(run: ActionRun): Map<string, Record<string, unknown>> {
  return new Map(run.json().users.map((user) => [user.id as string, user]))
}

/** Workflow-command lines (`::error::…`, `::warning::…`) of one kind. */
export function commandLines(run: ActionRun, command: 'error' | 'warning'): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith(`::${command}`))
}

/** stdout and stderr without the runner's `::add-mask::` lines (the masking mechanism itself). */
export function unmaskedLog(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
}

/** The values the run asked the runner to mask, one per `::add-mask::` line, in order. */
export function maskedValues(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => line.slice('::add-mask::'.length))
}

/** Everything the run showed or wrote, minus `::add-mask::` lines. */
export function visible(run: ActionRun): string {
  return unmaskedLog(run.everything())
}

/** Graph user-list requests (not $batch sub-requests). */
export function userRequests(sim: Simulator): RecordedRequest[] {
  return sim.requests.filter((request) => request.target === 'users' && !request.inBatch)
}

export function tokenRequests(sim: Simulator): RecordedRequest[] {
  return sim.requests.filter((request) => request.target === 'token')
}

/** Files in the run's default report directory (none when it does not exist). */
export function reportDirFiles(run: ActionRun): string[] {
  const dir = join(run.dir, 'entra-signin-report')
  return existsSync(dir) ? readdirSync(dir) : []
}

/** Decodes the numeric and named entities the summary uses, to find escaped names in it. */
export function decodeHtml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCharCode(parseInt(code, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
}

/** The histogram's buckets by the documented edges (docs/report.md), from the JSON's users. */
export function histogram(users: Record<string, unknown>[]): Record<string, number> {
  const buckets: [string, number][] = [
    ['< 30 d', 30],
    ['30–60 d', 60],
    ['60–90 d', 90],
    ['90–180 d', 180],
    ['180–365 d', 365],
    ['1–2 y', 730],
    ['> 2 y', Infinity]
  ]
  const counts: Record<string, number> = Object.fromEntries(
    [...buckets.map(([label]) => label), 'never'].map((label) => [label, 0])
  )
  for (const user of users) {
    if (user.status === 'excluded' || user.status === 'skipped') continue
    const days = user.daysInactive as number | null
    const label =
      user.neverSignedIn || days === null ? 'never' : buckets.find(([, below]) => days < below)![0]
    counts[label]++
  }
  return counts
}

/**
 * A run that ended in `error`: exit code 1, exactly one error line matching `message` (returned),
 * never a partial report (no files, no `.partial` leftovers), no pass and no counts.
 */
export function expectRunError(result: ActionRun, message: RegExp): string {
  expect(result.code).toBe(1)
  expect(result.outputs.result).toBe('error')
  const errors = commandLines(result, 'error')
  expect(errors).toHaveLength(1)
  expect(errors[0]).toMatch(message)
  expect(reportDirFiles(result)).toEqual([])
  expect(result.summary).not.toMatch(/\bpass\b/i)
  expect(result.summary).toContain('error')
  expect(result.outputs['user-count']).toBeUndefined()
  return errors[0]
}
