/**
 * The simulator against the real @azure/msal-node and against Graph's paging/permission rules:
 * if these pass, the end-to-end tests exercise the action against something that behaves like
 * Entra ID and Graph.
 */
import { createHmac } from 'node:crypto'
import type { Agent } from 'node:https'
import {
  ConfidentialClientApplication,
  PublicClientApplication,
  type Configuration
} from '@azure/msal-node'
import { msalNetworkClient, simAgent, simRequest } from '../simulator/client.js'
import {
  DEFAULT_ACCOUNTS,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_DOMAIN,
  DEFAULT_TENANT_ID,
  PUBLIC_CLIENT_ID,
  startSimulator,
  type Simulator
} from '../simulator/server.js'
import { generateTenant, GROUPS } from '../simulator/tenant.js'
import { makeClientCertificate, type ClientCertificate } from '../simulator/tls.js'

const CERT_CLIENT_ID = '2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b'
const THUMB_ONLY_CLIENT_ID = '3f4a5b6c-7d8e-4f9a-8b1c-2d3e4f5a6b7c'
const NO_AUDIT_CLIENT_ID = '4a5b6c7d-8e9f-4a0b-9c2d-3e4f5a6b7c8d'
const OIDC_KEY = 'test-oidc-key'
const SUBJECT = 'repo:octo-org/octo-repo:ref:refs/heads/main'

let sim: Simulator
let agent: Agent
let cert: ClientCertificate
const tenant = generateTenant({ count: 1234, seed: 7, now: '2025-06-01T00:00:00Z' })

