import type { ActionIO } from '../io.js'
import { AuthFailure } from '../errors.js'
import type { OidcClaims } from './errors.js'

/**
 * The runner's GitHub OIDC ID token for `audience`, used as the client assertion (secretless).
 * Masked at once; its non-secret claims are kept to explain a federated-credential mismatch.
 */
export async function githubAssertion(
  io: ActionIO,
  audience: string
): Promise<{ token: string; claims: OidcClaims }> {
  requireGithubOidc(io)
  let token: string
  try {
    token = await io.getIDToken(audience)
  } catch (error) {
    throw new AuthFailure(
      `Could not get the GitHub OIDC token for audience ${audience}: ${oneLine(error)}. Check the job has 'permissions: id-token: write'.`
    )
  }
  io.setSecret(token)
  return { token, claims: decodeClaims(token) }
}

/** The toolkit's multi-line error ("Failed to get ID Token. / Error Code : 401 / …") as one line. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message
    .replace(/\s+/g, ' ')
    .replace(/\s*\.\s*$/, '')
    .trim()
}

/** Fails, before any request, when the runner exposes no OIDC token to this job. */
export function requireGithubOidc(io: ActionIO): void {
  const missing = ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'].filter(
    (name) => !io.env[name]
  )
  if (missing.length > 0) {
    throw new AuthFailure(
      `GitHub OIDC is not available to this job (${missing.join(' and ')} not set): add 'permissions: id-token: write' to the workflow or job.`
    )
  }
}

function decodeClaims(jwt: string): OidcClaims {
  try {
    const payload = JSON.parse(
      Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')
    ) as OidcClaims
    return { iss: payload.iss, sub: payload.sub, aud: payload.aud }
  } catch {
    return {}
  }
}
