import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node'
import type { Fetch } from '../http.js'

/**
 * msal's network module over the action's proxy-aware fetch, so token requests take the same
 * route (HTTPS_PROXY / NO_PROXY, extra CA certificates) as Graph calls.
 */
export function msalNetworkModule(fetch: Fetch): INetworkModule {
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number
  ) => {
    const response = await fetch(url, {
      method,
      headers: options?.headers,
      body: options?.body,
      signal: timeout ? AbortSignal.timeout(timeout) : undefined
    })
    const text = await response.text()
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value))
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      // A proxy or gateway answering HTML: give msal an OAuth-shaped error it can report.
      body = {
        error: 'invalid_response',
        error_description: `HTTP ${response.status} from ${new URL(url).host} was not JSON`
      }
    }
    return { headers, body: body as T, status: response.status } satisfies NetworkResponse<T>
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options)
  }
}
