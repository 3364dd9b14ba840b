/**
 * The two ways of the first source article (seeds/000_*), as baselines, with a tiny HTTPS client
 * of their own (no retries, no paging unless said): the beta user list read once without
 * following `@odata.nextLink`, and the v1.0 audit-log lookup, one request per user, in sequence.
 */
import { readFileSync } from 'node:fs'
import { simAgent, simRequest } from '../simulator/client.js'
import type { SimReady } from './sim-process.js'

interface Page<T> {
  value?: T[]
  '@odata.nextLink'?: string
}

async function clientCredentialsToken(
  sim: SimReady,
  agent: ReturnType<typeof simAgent>
): Promise<string> {
  const response = await simRequest(agent, `${sim.origin}/${sim.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      scope: `${sim.origin}/.default`
    }).toString()
  })
  const token = (response.json as { access_token?: string } | undefined)?.access_token
  if (!token) throw new Error(`baseline: the token request failed (HTTP ${response.status})`)
  return token
}

export interface UnpagedResult {
  /** Users the single request returned. */
  users: number
  /** Whether Graph said there was more (the article never looks). */
  hadNextLink: boolean
}

/** Article, beta: `users?$select=id,userPrincipalName,userType,signInActivity`, one request. */
export async function unpagedBetaList(sim: SimReady): Promise<UnpagedResult> {
  const agent = simAgent(readFileSync(sim.caPath, 'utf8'))
  try {
    const token = await clientCredentialsToken(sim, agent)
    const response = await simRequest(
      agent,
      `${sim.origin}/beta/users?$select=id,userPrincipalName,userType,signInActivity`,
      { headers: { authorization: `Bearer ${token}` } }
    )
    const page = response.json as Page<unknown>
    if (response.status !== 200 || !Array.isArray(page.value))
      throw new Error(`baseline: the unpaged beta list failed (HTTP ${response.status})`)
    return { users: page.value.length, hadNextLink: Boolean(page['@odata.nextLink']) }
  } finally {
    agent.destroy()
  }
}

export interface PerUserResult {
  users: number
  /** Users with a sign-in in the log window. */
  withSignIn: number
  wallMs: number
}

/**
 * Article, v1.0: list the users (paged here, so every user is looked up), then one
 * `auditLogs/signIns?$filter=userId eq '{id}'&$orderby=createdDateTime desc&$top=1` per user,
 * one after the other as the article's loop does.
 */
export async function perUserAuditLog(sim: SimReady): Promise<PerUserResult> {
  const agent = simAgent(readFileSync(sim.caPath, 'utf8'))
  const started = performance.now()
  try {
    const token = await clientCredentialsToken(sim, agent)
    const headers = { authorization: `Bearer ${token}` }
    const ids: string[] = []
    let next: string | undefined = `${sim.origin}/v1.0/users?$select=id,userPrincipalName&$top=500`
    while (next) {
      const response = await simRequest(agent, next, { headers })
      const page = response.json as Page<{ id: string }>
      if (response.status !== 200 || !Array.isArray(page.value))
        throw new Error(`baseline: the v1.0 user list failed (HTTP ${response.status})`)
      for (const user of page.value) ids.push(user.id)
      next = page['@odata.nextLink']
    }
    let withSignIn = 0
    for (const id of ids) {
      const filter = encodeURIComponent(`userId eq '${id}'`)
      const response = await simRequest(
        agent,
        `${sim.origin}/v1.0/auditLogs/signIns?$filter=${filter}&$orderby=createdDateTime%20desc&$top=1`,
        { headers }
      )
      const page = response.json as Page<unknown>
      if (response.status !== 200 || !Array.isArray(page.value))
        throw new Error(`baseline: the sign-in log of ${id} failed (HTTP ${response.status})`)
      if (page.value.length > 0) withSignIn++
    }
    return { users: ids.length, withSignIn, wallMs: performance.now() - started }
  } finally {
    agent.destroy()
  }
}
