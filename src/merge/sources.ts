import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, relative } from 'node:path'
import { glob } from 'tinyglobby'
import { REPORT_BASENAME } from '../constants.js'
import { ReportError } from '../errors.js'
import { compileGlob, foldCase } from '../exclusions.js'
import { isGhes } from '../publish/artifact.js'
import type { ReportOrigin } from './settings.js'

/** An artifact of this workflow run, as the artifact service lists it. */
export interface ListedArtifact {
  id: number
  name: string
  /** `sha256:<hex>` of the zip, when the service knows it. */
  digest?: string
}

/** Listing and downloading this run's artifacts; the real one is @actions/artifact. */
export interface ArtifactStore {
  list(): Promise<ListedArtifact[]>
  /** Downloads and unzips one artifact into `dir`; throws when its digest does not match. */
  download(artifact: ListedArtifact, dir: string): Promise<void>
}

export const toolkitStore: ArtifactStore = {
  list: async () => {
    const { DefaultArtifactClient } = await import('@actions/artifact')
    // latest: a re-run job's artifact replaces the one of the same name from an earlier attempt.
    const { artifacts } = await new DefaultArtifactClient().listArtifacts({ latest: true })
    return artifacts.map(({ id, name, digest }) => ({ id, name, digest }))
  },
  download: async (artifact, dir) => {
    const { DefaultArtifactClient } = await import('@actions/artifact')
    const { digestMismatch } = await new DefaultArtifactClient().downloadArtifact(artifact.id, {
      path: dir,
      expectedHash: artifact.digest
    })
    if (digestMismatch) {
      throw new ReportError(
        `artifact "${artifact.name}" does not match its digest ${artifact.digest}: the download is corrupt. Re-run the merge job.`
      )
    }
  }
}

/** One report to merge, read only when its turn comes (one report in memory at a time). */
export interface ReportSource {
  /** How messages name it: `artifact "entra-signin-report-contoso"`, `file reports/a.json`. */
  label: string
  /** The artifact name or the file path: what `expect` may name besides the tenant ID. */
  name: string
  kind: 'artifact' | 'file'
  read(): Promise<string>
}

const SHOWN_NAMES = 10

/**
 * The reports to merge, in name order. Fails when the origin holds none: merging nothing must
 * never pass.
 */
export async function findReports(
  origin: ReportOrigin,
  store: ArtifactStore,
  env: Record<string, string | undefined>
): Promise<ReportSource[]> {
  return origin.kind === 'files'
    ? findFiles(origin.patterns, origin.workspace)
    : findArtifacts(origin.pattern, store, env)
}

async function findArtifacts(
  pattern: string,
  store: ArtifactStore,
  env: Record<string, string | undefined>
): Promise<ReportSource[]> {
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
    throw new Error(
      `No artifact service (ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL not set: not a GitHub Actions runner). Outside a runner, give the report files in 'reports'.`
    )
  }
  if (isGhes(env.GITHUB_SERVER_URL)) {
    throw new Error(
      `Listing artifacts is not supported on GitHub Enterprise Server by this action (@actions/artifact v2+): download them with actions/download-artifact@v3 and give the files in 'reports'.`
    )
  }
  // The exclusions' glob: `*` and `?`, case-insensitive, linear time.
  const matches = compileGlob(pattern)
  const listed = await store.list()
  const matching = listed
    .filter((artifact) => matches(foldCase(artifact.name)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  if (matching.length === 0) {
    const names = listed.slice(0, SHOWN_NAMES).map((artifact) => artifact.name)
    const more = listed.length > names.length ? `, … (${listed.length - names.length} more)` : ''
    throw new Error(
      `No artifact of this workflow run matches pattern "${pattern}" (${listed.length === 0 ? 'the run has no artifacts' : `artifacts: ${names.join(', ')}${more}`}). The tenant jobs upload with artifact-name; run the merge job after them (needs:).`
    )
  }
  return matching.map((artifact) => ({
    label: `artifact "${artifact.name}"`,
    name: artifact.name,
    kind: 'artifact',
    read: () => readArtifact(artifact, store, env)
  }))
}

/** Downloads one artifact into a directory of its own, reads its JSON report, removes the rest. */
async function readArtifact(
  artifact: ListedArtifact,
  store: ArtifactStore,
  env: Record<string, string | undefined>
): Promise<string> {
  const dir = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'entra-signin-merge-'))
  try {
    await store.download(artifact, dir)
    try {
      return await readFile(join(dir, `${REPORT_BASENAME}.json`), 'utf8')
    } catch {
      throw new ReportError(
        `artifact "${artifact.name}" holds no ${REPORT_BASENAME}.json: the tenant's job needs json in report-formats.`
      )
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Every path or glob must match at least one file: a tenant's report is never skipped quietly. */
async function findFiles(patterns: string[], workspace: string): Promise<ReportSource[]> {
  const paths = new Set<string>()
  for (const pattern of patterns) {
    const found = await glob(pattern, {
      cwd: workspace,
      absolute: true,
      onlyFiles: true,
      dot: true
    })
    if (found.length === 0) {
      throw new Error(`Input 'reports': "${pattern}" matches no file (relative to ${workspace}).`)
    }
    for (const path of found) paths.add(path)
  }
  return [...paths].sort().map((path) => {
    const shown = relative(workspace, path)
    const name = shown.startsWith('..') || isAbsolute(shown) ? path : shown
    return { label: `file ${name}`, name, kind: 'file', read: () => readFile(path, 'utf8') }
  })
}