/** A HS256 JWT standing in for a GitHub OIDC token (the GitHub module signs RS256; any works). */
function oidcToken(claims: Record<string, unknown>): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const signed = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`
  return `${signed}.${createHmac('sha256', OIDC_KEY).update(signed).digest('base64url')}`
}

function msalConfig(
  clientId: string,
  auth: Partial<Configuration['auth']> = {},
  tenantId = DEFAULT_TENANT_ID
): Configuration {
  return {
    auth: {
      clientId,
      authority: `${sim.origin}/${tenantId}`,
      knownAuthorities: [new URL(sim.origin).host],
      ...auth
    },
    system: { networkClient: msalNetworkClient(sim.caPem) }
  }
}

async function appToken(
  clientId = DEFAULT_CLIENT_ID,
  secret = DEFAULT_CLIENT_SECRET
): Promise<string> {
  const cca = new ConfidentialClientApplication(msalConfig(clientId, { clientSecret: secret }))
  const r = await cca.acquireTokenByClientCredential({
    scopes: [`${sim.origin}/.default`],
    skipCache: true
  })
  return r!.accessToken
}

function get(path: string, token?: string) {
  return simRequest(agent, path.startsWith('https:') ? path : sim.origin + path, {
    headers: token ? { Authorization: `Bearer ${token}` } : {}
  })
}

beforeAll(async () => {
  cert = makeClientCertificate('sim-test')
  const other = makeClientCertificate('thumb-only')
  sim = await startSimulator({
    tenant,
    directories: [
      { id: DEFAULT_TENANT_ID, domains: [DEFAULT_DOMAIN], premium: true },
      {
        id: '99999999-9999-4999-8999-999999999999',
        domains: ['free.onmicrosoft.com'],
        premium: false
      }
    ],
    apps: [
      {
        clientId: DEFAULT_CLIENT_ID,
        secret: DEFAULT_CLIENT_SECRET,
        roles: ['User.Read.All', 'AuditLog.Read.All', 'GroupMember.Read.All'],
        federatedSubjects: [SUBJECT]
      },
      {
        clientId: PUBLIC_CLIENT_ID,
        publicClient: true,
        roles: ['User.Read.All', 'AuditLog.Read.All']
      },
      { clientId: CERT_CLIENT_ID, certificates: [cert.certPem], roles: ['User.Read.All'] },
      {
        clientId: THUMB_ONLY_CLIENT_ID,
        certificateThumbprints: [other.thumbprintSha256.toLowerCase()],
        roles: ['User.Read.All']
      },
      { clientId: NO_AUDIT_CLIENT_ID, secret: 's3', roles: ['User.Read.All'] }
    ]
  })
  ;(sim as unknown as { other: ClientCertificate }).other = other
  sim.registerOidcIssuer((jwt) => {
    const [h, p, s] = jwt.split('.')
    if (createHmac('sha256', OIDC_KEY).update(`${h}.${p}`).digest('base64url') !== s)
      return undefined
    return JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
  })
  agent = simAgent(sim.caPem)
})

afterAll(async () => {
  agent?.destroy()
  await sim?.close()
})

beforeEach(() => {
  sim.clearFaults()
  sim.resetRequests()
})

describe('Entra token endpoint with real msal-node', () => {
  test('client secret: token for the Graph origin, scope recorded', async () => {
    const token = await appToken()
    expect(token).toMatch(/^sim\./)
    const tokenRequests = sim.requests.filter((r) => r.target === 'token')
    expect(tokenRequests).toHaveLength(1)
    expect(tokenRequests[0].form).toMatchObject({
      grant_type: 'client_credentials',
      client_id: DEFAULT_CLIENT_ID,
      scope: `${sim.origin}/.default`
    })
    expect((await get('/beta/users?$select=id', token)).status).toBe(200)
  })

  test('tenant given as its verified domain works too', async () => {
    const cca = new ConfidentialClientApplication(
      msalConfig(DEFAULT_CLIENT_ID, { clientSecret: DEFAULT_CLIENT_SECRET }, DEFAULT_DOMAIN)
    )
    const r = await cca.acquireTokenByClientCredential({ scopes: [`${sim.origin}/.default`] })
    expect(r?.accessToken).toMatch(/^sim\./)
  })

  test('wrong secret: invalid_client AADSTS7000215', async () => {
    await expect(appToken(DEFAULT_CLIENT_ID, 'wrong')).rejects.toMatchObject({
      errorCode: 'invalid_client',
      errorMessage: expect.stringContaining('AADSTS7000215')
    })
  })

  test('unknown client id: AADSTS700016 naming the app', async () => {
    const id = 'deadbeef-0000-4000-8000-000000000000'
    await expect(appToken(id, 'x')).rejects.toMatchObject({
      errorMessage: expect.stringMatching(
        new RegExp(`AADSTS700016: Application with identifier '${id}'`)
      )
    })
  })

  test('no credential at all: AADSTS7000218; error body shaped like Entra', async () => {
    const r = await simRequest(agent, `${sim.origin}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: DEFAULT_CLIENT_ID,
        grant_type: 'client_credentials',
        scope: `${sim.origin}/.default`
      }).toString()
    })
    expect(r.status).toBe(401)
    const body = r.json as Record<string, unknown>
    expect(body.error).toBe('invalid_client')
    expect(body.error_description).toMatch(/^AADSTS7000218: /)
    expect(body.error_codes).toEqual([7000218])
    for (const k of ['timestamp', 'trace_id', 'correlation_id'])
      expect(typeof body[k]).toBe('string')
  })

  test('unknown tenant: msal endpoints_resolution_error; Entra answers AADSTS90002', async () => {
    const cca = new ConfidentialClientApplication(
      msalConfig(DEFAULT_CLIENT_ID, { clientSecret: DEFAULT_CLIENT_SECRET }, 'nope.onmicrosoft.com')
    )
    await expect(
      cca.acquireTokenByClientCredential({ scopes: [`${sim.origin}/.default`] })
    ).rejects.toMatchObject({ errorCode: 'endpoints_resolution_error' })
    const r = await get('/nope.onmicrosoft.com/v2.0/.well-known/openid-configuration')
    expect(r.status).toBe(400)
    expect(r.json).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] })
    expect((r.json as { error_description: string }).error_description).toMatch(
      /^AADSTS90002: Tenant 'nope.onmicrosoft.com' not found/
    )
  })

  test('certificate (x5t#S256 + x5c): accepted when registered, refused otherwise', async () => {
    const ok = new ConfidentialClientApplication(
      msalConfig(CERT_CLIENT_ID, {
        clientCertificate: {
          thumbprintSha256: cert.thumbprintSha256,
          privateKey: cert.keyPem,
          x5c: cert.certPem
        }
      })
    )
    const r = await ok.acquireTokenByClientCredential({ scopes: [`${sim.origin}/.default`] })
    expect(r?.accessToken).toMatch(/^sim\./)
    const assertion = sim.requests.find((q) => q.target === 'token')!.form!.client_assertion
    const header = JSON.parse(Buffer.from(assertion.split('.')[0], 'base64url').toString())
    expect(header).toMatchObject({
      alg: 'PS256',
      'x5t#S256': expect.any(String),
      x5c: [expect.any(String)]
    })

    // Registered only by thumbprint: the x5c certificate proves the key.
    const other = (sim as unknown as { other: ClientCertificate }).other
    const thumbOnly = new ConfidentialClientApplication(
      msalConfig(THUMB_ONLY_CLIENT_ID, {
        clientCertificate: {
          thumbprintSha256: other.thumbprintSha256,
          privateKey: other.keyPem,
          x5c: other.certPem
        }
      })
    )
    expect(
      (await thumbOnly.acquireTokenByClientCredential({ scopes: [`${sim.origin}/.default`] }))
        ?.accessToken
    ).toBeTruthy()

    // The wrong key for the registered thumbprint: the signature does not verify.
    const forged = new ConfidentialClientApplication(
      msalConfig(CERT_CLIENT_ID, {
        clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: other.keyPem }
      })
    )
    await expect(
      forged.acquireTokenByClientCredential({ scopes: [`${sim.origin}/.default`] })
    ).rejects.toMatchObject({
      errorMessage: expect.stringContaining(
        'AADSTS700027: Client assertion failed signature validation'
      )
    })

    // A certificate the app does not have.
    const unknown = new ConfidentialClientApplication(
      msalConfig(CERT_CLIENT_ID, {
        clientCertificate: {
          thumbprintSha256: other.thumbprintSha256,
          privateKey: other.keyPem,
          x5c: other.certPem
        }
      })
    )
    await expect(
      unknown.acquireTokenByClientCredential({ scopes: [`${sim.origin}/.default`] })
    ).rejects.toMatchObject({ errorMessage: expect.stringContaining(other.thumbprintSha256) })
  })

  test('client assertion (GitHub OIDC): subject must match a federated credential', async () => {
    const now = Math.floor(Date.now() / 1000)
    const claims = (sub: string) => ({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'api://AzureADTokenExchange',
      sub,
      exp: now + 300
    })
    const app = (assertion: string) =>
      new ConfidentialClientApplication(
        msalConfig(DEFAULT_CLIENT_ID, { clientAssertion: async () => assertion })
      ).acquireTokenByClientCredential({ scopes: [`${sim.origin}/.default`] })

    expect((await app(oidcToken(claims(SUBJECT))))?.accessToken).toMatch(/^sim\./)
    const form = sim.requests.find((q) => q.target === 'token')!.form!
    expect(form.client_assertion_type).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
    )

    const wrongSub = 'repo:octo-org/octo-repo:pull_request'
    await expect(app(oidcToken(claims(wrongSub)))).rejects.toMatchObject({
      errorMessage: expect.stringContaining(
        `AADSTS700213: No matching federated identity record found for presented assertion subject '${wrongSub}'`
      )
    })
    // The subject a credential names, in other case: Entra compares case-sensitively.
    const shouted = SUBJECT.replace('octo-org', 'Octo-Org')
    expect(shouted).not.toBe(SUBJECT)
    await expect(app(oidcToken(claims(shouted)))).rejects.toMatchObject({
      errorMessage: expect.stringContaining(
        `AADSTS7002138: No matching federated identity record found for presented assertion subject '${shouted}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison.`
      )
    })
    // Not issued by a registered issuer (bad signature).
    const forged = oidcToken(claims(SUBJECT)).replace(/\.[^.]+$/, '.AAAA')
    await expect(app(forged)).rejects.toMatchObject({
      errorMessage: expect.stringContaining('AADSTS700211')
    })
  })

  test('password flow: confidential and public clients; MFA, bad password and lock', async () => {
    const [good, mfa, locked] = DEFAULT_ACCOUNTS
    const scopes = [`${sim.origin}/User.Read.All`, `${sim.origin}/AuditLog.Read.All`]
    const cca = new ConfidentialClientApplication(
      msalConfig(DEFAULT_CLIENT_ID, { clientSecret: DEFAULT_CLIENT_SECRET })
    )
    const r = await cca.acquireTokenByUsernamePassword({
      scopes,
      username: good.username,
      password: good.password
    })
    expect(r?.account?.username).toBe(good.username)
    expect(r?.account?.tenantId).toBe(DEFAULT_TENANT_ID)
    expect(r?.idTokenClaims).toMatchObject({
      preferred_username: good.username,
      tid: DEFAULT_TENANT_ID
    })
    expect((await get('/v1.0/users?$select=id,signInActivity&$top=5', r!.accessToken)).status).toBe(
      200
    )
    const form = sim.requests.find((q) => q.target === 'token')!.form!
    expect(form).toMatchObject({ grant_type: 'password', username: good.username })
    expect(form.scope.split(' ')).toEqual(expect.arrayContaining(scopes))

    // msal refreshes a delegated token with the refresh token it got.
    const refreshed = await cca.acquireTokenSilent({
      scopes,
      account: r!.account!,
      forceRefresh: true
    })
    expect(refreshed.accessToken).not.toBe(r!.accessToken)
    expect(sim.requests.filter((q) => q.target === 'token').map((q) => q.form?.grant_type)).toEqual(
      ['password', 'refresh_token']
    )

    const pca = new PublicClientApplication(msalConfig(PUBLIC_CLIENT_ID))
    const p = await pca.acquireTokenByUsernamePassword({
      scopes,
      username: good.username,
      password: good.password
    })
    expect(p?.accessToken).toMatch(/^sim\./)

    await expect(
      pca.acquireTokenByUsernamePassword({ scopes, username: mfa.username, password: mfa.password })
    ).rejects.toMatchObject({
      errorCode: 'invalid_grant',
      subError: 'basic_action',
      errorMessage: expect.stringContaining('AADSTS50076')
    })
    await expect(
      cca.acquireTokenByUsernamePassword({ scopes, username: good.username, password: 'wrong' })
    ).rejects.toMatchObject({ errorMessage: expect.stringContaining('AADSTS50126') })
    await expect(
      cca.acquireTokenByUsernamePassword({
        scopes,
        username: locked.username,
        password: locked.password
      })
    ).rejects.toMatchObject({ errorMessage: expect.stringContaining('AADSTS50053') })
    // A confidential app used without its secret.
    const noSecret = new PublicClientApplication(msalConfig(DEFAULT_CLIENT_ID))
    await expect(
      noSecret.acquireTokenByUsernamePassword({
        scopes,
        username: good.username,
        password: good.password
      })
    ).rejects.toMatchObject({ errorMessage: expect.stringContaining('AADSTS7000218') })
  })
})

