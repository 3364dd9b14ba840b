// Runs the real @actions/artifact listArtifacts and downloadArtifact in a child process.
// Usage: node artifact-download.mjs <directory>
// Downloads every artifact of the run into <directory>/<name>/ and prints one line
// `RESULT:{"artifacts":[…],"downloads":[{"name":…,"digestMismatch":…}]}` or
// `RESULT:{"error":…}` (exit 1).
import { join } from 'node:path'
import { DefaultArtifactClient } from '@actions/artifact'

const [directory] = process.argv.slice(2)
try {
  const client = new DefaultArtifactClient()
  const { artifacts } = await client.listArtifacts({ latest: true })
  const downloads = []
  for (const artifact of artifacts) {
    const { digestMismatch } = await client.downloadArtifact(artifact.id, {
      path: join(directory, artifact.name),
      expectedHash: artifact.digest
    })
    downloads.push({ name: artifact.name, digestMismatch })
  }
  process.stdout.write(`\nRESULT:${JSON.stringify({ artifacts, downloads })}\n`)
} catch (error) {
  process.stdout.write(
    `\nRESULT:${JSON.stringify({ error: String(error?.message ?? error), name: error?.name })}\n`
  )
  process.exitCode = 1
}
