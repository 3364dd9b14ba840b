import { Agent as HttpsAgent } from 'node:https'
import { Agent as HttpAgent } from 'node:http'
import fetch, { type RequestInit, type Response } from 'node-fetch'
import { HttpsProxyAgent } from 'https-proxy-agent'
import { getProxyForUrl } from 'proxy-from-env'
import type { Socket } from 'node:net'
import { CONNECT_TIMEOUT_MS } from './constants.js'

/** The one HTTP function every caller (Graph, msal, OIDC aside) goes through. */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>

/**
 * node-fetch with keep-alive agents that honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either
 * case, through proxy-from-env): one agent per proxy, reused so connections are kept.
 */
export function createFetch(): Fetch {
  const direct = {
    https: withConnectTimeout(new HttpsAgent({ keepAlive: true }), 'secureConnect'),
    http: withConnectTimeout(new HttpAgent({ keepAlive: true }), 'connect')
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

/**
 * A connection that is not open (TCP, and TLS for https) within CONNECT_TIMEOUT_MS is destroyed:
 * a network error, sent again like any other. Through a proxy the proxy agent connects, and the
 * request's silence timeout (pipeline.ts) bounds the wait instead.
 */
function withConnectTimeout<T extends HttpAgent>(agent: T, opened: 'connect' | 'secureConnect'): T {
  const create = (agent as unknown as { createConnection: (...args: unknown[]) => Socket })
    .createConnection
  Object.assign(agent, {
    createConnection: (...args: unknown[]) => {
      const socket = create.apply(agent, args)
      const timer = setTimeout(
        () => socket.destroy(new Error(`connect timeout after ${CONNECT_TIMEOUT_MS / 1000} s`)),
        CONNECT_TIMEOUT_MS
      )
      socket.once(opened, () => clearTimeout(timer))
      socket.once('close', () => clearTimeout(timer))
      return socket
    }
  })
  return agent
}
