// Runs the real @actions/core getIDToken in a child process (so NODE_EXTRA_CA_CERTS, read only at
// process start, can trust the simulator's CA). Usage: node oidc-get-token.mjs [audience]
// Prints one line `RESULT:{"token":…}` or `RESULT:{"error":…}` (exit 1).
import * as core from '@actions/core'

const audience = process.argv[2]
try {
  const token = await core.getIDToken(audience || undefined)
  process.stdout.write(`\nRESULT:${JSON.stringify({ token })}\n`)
} catch (error) {
  process.stdout.write(`\nRESULT:${JSON.stringify({ error: String(error?.message ?? error) })}\n`)
  process.exitCode = 1
}
