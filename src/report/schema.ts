import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import schema from '../../docs/report.schema.json' with { type: 'json' }

/** The report's JSON Schema, docs/report.schema.json, bundled with the code of the same release. */
export const REPORT_SCHEMA: Record<string, unknown> = schema

let compiled: ValidateFunction | undefined

/**
 * The schema compiled once, strictly, `date-time` checked as a real instant: the merge action
 * checks every report with it at run time, and the tests check every report the action writes,
 * so both agree on what a valid report is.
 */
export function reportValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ strict: true, allErrors: true })
    ajv.addFormat('date-time', {
      type: 'string',
      validate: (text: string) => !Number.isNaN(Date.parse(text))
    })
    compiled = ajv.compile(REPORT_SCHEMA)
  }
  return compiled
}
