/**
 * The report's JSON Schema (docs/report.schema.json) as a validator, free of jest so the runner
 * harness (and through it the demo and the benchmark) can check every report it reads. The
 * validator is the one the merge action checks reports with at run time.
 */
import { reportValidator } from '../src/report/schema.js'

export { REPORT_SCHEMA as reportSchema, reportValidator } from '../src/report/schema.js'

/** Schema errors of a report, one readable line each (empty: valid). */
export function reportErrors(report: unknown): string[] {
  const validate = reportValidator()
  if (validate(report)) return []
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`
  )
}
