import type { ReportPaths } from '../report/files.js'

/** The artifact upload as the action needs it; the real one is @actions/artifact. */
export interface ArtifactUploader {
  upload(
    name: string,
    files: string[],
    rootDirectory: string,
    retentionDays?: number
  ): Promise<{ id?: number }>
}

export const toolkitUploader: ArtifactUploader = {
  upload: async (name, files, rootDirectory, retentionDays) => {
    // Loaded only to upload: the artifact client is most of the action's start-up CPU (bench/).
    const { DefaultArtifactClient } = await import('@actions/artifact')
    return new DefaultArtifactClient().uploadArtifact(
      name,
      files,
      rootDirectory,
      retentionDays ? { retentionDays } : {}
    )
  }
}

export type UploadOutcome =
  | { status: 'uploaded'; id: number; url: string }
  /** `warn`: the user asked for an upload that cannot happen here (a warning, not a note). */
  | { status: 'skipped'; reason: string; warn?: boolean }
  | { status: 'failed'; message: string }

/**
 * GitHub Enterprise Server, as @actions/artifact decides it: a server URL that is not github.com,
 * *.ghe.com or *.localhost. Its artifact client only works against GitHub.com's service.
 */
export function isGhes(serverUrl: string | undefined): boolean {
  let host: string
  try {
    host = new URL(serverUrl || 'https://github.com').hostname.toLowerCase()
  } catch {
    return false
  }
  return host !== 'github.com' && !host.endsWith('.ghe.com') && !host.endsWith('.localhost')
}

const ghesSkip = (dir: string): UploadOutcome => ({
  status: 'skipped',
  warn: true,
  reason: `artifact upload is not supported on GitHub Enterprise Server by this action (@actions/artifact v2+); the report stays in ${dir} — upload it with actions/upload-artifact@v3 (GHES) or set artifact-name to '' to silence this warning`
})

/**
 * Uploads the finished report files as one artifact. Skipped (with the reason) where no artifact
 * service exists: on GitHub Enterprise Server, or outside a runner.
 */
export async function uploadReport(
  uploader: ArtifactUploader,
  name: string,
  paths: ReportPaths,
  retentionDays: number | undefined,
  env: Record<string, string | undefined>
): Promise<UploadOutcome> {
  if (name === '')
    return { status: 'skipped', reason: 'artifact-name is empty: the report was not uploaded' }
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
    return {
      status: 'skipped',
      reason: `no artifact service (ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL not set: not a GitHub Actions runner); the report stays in ${paths.dir}`
    }
  }
  if (isGhes(env.GITHUB_SERVER_URL)) return ghesSkip(paths.dir)
  const files = [paths.json, paths.csv, paths.html].filter(
    (path): path is string => path !== undefined
  )
  try {
    const { id } = await uploader.upload(name, files, paths.dir, retentionDays)
    if (id === undefined) throw new Error('the artifact service returned no artifact ID')
    const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
    return {
      status: 'uploaded',
      id,
      url: `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}`
    }
  } catch (error) {
    // By name: the class lives in the lazily loaded @actions/artifact.
    if (error instanceof Error && error.name === 'GHESNotSupportedError') return ghesSkip(paths.dir)
    return {
      status: 'failed',
      message: `Uploading the report artifact "${name}" failed: ${(error as Error).message.split('\n')[0]}. The complete report is still on the runner in ${paths.dir}: re-run the job, or upload that directory with actions/upload-artifact in a later step.`
    }
  }
}
