import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node'
import { fetchTransport, pipeline, TransientError, type HttpResponse } from '../graph/pipeline.js'
import { RetriesExhausted, retrying, type RetryContext } from '../graph/retry.js'
import type { Fetch } from '../http.js'

/** msal's network module, plus the last connection failure (msal hides the cause). */
export interface MsalNetwork extends INetworkModule {
  /**
   * The last request that got no answer (`network`: `<host>: <reason>`) or an answer that is not
   * Entra's (`status`: `<host> answered HTTP 503 …`), if any.
   */
  lastFailure(): NetworkFailure | undefined
  /** Forgets the last failure (before a new token request). */
  reset(): void
}

export interface NetworkFailure {
  kind: 'network' | 'status'
  text: string
}

/** The reason of a failure without the method and path the transport puts first. */
function reasonOf(error: TransientError): string {
  return error.message.replace(/^[A-Z]+ \S+: /, '')
}

/**
 * msal's network module over the action's proxy-aware fetch and the same transport and retry
 * layers as Graph's requests (pipeline.ts): token requests take the same route (HTTPS_PROXY /
 * NO_PROXY, extra CA certificates), time out the same way, and a 429, 5xx or network error from
 * the token endpoint is sent again (bounded, Retry-After honoured) before msal sees it. msal turns
 * a failed request into "endpoints_resolution_error" or "network_error" without the cause, so the
 * cause is kept here for the error message.
 */
export function msalNetworkModule(
  fetch: Fetch,
  retry: RetryContext,
  silenceMs: number
): MsalNetwork {
  let failure: NetworkFailure | undefined
  const send = pipeline(fetchTransport(fetch, silenceMs), retrying(retry))
  const request = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions
  ) => {
    const host = new URL(url).host
    let response: HttpResponse
    try {
      response = await send({
        method,
        url,
        headers: options?.headers ?? {},
        body: options?.body,
        what: `token request to ${host}`,
        parse: 'text'
      })
    } catch (error) {
      if (error instanceof RetriesExhausted && error.response) response = error.response
      else {
        const cause = error instanceof RetriesExhausted ? error.failure : error
        if (cause instanceof TransientError) {
          failure = { kind: 'network', text: `${host}: ${reasonOf(cause)}` }
        }
        throw error
      }
    }
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value))
    let body: unknown
    try {
      body = JSON.parse(response.text)
    } catch {
      body = undefined
    }
    const oauthError = typeof (body as { error?: unknown } | undefined)?.error === 'string'
    if (body === undefined || (response.status >= 400 && !oauthError)) {
      // A gateway, proxy or outage page rather than Entra's answer: msal would report it as
      // "Not Available", so give it an OAuth-shaped error and keep the status for the message.
      const what = `${host} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${body === undefined ? ' (not JSON)' : ''}`
      if (response.status >= 400) failure = { kind: 'status', text: what }
      body = { error: 'invalid_response', error_description: what }
    }
    return { headers, body: body as T, status: response.status } satisfies NetworkResponse<T>
  }
  return {
    sendGetRequestAsync: (url, options) => request('GET', url, options),
    sendPostRequestAsync: (url, options) => request('POST', url, options),
    lastFailure: () => failure,
    reset: () => {
      failure = undefined
    }
  }
}
