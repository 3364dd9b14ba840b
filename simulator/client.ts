/**
 * Clients that trust the simulator's CA inside the current process (tests, demo): NODE_EXTRA_CA_CERTS
 * is read only when a process starts, so in-process callers pass the CA explicitly instead.
 */
import { Agent, request } from 'node:https'

export interface SimHttpResponse {
  status: number
  headers: Record<string, string>
  text: string
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown
}

/** A keep-alive agent trusting `caPem`. */
export function simAgent(caPem: string): Agent {
  return new Agent({ ca: caPem, keepAlive: true })
}

/** One HTTPS request through `agent`, body collected. */
export function simRequest(
  agent: Agent,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {}
): Promise<SimHttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            json = undefined
          }
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
          }
          resolve({ status: res.statusCode ?? 0, headers, text, json })
        })
      }
    )
    req.on('error', reject)
    req.end(init.body)
  })
}

/**
 * An msal-node `system.networkClient` trusting `caPem` (msal's own client uses global fetch, which
 * cannot be given a CA per call). Structurally an INetworkModule.
 */
export function msalNetworkClient(caPem: string) {
  const agent = simAgent(caPem)
  const send = async (
    method: string,
    url: string,
    options?: { headers?: Record<string, string>; body?: string }
  ) => {
    const r = await simRequest(agent, url, {
      method,
      headers: options?.headers,
      body: options?.body
    })
    // msal wants the parsed body; a non-JSON body is handed over as-is for its error path.
    return { status: r.status, headers: r.headers, body: (r.json ?? r.text) as never }
  }
  return {
    sendGetRequestAsync: (url: string, options?: { headers?: Record<string, string> }) =>
      send('GET', url, options),
    sendPostRequestAsync: (
      url: string,
      options?: { headers?: Record<string, string>; body?: string }
    ) => send('POST', url, options)
  }
}
