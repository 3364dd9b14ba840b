/**
 * The report's JSON Schema (docs/report.schema.json) as a validator, free of jest so the runner
 * harness (and through it the demo and the benchmark) can check every report it reads.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
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
