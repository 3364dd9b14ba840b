import { DefaultArtifactClient, GHESNotSupportedError } from '@actions/artifact'
import type { ReportPaths } from './files.js'

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
  upload: (name, files, rootDirectory, retentionDays) =>
    new DefaultArtifactClient().uploadArtifact(
      name,
      files,
      rootDirectory,
      retentionDays ? { retentionDays } : {}
    )
}

export type UploadOutcome =
  | { status: 'uploaded'; id: number; url: string }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; message: string }

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
  const files = [paths.json, paths.csv].filter((path): path is string => path !== undefined)
  try {
    const { id } = await uploader.upload(name, files, paths.dir, retentionDays)
    if (id === undefined) throw new Error('the artifact service returned no artifact ID')
    const server = env.GITHUB_SERVER_URL || 'https://github.com'
    return {
      status: 'uploaded',
      id,
      url: `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}`
    }
  } catch (error) {
    if (error instanceof GHESNotSupportedError) {
      return {
        status: 'skipped',
        reason: `artifact upload is not supported on GitHub Enterprise Server by this client; the report stays in ${paths.dir}`
      }
    }
    return {
      status: 'failed',
      message: `Uploading the report artifact "${name}" failed: ${(error as Error).message.split('\n')[0]}. The complete report is still on the runner in ${paths.dir}.`
    }
  }
}