describe('Graph users', () => {
  let token: string
  beforeAll(async () => {
    token = await appToken()
  })

  test('paging returns every user exactly once, $top honoured, nextLink absolute', async () => {
    const seen = new Set<string>()
    const sizes: number[] = []
    let url: string | undefined = `/beta/users?$select=id,userPrincipalName,signInActivity&$top=100`
    while (url) {
      const r = await get(url, token)
      expect(r.status).toBe(200)
      const page = r.json as { value: Array<Record<string, unknown>>; '@odata.nextLink'?: string }
      sizes.push(page.value.length)
      for (const u of page.value) {
        // Agent identities carry their derived type besides the selected fields.
        expect(
          Object.keys(u)
            .filter((k) => k !== '@odata.type')
            .sort()
        ).toEqual(
          'signInActivity' in u
            ? ['id', 'signInActivity', 'userPrincipalName']
            : ['id', 'userPrincipalName']
        )
        expect(seen.has(u.id as string)).toBe(false)
        seen.add(u.id as string)
      }
      url = page['@odata.nextLink']
      if (url) expect(url.startsWith(`${sim.origin}/beta/users?`)).toBe(true)
    }
    expect(seen.size).toBe(tenant.count)
    expect(sizes).toEqual([...Array(12).fill(100), 34])
    for (let i = 0; i < tenant.count; i += 97) expect(seen.has(tenant.user(i).id)).toBe(true)
  })

  test('signInActivity only when selected; v1.0 default select has no userType', async () => {
    const r = await get('/v1.0/users?$top=3', token)
    const value = (r.json as { value: Array<Record<string, unknown>> }).value
    expect(value).toHaveLength(3)
    expect(value[0]).not.toHaveProperty('signInActivity')
    expect(value[0]).toHaveProperty('userPrincipalName')
    expect(r.json).toHaveProperty(['@odata.context'])
  })

  test('$top limits: >999 and >500 with signInActivity are 400', async () => {
    expect((await get('/beta/users?$select=id&$top=999', token)).status).toBe(200)
    expect((await get('/beta/users?$select=id&$top=1000', token)).status).toBe(400)
    expect((await get('/beta/users?$select=id,signInActivity&$top=500', token)).status).toBe(200)
    const r = await get('/beta/users?$select=id,signInActivity&$top=501', token)
    expect(r.status).toBe(400)
  })

  test('permissions and licence', async () => {
    const noAudit = await appToken(NO_AUDIT_CLIENT_ID, 's3')
    expect((await get('/beta/users?$select=id', noAudit)).status).toBe(200)
    const denied = await get('/beta/users?$select=id,signInActivity', noAudit)
    expect(denied.status).toBe(403)
    expect(denied.json).toMatchObject({
      error: {
        code: 'Authentication_MSGraphPermissionMissing',
        message: 'Calling principal does not have required MSGraph permissions AuditLog.Read.All'
      }
    })

    const cca = new ConfidentialClientApplication(
      msalConfig(DEFAULT_CLIENT_ID, { clientSecret: DEFAULT_CLIENT_SECRET }, 'free.onmicrosoft.com')
    )
    const free = (await cca.acquireTokenByClientCredential({ scopes: [`${sim.origin}/.default`] }))!
      .accessToken
    const nonPremium = await get('/beta/users?$select=id,signInActivity', free)
    expect(nonPremium.status).toBe(403)
    expect(nonPremium.json).toMatchObject({
      error: { code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant' }
    })
  })

  test('bearer token: missing, unknown and revoked are 401 InvalidAuthenticationToken', async () => {
    for (const t of [undefined, 'sim.not-a-token']) {
      const r = await get('/beta/users?$select=id', t)
      expect(r.status).toBe(401)
      expect(r.json).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } })
    }
    const fresh = await appToken()
    sim.addFault({ target: 'users', kind: 'revoke-token' })
    expect((await get('/beta/users?$select=id', fresh)).status).toBe(401)
    expect((await get('/beta/users?$select=id', fresh)).status).toBe(401)
    expect((await get('/beta/users?$select=id', await appToken())).status).toBe(200)
    token = await appToken()
  })
})

