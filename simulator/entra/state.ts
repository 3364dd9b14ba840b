/** What the simulated Entra endpoints share: the live configuration and one token request. */
import type { TokenStore } from '../tokens.js'
import type { SimAccount, SimApp, SimTenantDirectory } from '../types.js'

/** Verifies a GitHub OIDC token the simulator issued: its claims, or undefined when not ours. */
export type OidcVerifier = (jwt: string) => object | undefined

/** The simulator's live configuration (tests may edit it between requests) and token store. */
export interface EntraState {
  directories: SimTenantDirectory[]
  apps: SimApp[]
  accounts: SimAccount[]
  tokens: TokenStore
  oidcVerifiers: OidcVerifier[]
}

/** One POST to `/<tenant>/oauth2/v2.0/token`, its tenant found. */
export interface TokenRequest {
  /** The urlencoded body. */
  form: Record<string, string>
  /** The `Authorization` header ('' when absent): client_secret_basic sends the secret here. */
  authorization: string
  /** https://127.0.0.1:<port> (or a proxied host name) the request came to. */
  origin: string
  directory: SimTenantDirectory
  /** `client-request-id`, echoed in errors as Entra does. */
  correlationId: string
}
