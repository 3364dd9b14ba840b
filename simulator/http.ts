/** Small response builders shared by the Entra and Graph routes, shaped like the real services. */
import { randomUUID } from 'node:crypto'
import type { SimResponse } from './types.js'

/** A Graph error: `{ error: { code, message, innerError: { date, request-id, … } } }`. */
export function graphError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {}
): SimResponse {
  const requestId = randomUUID()
  return {
    status,
    headers: { 'request-id': requestId, 'client-request-id': requestId, ...headers },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId
        }
      }
    }
  }
}

/**
 * An Entra (AAD STS) error. The description carries `AADSTS<code>: <text>` followed by the trace,
 * correlation id and timestamp lines exactly as Entra writes them.
 */
export function entraError(
  status: number,
  error: string,
  code: number,
  text: string,
  extra: Record<string, unknown> = {},
  correlationId: string = randomUUID()
): SimResponse {
  const traceId = randomUUID()
  const timestamp = new Date().toISOString().slice(0, 19).replace('T', ' ') + 'Z'
  return {
    status,
    headers: { 'x-ms-request-id': traceId, 'client-request-id': correlationId },
    body: {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      ...extra
    }
  }
}

/** base64url of a string or buffer. */
export function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

/** Decodes a JWT's header and payload without checking anything; undefined when malformed. */
export function decodeJwt(jwt: string):
  | {
      header: Record<string, unknown>
      payload: Record<string, unknown>
      signed: string
      signature: Buffer
    }
  | undefined {
  const parts = jwt.split('.')
  if (parts.length !== 3) return undefined
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'))
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    if (typeof header !== 'object' || !header || typeof payload !== 'object' || !payload) return
    return {
      header,
      payload,
      signed: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], 'base64url')
    }
  } catch {
    return undefined
  }
}
