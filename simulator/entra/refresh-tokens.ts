/** Refresh tokens the simulated Entra issued with delegated tokens (`offline_access`). */
import { randomUUID } from 'node:crypto'
import { b64url } from '../http.js'

export interface RefreshTokenGrant {
  tenantId: string
  clientId: string
  username: string
}

export class RefreshTokens {
  private readonly grants = new Map<string, RefreshTokenGrant>()

  issue(grant: RefreshTokenGrant): string {
    const refreshToken = 'sim-rt.' + b64url(randomUUID())
    this.grants.set(refreshToken, grant)
    return refreshToken
  }

  /** What `refreshToken` was issued for; undefined when it was never issued. */
  find(refreshToken: string): RefreshTokenGrant | undefined {
    return this.grants.get(refreshToken)
  }
}
