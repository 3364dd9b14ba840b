import type { Readable } from 'node:stream'
import { RETRY } from '../constants.js'
import type { Fetch } from '../http.js'
import { leadingNextLink } from './next-link.js'

/**
 * The HTTP path to Graph as small layers, each a function of the request and the next layer, as
 * Azure core-rest-pipeline's policies or octokit's request hooks are. Outermost first:
 * origin guard → bearer token (one refresh on 401) → retry → pacing → batching → counting →
 * decode → the transport (fetch with timeouts, the whole body read). The body is read and checked inside the
 * retried unit, so a body cut off after the headers or a 200 that is not the JSON a page must be
 * is sent again like a 503 is.
 */
export interface HttpRequest {
  method: 'GET' | 'POST'
  /** Absolute URL. */
  url: string
  headers: Record<string, string>
  body?: string
  /** For messages and logs: "users page 3". */
  what: string
  /** Called once, as soon as a leading `@odata.nextLink` of a 2xx body has arrived. */
  onNextLink?: (link: string) => void
  /** `json` (default): a 2xx body must parse, and pass `expect` when given. */
  parse?: 'json' | 'text'
  /** A 2xx body's fault, when it is not what the request must get (e.g. a page without `value`). */
  expect?: (json: unknown) => string | undefined
  /** A GET that may go in a JSON `$batch` with others (see batching.ts). */
  batch?: boolean
}

export interface HttpResponse {
  status: number
  statusText: string
  headers: {
    get(name: string): string | null
    forEach(callback: (value: string, name: string) => void): void
  }
  text: string
  /** The parsed body of a 2xx JSON answer. */
  json?: unknown
}

export type Send = (request: HttpRequest) => Promise<HttpResponse>
export type Policy = (request: HttpRequest, next: Send) => Promise<HttpResponse>

/** The layers around `transport`, outermost first. */
export function pipeline(transport: Send, ...policies: Policy[]): Send {
  return policies.reduceRight<Send>((next, policy) => (request) => policy(request, next), transport)
}

/**
 * A failure worth sending the request again for: no connection, no answer in time, a body cut
 * off, or a 2xx body that is not what it must be. The message names the URL's path, never a
 * token or the query.
 */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly kind: 'network' | 'timeout' | 'body'
  ) {
    super(message)
    this.name = 'TransientError'
  }
}

const pathOf = (url: string) => new URL(url).pathname

/**
 * fetch, with the whole body read before the answer is handed on. `silenceMs`: no byte (headers
 * or body) for this long aborts the request, a timeout (the connect timeout is the agent's, see
 * http.ts). With `onNextLink`, a leading nextLink is handed over as soon as its chunk arrives,
 * so the next page's request overlaps reading this one.
 */
export function fetchTransport(fetch: Fetch, silenceMs: number): Send {
  return async (request) => {
    const controller = new AbortController()
    let timedOut = false
    let timer: NodeJS.Timeout | undefined
    const quiet = () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        timedOut = true
        controller.abort()
      }, silenceMs)
    }
    const path = `${request.method} ${pathOf(request.url)}`
    const failed = (error: unknown): TransientError => {
      if (timedOut)
        return new TransientError(`${path}: no answer for ${silenceMs / 1000} s`, 'timeout')
      // node-fetch: "request to <url> failed, reason: <reason>"; the URL (its query) stays out.
      const message = (error as Error).message ?? String(error)
      const reason =
        /reason: (.*)$/s.exec(message)?.[1] ?? message.replace(/( to)? https?:\/\/\S+/g, '')
      return new TransientError(`${path}: ${reason.split(/\r?\n/)[0]}`, 'network')
    }
    quiet()
    try {
      let response
      try {
        response = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: controller.signal
        })
      } catch (error) {
        throw failed(error)
      }
      const ok = isSuccess(response.status)
      const stream = response.body as Readable | null
      const chunks: Buffer[] = []
      let bytes = 0
      let scanning = ok && request.onNextLink !== undefined
      try {
        for await (const chunk of (stream ?? []) as AsyncIterable<Buffer>) {
          quiet()
          chunks.push(chunk)
          bytes += chunk.length
          if (scanning) {
            const head = Buffer.concat(chunks, bytes).toString('utf8')
            const link = leadingNextLink(head)
            if (link !== undefined) {
              scanning = false
              if (link !== null) request.onNextLink!(link)
            }
          }
        }
      } catch (error) {
        throw failed(error)
      }
      if (stream !== null && !stream.readableEnded) {
        throw new TransientError(`${path}: the answer broke off after ${bytes} bytes`, 'body')
      }
      const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes)).toString('utf8')
      return {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        // TextDecoder (text()) drops a leading BOM; JSON.parse would reject it.
        text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
      }
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Parses and checks a 2xx JSON body; a body that is not what it must be is transient. */
export const decode: Policy = async (request, next) => {
  const response = await next(request)
  if (!isSuccess(response.status) || request.parse === 'text') return response
  let json: unknown
  try {
    json = JSON.parse(response.text)
  } catch {
    throw new TransientError(
      `Graph answered ${request.what} with a body that is not JSON (HTTP ${response.status}, ${pathOf(request.url)})`,
      'body'
    )
  }
  return { ...response, json: expected(request, json) }
}

/** `json`, when it is what `request` must get (HttpRequest.expect); else a transient failure. */
export function expected(request: HttpRequest, json: unknown): unknown {
  const fault = request.expect?.(json)
  if (fault !== undefined)
    throw new TransientError(`Graph answered ${request.what} ${fault}`, 'body')
  return json
}

/** Counts every request sent (retries included). */
export function counting(counter: { requests: number }): Policy {
  return (request, next) => {
    counter.requests++
    return next(request)
  }
}

/**
 * Retry-After as milliseconds: whole or fractional seconds, or an HTTP date. Undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  // An HTTP date has a weekday or month name; Date.parse would also take "-1" or "1.5.2".
  const date = /[a-z]/i.test(text) ? Date.parse(text) : NaN
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now.getTime())
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300
}

export function isRetryableStatus(status: number): boolean {
  return (RETRY.statuses as readonly number[]).includes(status)
}