describe('Graph sign-in logs, $batch and groups', () => {
  let token: string
  beforeAll(async () => {
    token = await appToken()
  })
  const activeIndex = () => {
    for (let i = 0; ; i++) if (tenant.kindOf(i) === 'active') return i
  }
  const signInsUrl = (id: string, successOnly = false, extra = '') =>
    `/auditLogs/signIns?$filter=${encodeURIComponent(
      `userId eq '${id}'${successOnly ? ' and status/errorCode eq 0' : ''}${extra}`
    )}&$orderby=${encodeURIComponent('createdDateTime desc')}&$top=1`
  const BOTH = " and signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')"
  /** An active user whose newest sign-in is non-interactive (apps refreshing tokens). */
  const nonInteractiveLastIndex = () => {
    for (let i = 0; ; i++) {
      const a = tenant.user(i).signInActivity
      if (
        tenant.kindOf(i) === 'active' &&
        a?.lastNonInteractiveSignInDateTime &&
        a.lastNonInteractiveSignInDateTime > (a.lastSignInDateTime ?? '')
      )
        return i
    }
  }
  const newestOf = (r: { json: unknown }) =>
    (r.json as { value: Array<{ createdDateTime: string }> }).value[0]?.createdDateTime

  test('signIns: newest entry for the user, optional success filter, other filters 400', async () => {
    const user = tenant.user(activeIndex())
    const r = await get('/beta' + signInsUrl(user.id, false, BOTH), token)
    expect(r.status).toBe(200)
    const value = (r.json as { value: Array<{ userId: string; createdDateTime: string }> }).value
    expect(value).toHaveLength(1)
    expect(value[0].userId).toBe(user.id)
    const a = user.signInActivity!
    const newest = [a.lastSignInDateTime, a.lastNonInteractiveSignInDateTime]
      .filter(Boolean)
      .sort()
      .pop()
    expect(value[0].createdDateTime).toBe(newest)

    const ok = await get('/beta' + signInsUrl(user.id, true, BOTH), token)
    expect(newestOf(ok)).toBe(a.lastSuccessfulSignInDateTime)
    const never = await get('/v1.0' + signInsUrl(tenant.user(0).id), token)
    expect((never.json as { value: unknown[] }).value).toEqual([])

    expect(
      (
        await get(
          `/v1.0/auditLogs/signIns?$filter=${encodeURIComponent("userPrincipalName eq 'x'")}`,
          token
        )
      ).status
    ).toBe(400)
    expect((await get('/v1.0/auditLogs/signIns', token)).status).toBe(400)
  })

  test('signIns as documented: interactive only unless signInEventTypes (beta only); createdDateTime range', async () => {
    const user = tenant.user(nonInteractiveLastIndex())
    const a = user.signInActivity!
    // Without the filter, beta and v1.0 both return interactive sign-ins only.
    for (const version of ['/beta', '/v1.0']) {
      expect(newestOf(await get(version + signInsUrl(user.id), token))).toBe(a.lastSignInDateTime)
    }
    expect(newestOf(await get('/beta' + signInsUrl(user.id, false, BOTH), token))).toBe(
      a.lastNonInteractiveSignInDateTime
    )
    const only = " and signInEventTypes/any(t: t eq 'nonInteractiveUser')"
    const r = await get('/beta' + signInsUrl(user.id, false, only), token)
    expect((r.json as { value: Array<{ signInEventTypes: string[] }> }).value[0]).toMatchObject({
      createdDateTime: a.lastNonInteractiveSignInDateTime,
      signInEventTypes: ['nonInteractiveUser']
    })
    // v1.0's signIn has no signInEventTypes.
    expect((await get('/v1.0' + signInsUrl(user.id, false, BOTH), token)).status).toBe(400)
    // A createdDateTime range after the newest sign-in leaves nothing.
    const after = ` and createdDateTime ge ${a.lastNonInteractiveSignInDateTime!.replace(/Z$/, '.5Z')}`
    expect(newestOf(await get('/beta' + signInsUrl(user.id, false, BOTH + after), token))).toBe(
      undefined
    )
    const upTo = ` and createdDateTime le ${a.lastNonInteractiveSignInDateTime}`
    expect(newestOf(await get('/beta' + signInsUrl(user.id, false, BOTH + upTo), token))).toBe(
      a.lastNonInteractiveSignInDateTime
    )
  })

  test('$batch: sub-responses in order, per-item 429 with Retry-After, 21 requests refused', async () => {
    const ids = [2, 3, 4].map((i) => tenant.user(i).id)
    const post = (requests: object[]) =>
      simRequest(agent, `${sim.origin}/v1.0/$batch`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ requests })
      })
    sim.addFault({ target: 'batch-item', after: 1, kind: 'status', status: 429, retryAfter: '2.5' })
    const r = await post(
      ids.map((id, k) => ({ id: String(k + 1), method: 'GET', url: signInsUrl(id) }))
    )
    expect(r.status).toBe(200)
    const responses = (
      r.json as {
        responses: Array<{
          id: string
          status: number
          headers: Record<string, string>
          body: { error?: { code: string } }
        }>
      }
    ).responses
    expect(responses.map((x) => [x.id, x.status])).toEqual([
      ['1', 200],
      ['2', 429],
      ['3', 200]
    ])
    expect(responses[1].headers['Retry-After']).toBe('2.5')
    expect(responses[1].body.error?.code).toBe('TooManyRequests')
    expect(sim.requests.filter((q) => q.inBatch && q.target === 'signIns')).toHaveLength(3)

    const many = Array.from({ length: 21 }, (_, k) => ({
      id: String(k),
      method: 'GET',
      url: signInsUrl(ids[0])
    }))
    expect((await post(many)).status).toBe(400)
    expect((await post(many.slice(0, 20))).status).toBe(200)
  })

  test('group transitive members: paged ids, 404 for unknown groups, 403 without permission', async () => {
    const r = await get(
      `/v1.0/groups/${GROUPS.breakGlass}/transitiveMembers/microsoft.graph.user?$select=id`,
      token
    )
    expect(r.status).toBe(200)
    expect((r.json as { value: Array<{ id: string }> }).value.map((m) => m.id)).toEqual([
      tenant.user(0).id,
      tenant.user(1).id
    ])
    const paged = await get(
      `/v1.0/groups/${GROUPS.breakGlass}/transitiveMembers?$select=id&$top=1`,
      token
    )
    const next = (paged.json as { '@odata.nextLink': string })['@odata.nextLink']
    expect((paged.json as { value: unknown[] }).value).toHaveLength(1)
    const second = await get(next, token)
    expect((second.json as { value: Array<{ id: string }> }).value[0].id).toBe(tenant.user(1).id)
    expect(second.json).not.toHaveProperty(['@odata.nextLink'])

    const missing = await get(
      '/v1.0/groups/00000000-0000-4000-8000-000000000000/transitiveMembers?$select=id',
      token
    )
    expect(missing.status).toBe(404)
    expect(missing.json).toMatchObject({ error: { code: 'Request_ResourceNotFound' } })
    const noGroups = await appToken(NO_AUDIT_CLIENT_ID, 's3')
    expect(
      (await get(`/v1.0/groups/${GROUPS.breakGlass}/transitiveMembers?$select=id`, noGroups)).status
    ).toBe(403)
  })
})

