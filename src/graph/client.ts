import type { TokenSource } from '../auth/token-source.js'
import type { Fetch } from '../http.js'
import type { Settings } from '../settings.js'
import { explainGraphError, GraphFailure } from './errors.js'
import { withRetry, type RetryContext } from './retry.js'

/** Authenticated JSON calls to Graph with retry, Retry-After and one token refresh on 401. */
export interface GraphClient {
  /** `pathOrUrl`: a path under `<graph-endpoint>/<graph-version>/`, or an absolute nextLink. */
  get<T>(pathOrUrl: string, what: string): Promise<T>
  post<T>(path: string, body: unknown, what: string): Promise<T>
  /** Requests sent to Graph so far (retries included). */
  readonly requests: number
}

export function createGraphClient(
  settings: Settings,
  tokens: TokenSource,
  fetch: Fetch,
  retry: RetryContext
): GraphClient {
  const base = `${settings.graphEndpoint}/${settings.graphVersion}/`
  const origin = new URL(settings.graphEndpoint).origin
  let requests = 0

  const resolveUrl = (pathOrUrl: string): string => {
    const url = new URL(pathOrUrl, base)
    // Never send the token anywhere but the Graph endpoint the user configured.
    if (url.origin !== origin) {
      throw new GraphFailure(
        `Graph returned a link to ${url.origin}, outside ${settings.graphEndpoint}; refusing to follow it.`
      )
    }
    return url.href
  }

  const call = async <T>(
    method: 'GET' | 'POST',
    pathOrUrl: string,
    body: unknown,
    what: string
  ): Promise<T> => {
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
          `Could not reach Graph at ${settings.graphEndpoint} for ${what} after every retry: ${(error as Error).message}`
        )
      })
      const text = await response.text()
      if (response.status === 401 && !refreshed) {
        // The token was revoked or expired mid-run: fetch a fresh one (bypassing msal's cache) once.
        refreshed = true
        retry.log(`${what}: Graph answered 401; fetching a fresh token and repeating the request`)
        await tokens.token(true)
        continue
      }
      if (response.status < 200 || response.status >= 300)
        throw explainGraphError(response.status, text, what, settings)
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
    get: (pathOrUrl, what) => call('GET', pathOrUrl, undefined, what),
    post: (path, body, what) => call('POST', path, body, what),
    get requests() {
      return requests
    }
  }
}
