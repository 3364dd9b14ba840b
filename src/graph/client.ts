import type { TokenSource } from '../auth/token-source.js'
import { RETRY } from '../constants.js'
import { GraphFailure } from '../errors.js'
import type { Fetch } from '../http.js'
import type { Settings } from '../settings/settings.js'
import { explainGraphError, type GraphCall, type GraphErrorOptions } from './errors.js'
import { batching } from './batching.js'
import { Pacing } from './pacing.js'
import {
  counting,
  decode,
  fetchTransport,
  isSuccess,
  pipeline,
  type HttpRequest,
  type Policy,
  type Send
} from './pipeline.js'
import { RetriesExhausted, retrying, type RetryContext } from './retry.js'

/** Authenticated JSON calls to Graph through the request pipeline (see pipeline.ts). */
export interface GraphClient {
  /** `pathOrUrl`: a path under `<graph-endpoint>/<graph-version>/`, or an absolute nextLink. */
  get<T>(pathOrUrl: string, call: GraphCall, options?: GetOptions): Promise<T>
  /** A plain-text answer (`users/$count`) with extra headers. */
  text(path: string, call: GraphCall, headers: Record<string, string>): Promise<string>
  /** Requests sent to Graph so far (retries included). */
  readonly requests: number
}

export interface GetOptions {
  /**
   * Called as soon as a `@odata.nextLink` that precedes `value` in a successful body has
   * arrived, before the rest of the body is read (see leadingNextLink).
   */
  onNextLink?: (link: string) => void
  /** Checks the parsed body inside the retried unit (see HttpRequest.expect). */
  expect?: (json: unknown) => string | undefined
  /** May go in a JSON $batch with other such requests (see batching.ts). */
  batch?: boolean
}

/** Where Graph is, and what error explanations need. */
export type GraphClientOptions = Pick<
  Settings,
  'graphEndpoint' | 'graphVersion' | 'requestTimeoutMs'
> &
  GraphErrorOptions

/** Never send the token anywhere but the Graph endpoint the user configured. */
function originGuard(options: GraphClientOptions): Policy {
  const origin = new URL(options.graphEndpoint).origin
  return (request, next) => {
    const target = new URL(request.url).origin
    if (target !== origin) {
      throw new GraphFailure(
        `Graph returned a link to ${target}, outside ${options.graphEndpoint}; refusing to follow it.`
      )
    }
    return next(request)
  }
}

/**
 * The bearer token on every request; a 401 (a token revoked or expired mid-run) fetches a fresh
 * one, bypassing msal's cache, and sends the request once more.
 */
function bearer(tokens: TokenSource, log: (message: string) => void): Policy {
  const withToken = (request: HttpRequest, token: string): HttpRequest => ({
    ...request,
    headers: { ...request.headers, authorization: `Bearer ${token}` }
  })
  return async (request, next) => {
    const response = await next(withToken(request, await tokens.token(false)))
    if (response.status !== 401) return response
    log(`${request.what}: Graph answered 401; fetching a fresh token and repeating the request`)
    return next(withToken(request, await tokens.token(true)))
  }
}

export function createGraphClient(
  options: GraphClientOptions,
  tokens: TokenSource,
  fetch: Fetch,
  retry: RetryContext
): GraphClient {
  const base = `${options.graphEndpoint}/${options.graphVersion}`
  const counter = { requests: 0 }
  const pacing = new Pacing(retry.clock, retry.log)
  const send: Send = pipeline(
    fetchTransport(fetch, options.requestTimeoutMs),
    originGuard(options),
    bearer(tokens, retry.log),
    retrying(retry, pacing.settled),
    pacing.policy,
    batching(base),
    counting(counter),
    decode
  )

  const call = async (
    request: Omit<HttpRequest, 'headers'> & { headers?: Record<string, string> },
    graphCall: GraphCall
  ) => {
    let response
    try {
      response = await send({
        ...request,
        headers: { accept: 'application/json', ...request.headers }
      })
    } catch (error) {
      if (!(error instanceof RetriesExhausted)) throw error
      if (error.reason === 'too-long') throw new GraphFailure(error.message)
      if (error.response) {
        const { status, text } = error.response
        throw explainGraphError(status, text, graphCall, options, error.message)
      }
      const failure = error.failure!
      throw new GraphFailure(
        failure.kind === 'body'
          ? `${failure.message}, ${RETRY.maxBodyRetries} retries included; the listing cannot be trusted.`
          : `Could not reach Graph at ${options.graphEndpoint} for ${graphCall.what} after every retry: ${failure.message}`
      )
    }
    if (!isSuccess(response.status))
      throw explainGraphError(response.status, response.text, graphCall, options)
    return response
  }

  const url = (pathOrUrl: string) => new URL(pathOrUrl, `${base}/`).href
  return {
    get: async <T>(pathOrUrl: string, graphCall: GraphCall, get: GetOptions = {}) =>
      (await call({ method: 'GET', url: url(pathOrUrl), what: graphCall.what, ...get }, graphCall))
        .json as T,
    text: async (path, graphCall, headers) =>
      (
        await call(
          { method: 'GET', url: url(path), what: graphCall.what, headers, parse: 'text' },
          graphCall
        )
      ).text,
    get requests() {
      return counter.requests
    }
  }
}
