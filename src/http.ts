import { Agent as HttpsAgent } from 'node:https'
import { Agent as HttpAgent } from 'node:http'
import fetch, { type RequestInit, type Response } from 'node-fetch'
import { HttpsProxyAgent } from 'https-proxy-agent'
import { getProxyForUrl } from 'proxy-from-env'

/** The one HTTP function every caller (Graph, msal, OIDC aside) goes through. */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>

/**
 * node-fetch with keep-alive agents that honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either
 * case, through proxy-from-env): one agent per proxy, reused so connections are kept.
 */
export function createFetch(): Fetch {
  const direct = {
    https: new HttpsAgent({ keepAlive: true }),
    http: new HttpAgent({ keepAlive: true })
  }
  const proxied = new Map<string, HttpsProxyAgent<string>>()
  const agentFor = (url: URL) => {
    const proxy = getProxyForUrl(url.href)
    if (!proxy) return url.protocol === 'http:' ? direct.http : direct.https
    let agent = proxied.get(proxy)
    if (!agent) {
      agent = new HttpsProxyAgent(proxy, { keepAlive: true })
      proxied.set(proxy, agent)
    }
    return agent
  }
  return (url, init = {}) => fetch(url, { ...init, agent: agentFor })
}
