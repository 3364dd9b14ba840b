import { WorstUsers } from '../summary/worst.js'
import type { MergedFiles, MergedRecord, TenantEntry } from './files.js'
import type { ReportSource } from './sources.js'
import type { Problem } from './verdict.js'
import { readReport } from './validate.js'

export interface MergeOutcome {
  tenants: TenantEntry[]
  /** Reports that could not be merged, each named; any of them makes the result `error`. */
  problems: Problem[]
  /** The worst `summary-rows` users across tenants, worst first. */
  worst: MergedRecord[]
}

const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]

/**
 * Reads the reports one at a time (download, parse, validate), appends each one's users to the
 * merged files and lets it go: memory holds one report, the tenants' counts and the worst users.
 * A report that cannot be read or checked is a problem naming it; the others are still read so
 * every problem is reported at once.
 */
export async function mergeReports(
  sources: ReportSource[],
  files: MergedFiles,
  summaryRows: number,
  log: (message: string) => void
): Promise<MergeOutcome> {
  const tenants: TenantEntry[] = []
  const problems: Problem[] = []
  const worst = new WorstUsers<MergedRecord>(summaryRows)
  const seen = new Map<string, ReportSource>()
  for (const source of sources) {
    let report
    try {
      report = readReport(await source.read(), source.label)
    } catch (error) {
      problems.push({ name: source.name, message: `Cannot merge ${firstLine(error)}` })
      continue
    }
    const key = report.tenantId.toLowerCase()
    const earlier = seen.get(key)
    if (earlier) {
      problems.push({
        name: source.name,
        message: `Tenant ${report.tenantId} has two reports, ${earlier.label} and ${source.label}: each user must be counted once. Give each tenant one job and one artifact.`
      })
      continue
    }
    seen.set(key, source)
    // Tagged in place: the parsed report is this loop's own and dropped after it.
    const users = report.users.map((user) => Object.assign(user, { tenantId: report.tenantId }))
    await files.append(users)
    for (const user of users) worst.add(user)
    const { tenantId, generatedAt, cloud, graphVersion, counts, result, policy } = report
    tenants.push({
      tenantId,
      ...(source.kind === 'artifact' ? { artifact: source.name } : { file: source.name }),
      generatedAt,
      cloud,
      graphVersion,
      source: report.source,
      result,
      counts,
      policy
    })
    log(`Merged ${source.label}: tenant ${tenantId}, ${counts.users} users, ${result}.`)
  }
  return { tenants, problems, worst: worst.list() }
}
