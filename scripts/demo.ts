/**
 * `npm run demo`: starts the tenant simulator with about 2,000 users (and an artifact service),
 * runs the bundled action the way a runner does, and prints its log, job summary and outputs
 * readably in the terminal, and where to open the HTML report.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, runAction, runnerLog, simInputs } from '../__fixtures__/action.js'
import { createArtifactService } from '../simulator/artifact.js'
import { startSimulator } from '../simulator/server.js'
import { generateTenant } from '../simulator/tenant.js'

const USERS = 2000

/** Summary HTML as plain text: tags dropped, the numeric entities it uses decoded. */
const decode = (text: string) =>
  text
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&')

/** One summary table as aligned columns; a cell wider than its column's limit is cut with …. */
function tableAsText(table: string): string[] {
  const rows = [...table.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((cell) => decode(cell[1]))
  )
  const clip = (text: string, width: number) =>
    text.length > width ? `${text.slice(0, width - 1)}…` : text
  const columns = Math.max(0, ...rows.map((row) => row.length))
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.min(42, Math.max(0, ...rows.map((row) => (row[column] ?? '').length)))
  )
  return rows.map((row) =>
    row
      .map((cell, column) => clip(cell, widths[column]).padEnd(widths[column]))
      .join('  ')
      .trimEnd()
  )
}

/** The job summary's HTML as terminal text: headings, paragraphs and aligned tables. */
export function summaryAsText(html: string): string {
  const lines: string[] = []
  for (const part of html.split(/(<table>[\s\S]*?<\/table>)/)) {
    if (part.startsWith('<table>')) lines.push('', ...tableAsText(part), '')
    else
      for (const line of part.split('\n'))
        if (line.trim() !== '')
          lines.push(line.startsWith('<h2>') ? `== ${decode(line)} ==` : decode(line))
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  const artifacts = createArtifactService()
  const sim = await startSimulator({
    tenant: generateTenant({ count: USERS, seed: 42 }),
    routes: [artifacts.route]
  })
  try {
    console.log(
      `Tenant simulator at ${sim.origin}: ${USERS} users in tenant ${sim.tenantId} (${sim.domain}).`
    )
    console.log(
      'Running dist/index.js as a runner would (INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY)…\n'
    )
    const run = await runAction({
      inputs: { ...simInputs(sim), 'warn-days': '60', 'report-dir': join(ROOT, 'demo-report') },
      env: {
        ...artifacts.env(sim.origin),
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'octo-org/identity-audits',
        GITHUB_RUN_ID: '1'
      },
      caPath: sim.caPath
    })
    console.log('--- action log ---')
    console.log(runnerLog(run.stdout).join('\n'))
    console.log('\n--- job summary ---')
    console.log(summaryAsText(run.summary))
    console.log('\n--- outputs ---')
    for (const [name, value] of Object.entries(run.outputs))
      console.log(`${name.padEnd(22)} ${value}`)
    console.log(
      `\nThe report files are in ${run.outputs['report-dir']}; the uploaded artifact holds the same files.`
    )
    const html = join(run.outputs['report-dir'], 'entra-signin-report.html')
    if (!existsSync(html)) throw new Error(`the demo run wrote no HTML report (${html})`)
    console.log(`Open the HTML report in a browser: ${pathToFileURL(html).href}`)
    console.log(
      `Exit code ${run.code} (${run.outputs.result}: fail and error exit 1, like a failing workflow step).`
    )
  } finally {
    await sim.close()
  }
}

await main()
