/**
 * The sign-in pieces that are pure or sit behind the Fetch / ActionIO seams: the AADSTS and
 * network-failure explanations, msal's network module, the GitHub OIDC assertion and the scopes.
 */
import { describe, expect, test } from '@jest/globals'
import { Response, type RequestInit } from 'node-fetch'
import { FakeClock, FakeIO } from '../../__fixtures__/io.js'
import { testSettings } from '../../__fixtures__/settings.js'
import { explainAuthError } from '../../src/auth/errors.js'
import { msalNetworkModule } from '../../src/auth/network.js'
import { githubAssertion, requireGithubOidc } from '../../src/auth/oidc.js'
import { graphScopes } from '../../src/auth/token-source.js'
import { AuthFailure } from '../../src/errors.js'
import type { RetryContext } from '../../src/graph/retry.js'
import type { Fetch } from '../../src/http.js'
import type { Settings } from '../../src/settings/settings.js'

const settings = testSettings({ authorityHost: 'https://login.example.test:8443' })
const passwordSettings: Settings = {
  ...settings,
  credentials: { method: 'password', username: 'ann@contoso.com', password: 'pw-secret-1' }
}
/** An msal ServerError as msal-node raises it for an Entra error body. */
const entra = (code: number, text = 'something') => ({
  errorCode: 'invalid_grant',
  errorMessage: `AADSTS${code}: ${text}. Trace ID: 1 Correlation ID: 2 Timestamp: 2025-01-01 00:00:00Z`
})

