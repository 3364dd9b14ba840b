/**
 * A confidential client's secret, sent in the body (`client_secret_post`) or in a Basic
 * `Authorization` header (`client_secret_basic`).
 */
import { timingSafeEqual } from 'node:crypto'
import type { SimApp, SimResponse } from '../types.js'
import { invalidClientSecret } from './errors.js'
import type { TokenRequest } from './state.js'

/** The secret the request carries; the body wins over the header. Undefined: none sent. */
export function sentClientSecret(request: TokenRequest): string | undefined {
  if (request.form.client_secret !== undefined) return request.form.client_secret
  const basic = /^Basic\s+(\S+)$/i.exec(request.authorization)
  if (!basic) return undefined
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
  return decodeURIComponent(decoded.slice(decoded.indexOf(':') + 1))
}

/** Undefined when `secret` is the app's; otherwise AADSTS7000215. */
export function checkClientSecret(
  secret: string,
  app: SimApp,
  correlationId: string
): SimResponse | undefined {
  if (app.secret === undefined || !sameText(secret, app.secret)) {
    return invalidClientSecret(app.clientId, correlationId)
  }
  return undefined
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
