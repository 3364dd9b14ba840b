import type { ActionIO } from '../io.js'
import { AuthFailure, type OidcClaims } from './errors.js'

/**
 * The runner's GitHub OIDC ID token for `audience`, used as the client assertion (secretless).
 * Masked at once; its non-secret claims are kept to explain a federated-credential mismatch.
 */
export async function githubAssertion(
  io: ActionIO,
  audience: string
): Promise<{ token: string; claims: OidcClaims }> {
  if (!io.env.ACTIONS_ID_TOKEN_REQUEST_URL || !io.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new AuthFailure(
      "GitHub OIDC is not available to this job (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN are not set): add 'permissions: id-token: write' to the workflow or job."
    )
  }
  let token: string
  try {
    token = await io.getIDToken(audience)
  } catch (error) {
    throw new AuthFailure(
      `Could not get the GitHub OIDC token for audience ${audience}: ${(error as Error).message.split('\n')[0]}. Check the job has 'permissions: id-token: write'.`
    )
  }
  io.setSecret(token)
  return { token, claims: decodeClaims(token) }
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
