import type { Readable } from 'node:stream'
import { FetchError, type Response } from 'node-fetch'
import type { TokenSource } from '../auth/token-source.js'
import type { Fetch } from '../http.js'
import type { Settings } from '../settings/settings.js'
import { GraphFailure } from '../errors.js'
import { explainGraphError, type GraphCall, type GraphErrorOptions } from './errors.js'
import { leadingNextLink } from './next-link.js'
import { withRetry, type RetryContext } from './retry.js'

/** Authenticated JSON calls to Graph with retry, Retry-After and one token refresh on 401. */
export interface GraphClient {
  /**
   * `pathOrUrl`: a path under `<graph-endpoint>/<graph-version>/`, or an absolute nextLink.
   * `onNextLink` is called as soon as a `@odata.nextLink` that precedes `value` in a successful
   * body has arrived, before the rest of the body is read (see leadingNextLink).
   */
  get<T>(pathOrUrl: string, call: GraphCall, onNextLink?: (link: string) => void): Promise<T>
  post<T>(path: string, body: unknown, call: GraphCall): Promise<T>
  /** Requests sent to Graph so far (retries included). */
  readonly requests: number
}

/** Where Graph is, and what error explanations need. */
export type GraphClientOptions = Pick<Settings, 'graphEndpoint' | 'graphVersion'> &
  GraphErrorOptions

export function createGraphClient(
  options: GraphClientOptions,
  tokens: TokenSource,
  fetch: Fetch,
  retry: RetryContext
): GraphClient {
  const base = `${options.graphEndpoint}/${options.graphVersion}/`
  const origin = new URL(options.graphEndpoint).origin
  let requests = 0

  const resolveUrl = (pathOrUrl: string): string => {
    const url = new URL(pathOrUrl, base)
    // Never send the token anywhere but the Graph endpoint the user configured.
    if (url.origin !== origin) {
      throw new GraphFailure(
        `Graph returned a link to ${url.origin}, outside ${options.graphEndpoint}; refusing to follow it.`
      )
    }
    return url.href
  }

  const call = async <T>(
    method: 'GET' | 'POST',
    pathOrUrl: string,
    body: unknown,
    graphCall: GraphCall,
    onNextLink?: (link: string) => void
  ): Promise<T> => {
    const { what } = graphCall
    const url = resolveUrl(pathOrUrl)
    let refreshed = false
    for (;;) {
      const token = await tokens.token(false)
      const response = await withRetry(
        what,
        () => {
          requests++
          return fetch(url, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              ...(body === undefined ? {} : { 'content-type': 'application/json' })
            },
            body: body === undefined ? undefined : JSON.stringify(body)
          })
        },
        retry
      ).catch((error: unknown) => {
        if (error instanceof Error && error.name !== 'FetchError') throw error
        throw new GraphFailure(
          `Could not reach Graph at ${options.graphEndpoint} for ${what} after every retry: ${(error as Error).message}`
        )
      })
      const ok = response.status >= 200 && response.status < 300
      const text = await readBody(response, ok ? onNextLink : undefined)
      if (response.status === 401 && !refreshed) {
        // The token was revoked or expired mid-run: fetch a fresh one (bypassing msal's cache) once.
        refreshed = true
        retry.log(`${what}: Graph answered 401; fetching a fresh token and repeating the request`)
        await tokens.token(true)
        continue
      }
      if (response.status < 200 || response.status >= 300)
        throw explainGraphError(response.status, text, graphCall, options)
      try {
        return JSON.parse(text) as T
      } catch {
        throw new GraphFailure(
          `Graph answered ${what} with a body that is not JSON (HTTP ${response.status}).`
        )
      }
    }
  }

  return {
    get: (pathOrUrl, graphCall, onNextLink) =>
      call('GET', pathOrUrl, undefined, graphCall, onNextLink),
    post: (path, body, graphCall) => call('POST', path, body, graphCall),
    get requests() {
      return requests
    }
  }
}

/**
 * The body as text, read chunk by chunk: with `onNextLink`, a leading nextLink is handed over as
 * soon as its chunk arrives, so the next page's request overlaps reading and parsing this one.
 * Decoded once with Buffer#toString (node-fetch's text() goes through TextDecoder, slower);
 * errors and the BOM are handled as text() handles them.
 */
async function readBody(response: Response, onNextLink?: (link: string) => void): Promise<string> {
  const stream = response.body as Readable | null
  if (stream === null) return ''
  const chunks: Buffer[] = []
  let bytes = 0
  let scanning = onNextLink !== undefined
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      bytes += chunk.length
      if (scanning) {
        const head = (chunks.length === 1 ? chunk : Buffer.concat(chunks, bytes)).toString('utf8')
        const link = leadingNextLink(head)
        if (link !== undefined) {
          scanning = false
          if (link !== null) onNextLink!(link)
        }
      }
    }
  } catch (error) {
    if (error instanceof FetchError || (error as Error).name === 'AbortError') throw error
    throw new FetchError(
      `Invalid response body while trying to fetch ${response.url}: ${(error as Error).message}`,
      'system',
      error as unknown as Record<string, unknown>
    )
  }
  if (!stream.readableEnded) {
    throw new FetchError(
      `Premature close of server response while trying to fetch ${response.url}`,
      'system'
    )
  }
  const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes)).toString('utf8')
  // TextDecoder (text()) drops a leading BOM; JSON.parse would reject it.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}