describe('faults and latency', () => {
  let token: string
  beforeAll(async () => {
    token = await appToken()
  })

  test('status fault: after/times counted per target, Retry-After and Graph error body', async () => {
    sim.addFault({
      target: 'users',
      after: 1,
      times: 2,
      kind: 'status',
      status: 503,
      retryAfter: '1'
    })
    const statuses: number[] = []
    for (let k = 0; k < 4; k++) {
      const r = await get('/beta/users?$select=id&$top=1', token)
      statuses.push(r.status)
      if (r.status === 503) {
        expect(r.headers['retry-after']).toBe('1')
        expect(r.json).toMatchObject({ error: { code: 'serviceNotAvailable' } })
      }
    }
    expect(statuses).toEqual([200, 503, 503, 200])
    expect(sim.requests.filter((q) => q.target === 'users').map((q) => q.status)).toEqual(statuses)
  })

  test('token endpoint faults reach msal', async () => {
    sim.addFault({
      target: 'token',
      kind: 'status',
      status: 400,
      body: { error: 'invalid_request', error_description: 'AADSTS90000: simulated' }
    })
    await expect(appToken()).rejects.toMatchObject({
      errorMessage: expect.stringContaining('AADSTS90000')
    })
  })

  test('reset destroys the connection; persistent faults keep hitting', async () => {
    sim.addFault({ target: 'users', kind: 'reset' })
    await expect(get('/beta/users?$select=id', token)).rejects.toThrow()
    sim.addFault({ target: 'users', kind: 'status', status: 500, times: Infinity })
    for (let k = 0; k < 3; k++)
      expect((await get('/beta/users?$select=id', token)).status).toBe(500)
    sim.clearFaults()
    expect((await get('/beta/users?$select=id', token)).status).toBe(200)
  })

  test('page faults: repeat-user starts a page with the last user of the one before, drop-id removes an id', async () => {
    type Page = { value: Array<Record<string, unknown>>; '@odata.nextLink'?: string }
    const ids = async (url: string) => {
      const page = (await get(url, token)).json as Page
      return { ids: page.value.map((u) => u.id), next: page['@odata.nextLink'] }
    }
    sim.addFault({ target: 'users', after: 1, kind: 'repeat-user' })
    const first = await ids('/beta/users?$select=id&$top=3')
    const second = await ids(first.next!)
    expect(first.ids).toEqual([0, 1, 2].map((i) => tenant.user(i).id))
    expect(second.ids).toEqual([2, 3, 4].map((i) => tenant.user(i).id))
    // The cursor moved back by one: the next page goes on from there, nothing is left out.
    expect((await ids(second.next!)).ids).toEqual([5, 6, 7].map((i) => tenant.user(i).id))

    sim.addFault({ target: 'users', after: 1, kind: 'drop-id' })
    const intact = await ids('/beta/users?$select=id,userPrincipalName&$top=2')
    const page = (await get(intact.next!, token)).json as Page
    expect(intact.ids).toEqual([0, 1].map((i) => tenant.user(i).id))
    expect(page.value[0]).toEqual({ userPrincipalName: tenant.user(2).userPrincipalName })
    expect(page.value[1].id).toBe(tenant.user(3).id)
  })

  test('latency is added to every request', async () => {
    sim.setLatency(150)
    const t0 = Date.now()
    await get('/beta/users?$select=id&$top=1', token)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
    sim.setLatency(0)
  })
})

