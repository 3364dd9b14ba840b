import {
  decideResult,
  emptyCounts,
  SCALAR_COUNTS,
  USER_GROUPS,
  type Counts,
  type Result
} from '../policy.js'
import type { TenantEntry } from './files.js'
import type { MergeSettings } from './settings.js'

/** A tenant that could not be merged: a missing, corrupt or incomplete report. */
export interface Problem {
  /** The artifact name, file path or expected tenant it is about. */
  name: string
  message: string
}

/** One row of the tenants table: a merged report or a problem. */
export type TenantRow =
  | { kind: 'report'; name: string; tenant: TenantEntry }
  | { kind: 'problem'; name: string; problem: Problem }

/** Every count summed over the tenants (the counts the action knows). */
export function sumCounts(all: Counts[]): Counts {
  const sum = emptyCounts()
  for (const counts of all) {
    for (const key of SCALAR_COUNTS) sum[key] += counts[key]
    // Reports written before the groups and licences were counted have neither.
    for (const group of USER_GROUPS) {
      const tally = counts.groups?.[group]
      if (!tally) continue
      sum.groups[group].checked += tally.checked
      sum.groups[group].stale += tally.stale
      sum.groups[group].warn += tally.warn
    }
    for (const [sku, users] of Object.entries(counts.staleLicenses ?? {}))
      sum.staleLicenses[sku] = (sum.staleLicenses[sku] ?? 0) + users
  }
  return sum
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/**
 * The entries of `expect` that no merged report answers: an entry names a tenant by its
 * tenant-id (as the tenant's job gave it, case-insensitive) or by the artifact name or file path
 * its report came from.
 */
export function missingTenants(expect: string[], tenants: TenantEntry[]): string[] {
  return expect.filter(
    (wanted) =>
      !tenants.some(
        (tenant) =>
          same(tenant.tenantId, wanted) ||
          same(tenant.artifact ?? '', wanted) ||
          same(tenant.file ?? '', wanted)
      )
  )
}

/**
 * `error` when any tenant could not be merged or an expected one has no report; otherwise the
 * action's own rule over the sums (on-stale, max-stale across all tenants).
 */
export function mergedResult(
  counts: Counts,
  problems: Problem[],
  policy: MergeSettings['policy']
): Result {
  return problems.length > 0 ? 'error' : decideResult(counts, policy)
}

const RANK: Record<Result, number> = { error: 0, fail: 1, warn: 2, pass: 3 }

/** Worst first: problems, then fail, warn, pass; then most stale, most warn; then by name. */
export function compareTenantRows(a: TenantRow, b: TenantRow): number {
  const rank = (row: TenantRow) => (row.kind === 'problem' ? RANK.error : RANK[row.tenant.result])
  if (rank(a) !== rank(b)) return rank(a) - rank(b)
  if (a.kind === 'report' && b.kind === 'report') {
    const x = a.tenant.counts
    const y = b.tenant.counts
    if (x.stale !== y.stale) return y.stale - x.stale
    if (x.warn !== y.warn) return y.warn - x.warn
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}