describe('explainAuthError', () => {
  test.each<[string, unknown, Settings, RegExp]>([
    [
      'bad secret',
      entra(7000215),
      settings,
      /rejected the client secret .*Value \(not its Secret ID\)/
    ],
    ['expired secret', entra(7000222), settings, /secret .* has expired \(AADSTS7000222\)/],
    ['missing credential', entra(7000218), settings, /Allow public client flows/],
    [
      'unknown app',
      entra(700016),
      settings,
      /App 66666666-.* was not found in tenant 11111111-.*'client-id'/
    ],
    ['unknown tenant', entra(90002), settings, /Tenant 11111111-.* was not found \(AADSTS90002\)/],
    [
      'MFA 50076',
      entra(50076),
      passwordSettings,
      /ann@contoso\.com must complete multi-factor.*AADSTS50076.*github-oidc.*client-certificate/
    ],
    [
      'MFA 50079',
      entra(50079),
      passwordSettings,
      /ann@contoso\.com must complete multi-factor.*AADSTS50079.*github-oidc.*client-certificate/
    ],
    [
      'bad password',
      entra(50126),
      passwordSettings,
      /Invalid username or password for ann@contoso\.com \(AADSTS50126\)/
    ],
    ['locked', entra(50053), passwordSettings, /ann@contoso\.com is locked \(AADSTS50053\)/],
    ['no consent', entra(65001), settings, /admin must grant consent/],
    ['unknown certificate', entra(700027), settings, /does not accept this certificate/]
  ])('%s', (_, error, given, message) => {
    const failure = explainAuthError(error, given)
    expect(failure).toBeInstanceOf(AuthFailure)
    expect(failure.message).toMatch(message)
    expect(failure.message).not.toContain('\n')
    expect(failure.message).not.toContain('pw-secret-1')
  })

  test.each(['700213', '70021'])(
    'AADSTS%s prints the token issuer, subject and audience',
    (code) => {
      const failure = explainAuthError(entra(Number(code)), settings, {
        claims: {
          iss: 'https://token.actions.githubusercontent.com',
          sub: 'repo:o/r:environment:prod',
          aud: ['api://AzureADTokenExchange']
        }
      })
      expect(failure.message).toContain(`(AADSTS${code})`)
      expect(failure.message).toContain(
        'issuer "https://token.actions.githubusercontent.com", subject "repo:o/r:environment:prod", audience "api://AzureADTokenExchange"'
      )
    }
  )

  const claims = {
    iss: 'https://token.actions.githubusercontent.com/contoso',
    sub: 'repo:Contoso/Audits:ref:refs/heads/main',
    aud: 'api://AzureADTokenExchange'
  }
  const printed =
    'issuer "https://token.actions.githubusercontent.com/contoso", subject "repo:Contoso/Audits:ref:refs/heads/main", audience "api://AzureADTokenExchange"'
  test.each<[string, RegExp]>([
    [
      '7002138',
      /names this workflow's subject in different upper and lower case.*case-sensitively/
    ],
    ['700211', /trusts the issuer of this workflow's token.*https:\/\/HOSTNAME\/_services\/token/],
    ['700212', /accepts the audience of this workflow's token.*'cloud' \/ 'oidc-audience'/]
  ])('AADSTS%s: its own fix, with the token issuer, subject and audience', (code, fix) => {
    const failure = explainAuthError(entra(Number(code)), settings, { claims })
    expect(failure.message).toContain(`app ${settings.clientId}`)
    expect(failure.message).toContain(`(AADSTS${code})`)
    expect(failure.message).toMatch(fix)
    expect(failure.message).toContain(printed)
    expect(failure.message).not.toContain('\n')
  })

  test('AADSTS7002138 is not read as AADSTS700213', () => {
    const failure = explainAuthError(entra(7002138), settings, { claims })
    expect(failure.message).not.toContain('No federated credential on app')
  })

  test('an unknown tenant names the tenant and the host', () => {
    const failure = explainAuthError({ errorCode: 'endpoints_resolution_error' }, settings)
    expect(failure.message).toBe(
      `Tenant 11111111-2222-3333-4444-555555555555 not found in this cloud (or authority host unreachable): login.example.test:8443 has no tenant "11111111-2222-3333-4444-555555555555". Check 'tenant-id' and 'cloud' / 'authority-host'.`
    )
  })

  test('an unreachable host says which and why, with the proxy hint', () => {
    const failure = explainAuthError({ errorCode: 'endpoints_resolution_error' }, settings, {
      networkFailure: { kind: 'network', text: 'login.example.test:8443: getaddrinfo ENOTFOUND' }
    })
    expect(failure.message).toMatch(
      /not found in this cloud \(or authority host unreachable\): could not reach login\.example\.test:8443: getaddrinfo ENOTFOUND\. .*HTTPS_PROXY \/ NO_PROXY/
    )
    const token = explainAuthError({ errorCode: 'network_error' }, settings, {
      networkFailure: { kind: 'network', text: 'login.example.test:8443: socket hang up' }
    })
    expect(token.message).toMatch(
      /^Could not reach Entra ID for a token \(login\.example\.test:8443: socket hang up\)/
    )
  })

  test('an AADSTS code wins over an earlier network failure', () => {
    const failure = explainAuthError(entra(7000215), settings, {
      networkFailure: { kind: 'status', text: 'x answered HTTP 503' }
    })
    expect(failure.message).toContain('AADSTS7000215')
  })

  test('anything else keeps the first line of msal message and the host', () => {
    const failure = explainAuthError(new Error('odd failure\nsecond line'), settings)
    expect(failure.message).toBe(
      'Sign-in to Entra ID (login.example.test:8443) failed: odd failure'
    )
  })
})

/** A Fetch answering from a function, recording what was asked. */
function fakeFetch(answer: (url: string, init?: RequestInit) => Response | Error) {
  const calls: { url: string; init?: RequestInit }[] = []
  const fetch: Fetch = async (url, init) => {
    calls.push({ url, init })
    const result = answer(url, init)
    if (result instanceof Error) throw result
    return result
  }
  return { fetch, calls }
}

/** Retries on a clock that never waits. */
const retryContext = (): RetryContext => ({
  clock: new FakeClock(),
  log: () => undefined,
  waited: { ms: 0 }
})

describe('msalNetworkModule', () => {
  test('passes method, headers and body through and gives msal status, headers and JSON', async () => {
    const { fetch, calls } = fakeFetch(
      () =>
        new Response(JSON.stringify({ access_token: 'a', expires_in: 3599 }), {
          status: 200,
          headers: { 'X-Ms-Request-Id': 'r1', 'content-type': 'application/json' }
        })
    )
    const network = msalNetworkModule(fetch, retryContext(), 60_000)
    const response = await network.sendPostRequestAsync('https://login.test/t/oauth2/v2.0/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials'
    })
    expect(calls[0].init).toMatchObject({ method: 'POST', body: 'grant_type=client_credentials' })
    expect(response).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'x-ms-request-id': 'r1' }),
      body: { access_token: 'a', expires_in: 3599 }
    })
    expect(network.lastFailure()).toBeUndefined()
  })

  test('an HTML or non-OAuth error answer becomes an OAuth error and is remembered', async () => {
    const { fetch } = fakeFetch(
      () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })
    )
    const network = msalNetworkModule(fetch, retryContext(), 60_000)
    const response = await network.sendGetRequestAsync('https://proxy.test:3128/x')
    expect(response.status).toBe(502)
    expect(response.body).toEqual({
      error: 'invalid_response',
      error_description: 'proxy.test:3128 answered HTTP 502 Bad Gateway (not JSON)'
    })
    expect(network.lastFailure()).toEqual({
      kind: 'status',
      text: 'proxy.test:3128 answered HTTP 502 Bad Gateway (not JSON)'
    })
    network.reset()
    expect(network.lastFailure()).toBeUndefined()
  })

  test("Entra's own OAuth error body is left for msal to read", async () => {
    const body = { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid secret' }
    const { fetch } = fakeFetch(() => new Response(JSON.stringify(body), { status: 401 }))
    const network = msalNetworkModule(fetch, retryContext(), 60_000)
    const response = await network.sendPostRequestAsync('https://login.test/t/oauth2/v2.0/token')
    expect(response.body).toEqual(body)
    expect(network.lastFailure()).toBeUndefined()
  })

  test('a request with no answer is remembered by host and reason, and still throws', async () => {
    const { fetch } = fakeFetch(
      () =>
        new Error(
          'request to https://login.sim.test:1234/t/v2.0/.well-known/openid-configuration failed, reason: getaddrinfo ENOTFOUND login.sim.test'
        )
    )
    const network = msalNetworkModule(fetch, retryContext(), 60_000)
    await expect(network.sendGetRequestAsync('https://login.sim.test:1234/t/x')).rejects.toThrow(
      /ENOTFOUND/
    )
    expect(network.lastFailure()).toEqual({
      kind: 'network',
      text: 'login.sim.test:1234: getaddrinfo ENOTFOUND login.sim.test'
    })
  })
})

