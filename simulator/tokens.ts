/**
 * Access tokens the simulated Entra issues: random opaque strings remembered here with what they
 * grant, so Graph can check them. Opaque (not JWTs) on purpose: the action must treat access
 * tokens as opaque too, as Microsoft asks clients to.
 */
import { randomBytes } from 'node:crypto'

export interface IssuedToken {
  tenantId: string
  clientId: string
  /** Application permissions (client credential flows). */
  roles: string[]
  /** Delegated permissions (password flow). */
  scopes: string[]
  /** The scope string the client asked for. */
  requestedScope: string
  /** Signed-in user for delegated tokens. */
  username?: string
  issuedAt: number
  expiresAt: number
  serial: number
}

export type TokenCheck =
  | { ok: true; token: IssuedToken }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' }

export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>()
  private serial = 0
  /** Tokens with a serial at or below this were revoked. */
  private revokedUpTo = 0

  constructor(public lifetimeSeconds = 3599) {}

  issue(t: Omit<IssuedToken, 'issuedAt' | 'expiresAt' | 'serial'>): {
    accessToken: string
    expiresIn: number
  } {
    const accessToken = 'sim.' + randomBytes(32).toString('base64url')
    const issuedAt = Date.now()
    this.tokens.set(accessToken, {
      ...t,
      issuedAt,
      expiresAt: issuedAt + this.lifetimeSeconds * 1000,
      serial: ++this.serial
    })
    return { accessToken, expiresIn: this.lifetimeSeconds }
  }

  /** Every token issued so far becomes invalid; later ones work. */
  revokeAll(): void {
    this.revokedUpTo = this.serial
  }

  /** Checks an Authorization header value. */
  check(authorization: string | undefined): TokenCheck {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
    if (!m) return { ok: false, reason: 'missing' }
    const token = this.tokens.get(m[1])
    if (!token) return { ok: false, reason: 'unknown' }
    if (token.serial <= this.revokedUpTo) return { ok: false, reason: 'revoked' }
    if (Date.now() >= token.expiresAt) return { ok: false, reason: 'expired' }
    return { ok: true, token }
  }

  /** Whether the token grants any of `permissions` (as a role or a delegated scope). */
  static grants(token: IssuedToken, ...permissions: string[]): boolean {
    const lower = permissions.map((p) => p.toLowerCase())
    return [...token.roles, ...token.scopes].some((p) => lower.includes(p.toLowerCase()))
  }

  issuedCount(): number {
    return this.serial
  }
}