describe('generated tenant', () => {
  const now = '2025-06-01T00:00:00Z'
  const nowMs = Date.parse(now)

  test('deterministic per (seed, index), different per seed, ids map back to indexes', () => {
    const a = generateTenant({ count: 1_000_000, seed: 42, now })
    const b = generateTenant({ count: 1_000_000, seed: 42, now })
    const c = generateTenant({ count: 1_000_000, seed: 43, now })
    for (const i of [0, 5, 999_999, 123_456]) {
      expect(a.user(i)).toEqual(b.user(i))
      expect(a.indexOf(a.user(i).id)).toBe(i)
    }
    expect(a.user(5).id).not.toBe(c.user(5).id)
    expect(a.indexOf(c.user(5).id)).toBeUndefined()
    expect(() => a.user(1_000_000)).toThrow(RangeError)
  })

  test('the mix: every kind, guests, disabled, tricky names; sign-in logs agree with signInActivity', () => {
    const t = generateTenant({ count: 8_000, seed: 9, now })
    const kinds = new Map<string, number>()
    let guests = 0
    let disabled = 0
    let tricky = 0
    const ids = new Set<string>()
    for (let i = 0; i < t.count; i++) {
      const u = t.user(i)
      ids.add(u.id)
      kinds.set(t.kindOf(i), (kinds.get(t.kindOf(i)) ?? 0) + 1)
      if (u.userType === 'Guest') guests++
      if (u.accountEnabled === false) disabled++
      if (u.displayName && /[<|=]/.test(u.displayName)) tricky++
      const a = u.signInActivity
      const success = a?.lastSuccessfulSignInDateTime
      if (success && success > '1971') {
        // The newest successful log entry is the recorded success, when it is in the window.
        const logs = t.signIns(u.id)
        const newestOk = logs.find((e) => e.status.errorCode === 0)
        if (Date.parse(success) >= nowMs - 30 * 86_400_000)
          expect(newestOk?.createdDateTime).toBe(success)
        else expect(newestOk).toBeUndefined()
      }
      if (u.createdDateTime && success && success > '1971')
        expect(u.createdDateTime <= success).toBe(true)
    }
    expect(ids.size).toBe(t.count)
    expect(guests / t.count).toBeCloseTo(0.2, 1)
    expect(disabled / t.count).toBeGreaterThan(0.03)
    expect(disabled / t.count).toBeLessThan(0.07)
    expect(tricky).toBeGreaterThan(20)
    for (const k of [
      'active',
      'failed-only-recent',
      'failed-before-cutoff',
      'never-absent',
      'never-null',
      'never-sentinel',
      'never-empty-string',
      'new-account',
      'non-interactive-only',
      'never-no-created'
    ]) {
      expect(kinds.get(k) ?? 0).toBeGreaterThan(0)
    }
    // Forms of "never" really appear as Graph would send them.
    const forms = { absent: 0, null: 0, empty: 0, sentinel: 0 }
    for (let i = 0; i < 2000; i++) {
      const u = t.user(i)
      if (!('signInActivity' in u)) forms.absent++
      else if (u.signInActivity === null) forms.null++
      else if (u.signInActivity?.lastSignInDateTime === '') forms.empty++
      else if (u.signInActivity?.lastSignInDateTime === '0001-01-01T00:00:00Z') forms.sentinel++
    }
    for (const n of Object.values(forms)) expect(n).toBeGreaterThan(0)
    // Failed-only users: a recent attempt, no success recorded.
    const failed = [...Array(2000).keys()].find((i) => t.kindOf(i) === 'failed-only-recent')!
    const fu = t.user(failed).signInActivity!
    expect(fu.lastSuccessfulSignInDateTime).toBeNull()
    expect(Date.parse(fu.lastSignInDateTime!)).toBeGreaterThan(nowMs - 11 * 86_400_000)
    expect(t.signIns(t.user(failed).id)[0].status.errorCode).not.toBe(0)
  })
})
