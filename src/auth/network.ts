import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node'
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

/** The reason of a network error without the URL (node-fetch: "request to … failed, reason: …"). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return (/reason: (.*)$/s.exec(message)?.[1] ?? message).split(/\r?\n/)[0]
}

/**
 * msal's network module over the action's proxy-aware fetch, so token requests take the same
 * route (HTTPS_PROXY / NO_PROXY, extra CA certificates) as Graph calls. msal turns a failed
 * request into "endpoints_resolution_error" or "network_error" without the cause, so the cause is
 * kept here for the error message.
 */
export function msalNetworkModule(fetch: Fetch): MsalNetwork {
  let failure: NetworkFailure | undefined
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number
  ) => {
    let response
    try {
      response = await fetch(url, {
        method,
        headers: options?.headers,
        body: options?.body,
        signal: timeout ? AbortSignal.timeout(timeout) : undefined
      })
    } catch (error) {
      failure = { kind: 'network', text: `${new URL(url).host}: ${reasonOf(error)}` }
      throw error
    }
    const text = await response.text()
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value))
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    const oauthError = typeof (body as { error?: unknown } | undefined)?.error === 'string'
    if (body === undefined || (response.status >= 400 && !oauthError)) {
      // A gateway, proxy or outage page rather than Entra's answer: msal would report it as
      // "Not Available", so give it an OAuth-shaped error and keep the status for the message.
      const what = `${new URL(url).host} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${body === undefined ? ' (not JSON)' : ''}`
      if (response.status >= 400) failure = { kind: 'status', text: what }
      body = { error: 'invalid_response', error_description: what }
    }
    return { headers, body: body as T, status: response.status } satisfies NetworkResponse<T>
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
    lastFailure: () => failure,
    reset: () => {
      failure = undefined
    }
  }
}
