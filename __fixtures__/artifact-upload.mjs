// Runs the real @actions/artifact uploadArtifact in a child process.
// Usage: node artifact-upload.mjs <name> <rootDirectory> [retentionDays] -- <file>...
// Prints one line `RESULT:{"id":…,"size":…,"digest":…}` or `RESULT:{"error":…}` (exit 1).
import { DefaultArtifactClient } from '@actions/artifact'

const [name, root, retention, sep, ...files] = process.argv.slice(2)
if (sep !== '--')
  throw new Error('usage: artifact-upload.mjs <name> <root> <retention|""> -- <files>')
try {
  const client = new DefaultArtifactClient()
  const options = retention ? { retentionDays: Number(retention) } : {}
  const result = await client.uploadArtifact(name, files, root, options)
  process.stdout.write(`\nRESULT:${JSON.stringify(result)}\n`)
} catch (error) {
  process.stdout.write(
    `\nRESULT:${JSON.stringify({ error: String(error?.message ?? error), name: error?.name })}\n`
  )
  process.exitCode = 1
}
