/**
 * The key the simulated Entra signs id tokens with, published at `…/discovery/v2.0/keys` like
 * Entra's own keys. One per simulator, made at start.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { b64url } from '../http.js'

export interface SigningKey {
  /** The public key as a JWK, as the keys endpoint lists it. */
  readonly jwk: object
  /** A compact RS256 JWT of `payload`, with this key's `kid` in the header. */
  signJwt(payload: object): string
}

export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const keyId = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url')
    .slice(0, 27)
  return {
    jwk: { ...publicKey.export({ format: 'jwk' }), kid: keyId, kty: 'RSA', use: 'sig' },
    signJwt(payload) {
      const header = { typ: 'JWT', alg: 'RS256', kid: keyId }
      const signed = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
      return `${signed}.${b64url(sign('sha256', Buffer.from(signed), privateKey))}`
    }
  }
}