describe('GitHub OIDC assertion', () => {
  const jwt = [
    Buffer.from('{"alg":"RS256"}').toString('base64url'),
    Buffer.from(
      JSON.stringify({
        iss: 'https://token.actions.githubusercontent.com',
        sub: 'repo:o/r:ref:refs/heads/main',
        aud: 'api://AzureADTokenExchangeChina',
        jti: 'x'
      })
    ).toString('base64url'),
    'c2lnbmF0dXJl'
  ].join('.')
  const env = {
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.test/t',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'b'
  }

  test('asks for the audience, masks the token and keeps only non-secret claims', async () => {
    const io = new FakeIO({}, env, jwt)
    const assertion = await githubAssertion(io, 'api://AzureADTokenExchangeChina')
    expect(io.idTokenAudiences).toEqual(['api://AzureADTokenExchangeChina'])
    expect(io.secrets).toContain(jwt)
    expect(assertion).toEqual({
      token: jwt,
      claims: {
        iss: 'https://token.actions.githubusercontent.com',
        sub: 'repo:o/r:ref:refs/heads/main',
        aud: 'api://AzureADTokenExchangeChina'
      }
    })
  })

  test.each([
    [
      {},
      /ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN not set.*id-token: write/
    ],
    [
      { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.test/t' },
      /ACTIONS_ID_TOKEN_REQUEST_TOKEN not set.*id-token: write/
    ]
  ])('without the runner variables %j: add id-token: write', (given, message) => {
    const io = new FakeIO({}, given, jwt)
    expect(() => requireGithubOidc(io)).toThrow(message)
    expect(io.idTokenAudiences).toEqual([])
  })

  test('a token service failure is one line with the permission hint', async () => {
    const io = new FakeIO({}, env)
    await expect(githubAssertion(io, 'api://AzureADTokenExchange')).rejects.toThrow(
      /^Could not get the GitHub OIDC token for audience api:\/\/AzureADTokenExchange: no OIDC token in this fake\. Check the job has 'permissions: id-token: write'\.$/
    )
  })
})

describe('graphScopes', () => {
  test('.default on the Graph origin for the app flows', () => {
    expect(graphScopes(testSettings({ graphEndpoint: 'https://graph.microsoft.us' }))).toEqual([
      'https://graph.microsoft.us/.default'
    ])
  })

  test('delegated User.Read.All and AuditLog.Read.All for the password flow, groups when needed', () => {
    const origin = 'https://microsoftgraph.chinacloudapi.cn'
    expect(graphScopes({ ...passwordSettings, graphEndpoint: origin })).toEqual([
      `${origin}/User.Read.All`,
      `${origin}/AuditLog.Read.All`,
      `${origin}/LicenseAssignment.Read.All`
    ])
    expect(
      graphScopes({ ...passwordSettings, graphEndpoint: origin, excludeGroups: ['g'] })
    ).toContain(`${origin}/GroupMember.Read.All`)
    const privileged = graphScopes({
      ...passwordSettings,
      graphEndpoint: origin,
      policy: { ...passwordSettings.policy, privilegedThresholdDays: 30 }
    })
    expect(privileged).toContain(`${origin}/RoleManagement.Read.Directory`)
    expect(privileged).toContain(`${origin}/GroupMember.Read.All`)
  })
})

describe('graph scopes for an endpoint with a path prefix', () => {
  test('use the origin only', () => {
    const settings = testSettings({ graphEndpoint: 'https://gateway.example.test/msgraph' })
    expect(graphScopes(settings)).toEqual(['https://gateway.example.test/.default'])
  })
})
