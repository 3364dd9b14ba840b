import { Inputs } from './constants.js'
import { InputError } from './errors.js'
import { jsonSyntaxError } from './json-syntax.js'

/** Most users named per baseline list in the summary; the report has them all. */
export const BASELINE_SAMPLE = 20

/** The run against the baseline, beyond the counts. */
export interface BaselineComparison {
  /** Baseline users stale then and not stale now (UPN as the baseline had it). */
  noLongerStale: (string | null)[]
  /** With a baseline: UPNs of the first BASELINE_SAMPLE users stale now and not then / then too. */
  newStaleSample: (string | null)[]
  stillStaleSample: (string | null)[]
}

/** Users stale in an earlier report: who is stale now but not then is "new". */
export interface Baseline {
  generatedAt: string | null
  /** id (lower case) → UPN, of every user stale in the baseline. */
  stale: Map<string, string | null>
}

/**
 * Parses the text of an earlier report JSON (schemaVersion 1) found at `path`. Errors name the
 * `baseline` input.
 */
export function parseBaseline(text: string, path: string): Baseline {
  let report: { schemaVersion?: unknown; generatedAt?: unknown; users?: unknown }
  try {
    report = JSON.parse(text) as typeof report
  } catch {
    // JSON.parse's message quotes the text around the error: the file may hold anything.
    const where = jsonSyntaxError(text)
    throw new InputError(
      `Input '${Inputs.Baseline}' must be a report JSON from this action; "${path}" is not JSON${where ? ` at line ${where.line}, column ${where.column}: expected ${where.expected}` : ''}.`
    )
  }
  if (report.schemaVersion !== 1 || !Array.isArray(report.users)) {
    throw new InputError(
      `Input '${Inputs.Baseline}' must be a report JSON with schemaVersion 1 and a users list; "${path}" is not.`
    )
  }
  const stale = new Map<string, string | null>()
  for (const user of report.users as {
    id?: unknown
    status?: unknown
    userPrincipalName?: unknown
  }[]) {
    if (user && typeof user.id === 'string' && user.status === 'stale') {
      stale.set(
        user.id.toLowerCase(),
        typeof user.userPrincipalName === 'string' ? user.userPrincipalName : null
      )
    }
  }
  return { generatedAt: typeof report.generatedAt === 'string' ? report.generatedAt : null, stale }
}
