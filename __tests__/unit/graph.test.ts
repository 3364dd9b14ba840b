import { FetchError, Response, type RequestInit } from 'node-fetch'
import type { TokenSource } from '../../src/auth/token-source.js'
import { createGraphClient, type GraphClient } from '../../src/graph/client.js'
import type { GraphResource } from '../../src/graph/errors.js'
import { groupExclusions } from '../../src/graph/groups.js'
import { pages } from '../../src/graph/paginate.js'
import type { RetryContext } from '../../src/graph/retry.js'
import { applyEntries, lastSignInPath, signInLogUserPages } from '../../src/graph/sign-in-logs.js'
import { toDirectoryUser, USER_FIELDS, userPages } from '../../src/graph/users.js'
import { GraphFailure } from '../../src/errors.js'
import type { Fetch } from '../../src/http.js'
import type { Settings } from '../../src/settings/settings.js'
import type { DirectoryUser } from '../../src/users.js'
import { FakeClock } from '../../__fixtures__/io.js'
import { testPolicy, testSettings } from '../../__fixtures__/settings.js'

const GRAPH = 'https://graph.microsoft.com'

interface Sent {
  url: string
  method: string
  authorization: string | undefined
  contentType: string | undefined
  body: unknown
}

type Answer = Response | Error | ((url: URL, sent: Sent) => Response | Promise<Response>)

/** A fetch that records every request and answers from a handler or a scripted list. */
function fakeFetch(answers: Answer[] | ((url: URL, sent: Sent) => Response | Promise<Response>)) {
  const requests: Sent[] = []
  const fetch: Fetch = async (url: string, init: RequestInit = {}) => {
    const headers = (init.headers ?? {}) as Record<string, string>
    const sent: Sent = {
      url,
      method: init.method ?? 'GET',
      authorization: headers.authorization,
      contentType: headers['content-type'],
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined
    }
    requests.push(sent)
    const answer = typeof answers === 'function' ? answers : answers.shift()
    if (answer === undefined) throw new Error(`unexpected request ${url}`)
    if (answer instanceof Error) throw answer
    if (typeof answer === 'function') return answer(new URL(url), sent)
    return answer
  }
  return { fetch, requests }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers }
  })
}

const graphError = (status: number, code: string, message = 'denied') =>
  json(status, { error: { code, message } })

class FakeTokens implements TokenSource {
  readonly calls: boolean[] = []
  private generation = 1
  async token(refresh: boolean): Promise<string> {
    this.calls.push(refresh)
    if (refresh) this.generation++
    return `token-${this.generation}`
  }
}

function setup(
  answers: Parameters<typeof fakeFetch>[0],
  settings: Settings = testSettings()
): {
  graph: GraphClient
  requests: Sent[]
  tokens: FakeTokens
  clock: FakeClock
  retry: RetryContext
  logs: string[]
} {
  const { fetch, requests } = fakeFetch(answers)
  const tokens = new FakeTokens()
  const clock = new FakeClock()
  const logs: string[] = []
  const retry: RetryContext = { clock, log: (m) => logs.push(m), waited: { ms: 0 } }
  return {
    graph: createGraphClient(settings, tokens, fetch, retry),
    requests,
    tokens,
    clock,
    retry,
    logs
  }
}

async function collect<T>(iterator: AsyncIterable<T[]>): Promise<T[][]> {
  const result: T[][] = []
  for await (const page of iterator) result.push(page)
  return result
}

describe('createGraphClient', () => {
  test('GET under <endpoint>/<version>/ with the bearer token; the JSON body is returned', async () => {
    const { graph, requests, tokens } = setup([json(200, { hello: 'world' })])
    await expect(graph.get('users?$top=5', { resource: 'users', what: 'users' })).resolves.toEqual({
      hello: 'world'
    })
    expect(requests).toHaveLength(1)
    expect(requests[0].url).toBe(`${GRAPH}/beta/users?$top=5`)
    expect(requests[0].method).toBe('GET')
    expect(requests[0].authorization).toBe('Bearer token-1')
    expect(tokens.calls).toEqual([false])
    expect(graph.requests).toBe(1)
  })

  test('the configured version and endpoint are used', async () => {
    const { graph, requests } = setup(
      [json(200, {})],
      testSettings({ graphVersion: 'v1.0', graphEndpoint: 'https://graph.example.test:8443' })
    )
    await graph.get('users', { resource: 'users', what: 'users' })
    expect(requests[0].url).toBe('https://graph.example.test:8443/v1.0/users')
  })

  test('GETs marked batch in the same turn go in one JSON $batch; each gets its own sub-response', async () => {
    const { graph, requests } = setup([
      json(200, {
        responses: [
          { id: '1', status: 200, body: { value: ['second'] } },
          { id: '0', status: 200, body: { value: ['first'] } }
        ]
      })
    ])
    const call = { resource: 'signInLogs', what: 'log' } as const
    const answers = await Promise.all([
      graph.get('auditLogs/signIns?$top=1&n=0', call, { batch: true }),
      graph.get('auditLogs/signIns?$top=1&n=1', call, { batch: true })
    ])
    expect(answers).toEqual([{ value: ['first'] }, { value: ['second'] }])
    expect(requests).toHaveLength(1)
    expect(requests[0].url).toBe(`${GRAPH}/beta/$batch`)
    expect(requests[0].method).toBe('POST')
    expect(requests[0].contentType).toBe('application/json')
    expect(requests[0].authorization).toBe('Bearer token-1')
    expect(requests[0].body).toEqual({
      requests: [
        { id: '0', method: 'GET', url: '/auditLogs/signIns?$top=1&n=0' },
        { id: '1', method: 'GET', url: '/auditLogs/signIns?$top=1&n=1' }
      ]
    })
  })

  test('401: exactly one token refresh, and the request is repeated with the fresh token', async () => {
    const { graph, requests, tokens, logs } = setup([
      graphError(401, 'InvalidAuthenticationToken', 'Access token has expired'),
      json(200, { ok: true })
    ])
    await expect(graph.get('users', { resource: 'users', what: 'users page 2' })).resolves.toEqual({
      ok: true
    })
    expect(tokens.calls.filter((refresh) => refresh)).toHaveLength(1)
    expect(requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
    expect(requests[0].url).toBe(requests[1].url)
    expect(logs.join('\n')).toMatch(/401/)
  })

  test('a second 401 is a GraphFailure, after one refresh only', async () => {
    const { graph, requests, tokens } = setup([
      graphError(401, 'InvalidAuthenticationToken'),
      graphError(401, 'InvalidAuthenticationToken'),
      json(200, {})
    ])
    const failure = graph.get('users', { resource: 'users', what: 'users page 1' })
    await expect(failure).rejects.toBeInstanceOf(GraphFailure)
    await expect(failure).rejects.toMatchObject({ status: 401 })
    await expect(failure).rejects.toThrow(/fresh one/)
    expect(requests).toHaveLength(2)
    expect(tokens.calls.filter((refresh) => refresh)).toHaveLength(1)
  })

  test('403 Authentication_RequestFromNonPremiumTenantOrB2CTenant: needs Entra ID P1/P2', async () => {
    const { graph, requests } = setup([
      graphError(
        403,
        'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
        "Neither tenant is B2C or tenant doesn't have premium license"
      )
    ])
    const failure = graph.get('users', { resource: 'users', what: 'users page 1' })
    await expect(failure).rejects.toThrow(/P1 or P2/)
    await expect(failure).rejects.toThrow(testSettings().tenantId)
    expect(requests).toHaveLength(1)
  })

  test.each<[string, GraphResource, Settings['credentials'], RegExp[]]>([
    [
      'users page 1',
      'users',
      { method: 'client-secret', clientSecret: 's' },
      [/User\.Read\.All/, /AuditLog\.Read\.All/, /application permission/]
    ],
    [
      'the sign-in log of user 1',
      'signInLogs',
      { method: 'client-secret', clientSecret: 's' },
      [/AuditLog\.Read\.All/]
    ],
    [
      'members of exclude-groups group g page 1',
      'groups',
      { method: 'client-secret', clientSecret: 's' },
      [/GroupMember\.Read\.All/]
    ],
    [
      'users page 1',
      'users',
      { method: 'password', username: 'u', password: 'p' },
      [/delegated/, /User\.Read\.All/, /AuditLog\.Read\.All/]
    ]
  ])(
    '403 Authorization_RequestDenied for %s names the permission',
    async (what, resource, credentials, patterns) => {
      const { graph, requests } = setup(
        [
          graphError(
            403,
            'Authorization_RequestDenied',
            'Insufficient privileges to complete the operation.'
          )
        ],
        testSettings({ credentials })
      )
      const error = await graph
        .get('users', { resource, what })
        .catch((e: unknown) => e as GraphFailure)
      expect(error).toBeInstanceOf(GraphFailure)
      expect((error as GraphFailure).status).toBe(403)
      expect((error as GraphFailure).code).toBe('Authorization_RequestDenied')
      for (const pattern of patterns) expect((error as GraphFailure).message).toMatch(pattern)
      expect(requests).toHaveLength(1)
    }
  )

  test.each([400, 404])('%i is not retried and is explained', async (status) => {
    const { graph, requests } = setup([
      graphError(status, 'Request_BadRequest', 'bad $select'),
      json(200, {})
    ])
    const failure = graph.get('users', { resource: 'users', what: 'users page 1' })
    await expect(failure).rejects.toMatchObject({ status })
    await expect(failure).rejects.toThrow(/users page 1/)
    expect(requests).toHaveLength(1)
  })

  test('429 with Retry-After is waited for exactly, then the request succeeds', async () => {
    const { graph, requests, clock } = setup([
      graphError(429, 'TooManyRequests', 'slow down'),
      json(200, { ok: 1 })
    ])
    // No Retry-After on the first: backoff 1 s (random 0.5 → no jitter).
    await expect(graph.get('users', { resource: 'users', what: 'users' })).resolves.toEqual({
      ok: 1
    })
    expect(clock.sleeps).toEqual([1000])
    expect(requests).toHaveLength(2)
  })

  test('Retry-After on 503 is honoured', async () => {
    const { graph, clock, requests } = setup([
      json(503, {}, { 'Retry-After': '2.5' }),
      json(504, {}, { 'Retry-After': '1' }),
      json(200, { ok: 2 })
    ])
    await expect(graph.get('users', { resource: 'users', what: 'users' })).resolves.toEqual({
      ok: 2
    })
    expect(clock.sleeps).toEqual([2500, 1000])
    expect(graph.requests).toBe(3)
    expect(requests.every((r) => r.authorization === 'Bearer token-1')).toBe(true)
  })

  test('throttled every time: a GraphFailure after 8 retries', async () => {
    const { graph, requests } = setup(() => json(429, { error: { code: 'TooManyRequests' } }))
    await expect(graph.get('users', { resource: 'users', what: 'users page 4' })).rejects.toThrow(
      /429.*users page 4|users page 4.*429/
    )
    expect(requests).toHaveLength(9)
  })

  test('network errors every time: a GraphFailure naming Graph', async () => {
    const { graph, requests } = setup(() => {
      throw new FetchError('request failed, reason: getaddrinfo ENOTFOUND', 'system')
    })
    const failure = graph.get('users', { resource: 'users', what: 'users page 1' })
    await expect(failure).rejects.toBeInstanceOf(GraphFailure)
    await expect(failure).rejects.toThrow(/Could not reach Graph/)
    expect(requests).toHaveLength(5)
  })

  test('a body that is not JSON is sent again, then a GraphFailure', async () => {
    const { graph, requests } = setup(
      () => new Response('<html>proxy error</html>', { status: 200 })
    )
    await expect(graph.get('users', { resource: 'users', what: 'users' })).rejects.toThrow(
      /not JSON.*2 retries included/
    )
    expect(requests).toHaveLength(3)
  })

  test('a body that is not JSON once: sent again, then the page', async () => {
    const { graph, requests } = setup([
      new Response('<html>proxy error</html>', { status: 200 }),
      json(200, { value: [] })
    ])
    await expect(graph.get('users', { resource: 'users', what: 'users' })).resolves.toEqual({
      value: []
    })
    expect(requests).toHaveLength(2)
  })

  test.each([
    'https://evil.example/beta/users?$skiptoken=x',
    'http://graph.microsoft.com/beta/users?$skiptoken=x',
    'https://graph.microsoft.com.evil.example/beta/users',
    'https://graph.microsoft.com:444/beta/users'
  ])('an absolute link to another origin (%s) is refused, the token never sent', async (url) => {
    const { graph, requests } = setup([json(200, {})])
    await expect(graph.get(url, { resource: 'users', what: 'users page 2' })).rejects.toThrow(
      /refusing/
    )
    expect(requests).toHaveLength(0)
  })
})

describe('pages', () => {
  const user = (id: string) => ({ id })

  test('three pages are followed in order through @odata.nextLink', async () => {
    const { graph, requests } = setup([
      json(200, {
        value: [user('1'), user('2')],
        '@odata.nextLink': `${GRAPH}/beta/users?$skiptoken=A`
      }),
      json(200, { value: [user('3')], '@odata.nextLink': `${GRAPH}/beta/users?$skiptoken=B` }),
      json(200, { value: [user('4'), user('5')] })
    ])
    const result = await collect(
      pages<{ id: string }>(graph, 'users?$top=2', { resource: 'users', what: 'users' })
    )
    expect(result.map((page) => page.map((u) => u.id))).toEqual([['1', '2'], ['3'], ['4', '5']])
    expect(requests.map((r) => r.url)).toEqual([
      `${GRAPH}/beta/users?$top=2`,
      `${GRAPH}/beta/users?$skiptoken=A`,
      `${GRAPH}/beta/users?$skiptoken=B`
    ])
  })

  test('an empty last page ends the listing', async () => {
    const { graph } = setup([
      json(200, { value: [user('1')], '@odata.nextLink': `${GRAPH}/beta/users?$skiptoken=A` }),
      json(200, { value: [] })
    ])
    const result = await collect(
      pages<{ id: string }>(graph, 'users', { resource: 'users', what: 'users' })
    )
    expect(result).toEqual([[user('1')], []])
  })

  test('a nextLink to another origin stops the listing with an error', async () => {
    const { graph, requests } = setup([
      json(200, {
        value: [user('1')],
        '@odata.nextLink': 'https://attacker.example/beta/users?$skiptoken=A'
      }),
      json(200, { value: [user('2')] })
    ])
    await expect(
      collect(pages(graph, 'users', { resource: 'users', what: 'users' }))
    ).rejects.toThrow(/attacker\.example/)
    expect(requests).toHaveLength(1)
  })

  test.each([
    ['no value', {}],
    ['value null', { value: null }],
    ['value an object', { value: { id: '1' } }]
  ])('a page with %s is an error, never an empty page', async (_, body) => {
    const { graph } = setup([
      json(200, { value: [user('1')], '@odata.nextLink': `${GRAPH}/beta/users?$skiptoken=A` }),
      json(200, body),
      json(200, body),
      json(200, body)
    ])
    const seen: unknown[] = []
    const run = async () => {
      for await (const page of pages(graph, 'users', { resource: 'users', what: 'users' }))
        seen.push(page)
    }
    await expect(run()).rejects.toThrow(/page 2 without a "value" list/)
    expect(seen).toHaveLength(1)
  })

  test('a failing later page fails the listing', async () => {
    const { graph } = setup([
      json(200, { value: [user('1')], '@odata.nextLink': `${GRAPH}/beta/users?$skiptoken=A` }),
      graphError(403, 'Authorization_RequestDenied')
    ])
    await expect(
      collect(pages(graph, 'users', { resource: 'users', what: 'users' }))
    ).rejects.toBeInstanceOf(GraphFailure)
  })
})

describe('userPages', () => {
  const graphUser = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    userPrincipalName: `${id}@contoso.com`,
    displayName: `User ${id}`,
    userType: 'Member',
    accountEnabled: true,
    createdDateTime: '2020-01-01T00:00:00Z',
    ...extra
  })

  test.each([1, 123, 500])(
    '$select has every field and signInActivity, $top is the page size (%i)',
    async (pageSize) => {
      const { graph, requests } = setup([json(200, { value: [] })])
      await collect(
        userPages(graph, { pageSize, withSignInActivity: true, listing: { duplicates: 0 } })
      )
      const url = new URL(requests[0].url)
      expect(url.pathname).toBe('/beta/users')
      const select = url.searchParams.get('$select')!.split(',')
      expect(select).toEqual(expect.arrayContaining([...USER_FIELDS, 'signInActivity']))
      expect(select).toEqual(
        expect.arrayContaining([
          'id',
          'userPrincipalName',
          'displayName',
          'userType',
          'accountEnabled',
          'createdDateTime'
        ])
      )
      expect(url.searchParams.get('$top')).toBe(String(pageSize))
      // Every user is listed: no server-side filter.
      expect(url.searchParams.get('$filter')).toBeNull()
    }
  )

  test('without signInActivity for the sign-in-log source', async () => {
    const { graph, requests } = setup([json(200, { value: [] })])
    await collect(
      userPages(graph, { pageSize: 50, withSignInActivity: false, listing: { duplicates: 0 } })
    )
    const select = new URL(requests[0].url).searchParams.get('$select')!.split(',')
    expect(select).not.toContain('signInActivity')
    expect(select).toContain('id')
  })

  test('users are flattened page by page; absent signInActivity becomes null dates', async () => {
    const { graph } = setup([
      json(200, {
        value: [
          graphUser('a', {
            signInActivity: {
              lastSignInDateTime: '2025-01-01T00:00:00Z',
              lastNonInteractiveSignInDateTime: '0001-01-01T00:00:00Z',
              lastSuccessfulSignInDateTime: '2024-12-01T00:00:00Z'
            }
          }),
          graphUser('b')
        ],
        '@odata.nextLink': `${GRAPH}/beta/users?$skiptoken=A`
      }),
      json(200, { value: [graphUser('c', { signInActivity: null, userType: null })] })
    ])
    const result = await collect(
      userPages(graph, { pageSize: 2, withSignInActivity: true, listing: { duplicates: 0 } })
    )
    expect(result.map((page) => page.map((u) => u.id))).toEqual([['a', 'b'], ['c']])
    expect(result[0][0]).toEqual({
      id: 'a',
      userPrincipalName: 'a@contoso.com',
      displayName: 'User a',
      userType: 'Member',
      accountEnabled: true,
      createdDateTime: '2020-01-01T00:00:00Z',
      lastSignInDateTime: '2025-01-01T00:00:00Z',
      lastNonInteractiveSignInDateTime: '0001-01-01T00:00:00Z',
      lastSuccessfulSignInDateTime: '2024-12-01T00:00:00Z',
      mail: null,
      onPremisesSyncEnabled: null,
      externalUserState: null,
      externalUserStateChangeDateTime: null,
      skuIds: [],
      isAgent: false
    })
    for (const user of [result[0][1], result[1][0]]) {
      expect(user.lastSignInDateTime).toBeNull()
      expect(user.lastNonInteractiveSignInDateTime).toBeNull()
      expect(user.lastSuccessfulSignInDateTime).toBeNull()
    }
    expect(result[1][0].userType).toBeNull()
  })

  test('a user listed again on a later page (any case) is yielded once and counted', async () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e'
    const { graph } = setup([
      json(200, {
        value: [graphUser(id), graphUser('b')],
        '@odata.nextLink': `${GRAPH}/beta/users?$skiptoken=A`
      }),
      json(200, { value: [graphUser(id.toUpperCase()), graphUser('B'), graphUser('c')] })
    ])
    const listing = { duplicates: 0 }
    const result = await collect(
      userPages(graph, { pageSize: 2, withSignInActivity: true, listing })
    )
    expect(result.map((page) => page.map((u) => u.id))).toEqual([[id, 'b'], ['c']])
    expect(listing.duplicates).toBe(2)
  })

  test.each<[string, unknown]>([
    ['no id', { userPrincipalName: 'x@contoso.com' }],
    ['id null', { id: null }],
    ['id empty', { id: '' }],
    ['id a number', { id: 7 }],
    ['null', null],
    ['a string', 'x']
  ])('a user with %s on page 2 fails the listing, naming the page', async (_, user) => {
    const { graph } = setup([
      json(200, { value: [graphUser('a')], '@odata.nextLink': `${GRAPH}/beta/users?$skiptoken=A` }),
      json(200, { value: [graphUser('b'), user] })
    ])
    await expect(
      collect(
        userPages(graph, { pageSize: 1, withSignInActivity: true, listing: { duplicates: 0 } })
      )
    ).rejects.toThrow(/^Graph returned a user without an id on users page 2;/)
  })

  test('toDirectoryUser: missing fields become null', () => {
    expect(toDirectoryUser({ id: 'x', signInActivity: {} })).toEqual({
      id: 'x',
      userPrincipalName: null,
      displayName: null,
      userType: null,
      accountEnabled: null,
      createdDateTime: null,
      lastSignInDateTime: null,
      lastNonInteractiveSignInDateTime: null,
      lastSuccessfulSignInDateTime: null,
      mail: null,
      onPremisesSyncEnabled: null,
      externalUserState: null,
      externalUserStateChangeDateTime: null,
      skuIds: [],
      isAgent: false
    })
  })

  test('toDirectoryUser: invitation, licences and the agent type are kept', () => {
    expect(
      toDirectoryUser({
        '@odata.type': '#microsoft.graph.agentUser',
        id: 'y',
        mail: 'y@contoso.com',
        onPremisesSyncEnabled: true,
        externalUserState: 'PendingAcceptance',
        externalUserStateChangeDateTime: '2025-01-01T00:00:00Z',
        assignedLicenses: [{ skuId: 'sku-1' }, { skuId: null }, { skuId: 'sku-2' }]
      })
    ).toMatchObject({
      mail: 'y@contoso.com',
      onPremisesSyncEnabled: true,
      externalUserState: 'PendingAcceptance',
      externalUserStateChangeDateTime: '2025-01-01T00:00:00Z',
      skuIds: ['sku-1', 'sku-2'],
      isAgent: true
    })
    expect(toDirectoryUser({ '@odata.type': '#microsoft.graph.user', id: 'z' }).isAgent).toBe(false)
  })
})

// ---- sign-in logs --------------------------------------------------------------------------

describe('lastSignInPath', () => {
  const ID = '0f8fad5b-d9cb-469f-a165-70867728950e'

  const WINDOW = { from: '2025-05-16T12:00:00Z', to: '2025-06-15T12:00:00Z' }
  const RANGE = `createdDateTime ge ${WINDOW.from} and createdDateTime le ${WINDOW.to}`
  const EVERY = "signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')"

  test.each([
    [true, 'v1.0', `userId eq '${ID}' and ${RANGE} and status/errorCode eq 0`],
    [false, 'v1.0', `userId eq '${ID}' and ${RANGE}`],
    [true, 'beta', `userId eq '${ID}' and ${RANGE} and status/errorCode eq 0 and ${EVERY}`],
    [false, 'beta', `userId eq '${ID}' and ${RANGE} and ${EVERY}`]
  ])('successfulOnly %s, %s', (successfulOnly, version, filter) => {
    const path = lastSignInPath(ID, successfulOnly, version, WINDOW)
    expect(path).toMatch(/^auditLogs\/signIns\?/)
    const params = new URL(path, 'https://graph.example').searchParams
    expect(params.get('$filter')).toBe(filter)
    expect(params.get('$orderby')).toBe('createdDateTime desc')
    expect(params.get('$top')).toBe('1')
    expect(path).not.toContain(' ')
  })
})

describe('applyEntries', () => {
  const base: DirectoryUser = {
    id: 'u',
    userPrincipalName: 'u@contoso.com',
    displayName: 'U',
    userType: 'Member',
    accountEnabled: true,
    createdDateTime: '2020-01-01T00:00:00Z',
    lastSignInDateTime: null,
    lastNonInteractiveSignInDateTime: null,
    lastSuccessfulSignInDateTime: null,
    mail: null,
    onPremisesSyncEnabled: null,
    externalUserState: null,
    externalUserStateChangeDateTime: null,
    skuIds: [],
    isAgent: false
  }
  const AT = '2025-06-10T08:00:00Z'

  test.each<[string, Parameters<typeof applyEntries>[1], Partial<DirectoryUser>]>([
    [
      'interactive success',
      { createdDateTime: AT, isInteractive: true, status: { errorCode: 0 } },
      {
        lastSignInDateTime: AT,
        lastNonInteractiveSignInDateTime: null,
        lastSuccessfulSignInDateTime: AT
      }
    ],
    [
      'interactive failure',
      { createdDateTime: AT, isInteractive: true, status: { errorCode: 50126 } },
      {
        lastSignInDateTime: AT,
        lastNonInteractiveSignInDateTime: null,
        lastSuccessfulSignInDateTime: null
      }
    ],
    [
      'non-interactive success',
      { createdDateTime: AT, isInteractive: false, status: { errorCode: 0 } },
      {
        lastSignInDateTime: null,
        lastNonInteractiveSignInDateTime: AT,
        lastSuccessfulSignInDateTime: AT
      }
    ],
    [
      'non-interactive failure',
      { createdDateTime: AT, isInteractive: false, status: { errorCode: 70044 } },
      {
        lastSignInDateTime: null,
        lastNonInteractiveSignInDateTime: AT,
        lastSuccessfulSignInDateTime: null
      }
    ],
    [
      'no status: not a success',
      { createdDateTime: AT, isInteractive: true },
      { lastSignInDateTime: AT, lastSuccessfulSignInDateTime: null }
    ],
    ['no entry: unchanged (never within the window)', undefined, {}]
  ])('%s', (_, entry, expected) => {
    // The newest entry is also the newest success when it succeeded.
    const result = applyEntries(base, entry, entry?.status?.errorCode === 0 ? entry : undefined)
    expect(result).toEqual({ ...base, ...expected })
    expect(base.lastSignInDateTime).toBeNull()
  })
})

describe('signInLogUserPages', () => {
  const userId = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`
  const listed = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      id: userId(from + i),
      userPrincipalName: `u${from + i}@contoso.com`,
      displayName: null,
      userType: 'Member',
      accountEnabled: true,
      createdDateTime: '2020-01-01T00:00:00Z'
    }))

  interface SubRequest {
    id: string
    method: string
    url: string
  }
  type SubAnswer = { status: number; headers?: Record<string, string>; body?: unknown } | 'omit'

  /** Graph's users list (two pages) and $batch, with per-user sub-answers. */
  function tenant(
    pagesOfUsers: ReturnType<typeof listed>[],
    subAnswer: (userId: string, attempt: number) => SubAnswer
  ) {
    const batches: SubRequest[][] = []
    const attempts = new Map<string, number>()
    const handler = async (url: URL, sent: Sent) => {
      if (url.pathname === '/beta/users') {
        const index = Number(url.searchParams.get('page') ?? 0)
        const next =
          index + 1 < pagesOfUsers.length ? `${GRAPH}/beta/users?page=${index + 1}` : undefined
        return json(200, {
          value: pagesOfUsers[index],
          ...(next ? { '@odata.nextLink': next } : {})
        })
      }
      if (url.pathname === '/beta/$batch' && sent.method === 'POST') {
        const requests = (sent.body as { requests: SubRequest[] }).requests
        batches.push(requests)
        const responses = []
        for (const request of requests) {
          const filter = new URL(request.url, GRAPH).searchParams.get('$filter')!
          const id = /userId eq '([^']+)'/.exec(filter)![1]
          const attempt = (attempts.get(id) ?? 0) + 1
          attempts.set(id, attempt)
          const answer = subAnswer(id, attempt)
          if (answer !== 'omit') responses.push({ id: request.id, ...answer })
        }
        return json(200, { responses: responses.reverse() })
      }
      return json(404, { error: { code: 'NotFound' } })
    }
    return { handler, batches }
  }

  const entry = (id: string) => ({
    value: [
      {
        createdDateTime: `2025-06-${String((Number(id.slice(-2)) % 28) + 1).padStart(2, '0')}T00:00:00Z`,
        isInteractive: true,
        status: { errorCode: 0 }
      }
    ]
  })

  const logsSettings = (activity: 'successful' | 'any' = 'successful') =>
    testSettings({ source: 'sign-in-logs', pageSize: 45, policy: testPolicy({ activity }) })

  test('20 users a $batch: ⌈N/20⌉ batches per page, every user once, order kept', async () => {
    const users = [listed(1, 45), listed(46, 5)]
    const { handler, batches } = tenant(users, (id) =>
      Number(id.slice(-2)) % 3 === 0
        ? { status: 200, body: { value: [] } }
        : { status: 200, body: entry(id) }
    )
    const { graph, requests, retry } = setup(handler, logsSettings())
    const result = await collect(
      signInLogUserPages(graph, logsSettings(), retry.clock, { duplicates: 0 })
    )

    expect(batches).toHaveLength(Math.ceil(45 / 20) + Math.ceil(5 / 20))
    expect(batches.map((b) => b.length).sort((a, b) => b - a)).toEqual([20, 20, 5, 5])
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(20)
      expect(new Set(batch.map((r) => r.id)).size).toBe(batch.length)
      for (const request of batch) {
        expect(request.method).toBe('GET')
        expect(request.url).toMatch(/^\/auditLogs\/signIns\?/)
      }
    }
    const asked = batches
      .flat()
      .map(
        (r) => /userId eq '([^']+)'/.exec(new URL(r.url, GRAPH).searchParams.get('$filter')!)![1]
      )
    expect(asked.sort()).toEqual(
      users
        .flat()
        .map((u) => u.id)
        .sort()
    )
    // Users listed without signInActivity; requests: user pages + batches, never one per user.
    const listRequests = requests.filter((r) => new URL(r.url).pathname === '/beta/users')
    expect(listRequests).toHaveLength(2)
    expect(new URL(listRequests[0].url).searchParams.get('$select')).not.toContain('signInActivity')
    expect(requests).toHaveLength(2 + 4)

    expect(result.map((page) => page.map((u) => u.id))).toEqual(
      users.map((page) => page.map((u) => u.id))
    )
    for (const user of result.flat()) {
      const n = Number(user.id.slice(-2))
      if (n % 3 === 0) {
        expect(user.lastSignInDateTime).toBeNull()
        expect(user.lastSuccessfulSignInDateTime).toBeNull()
      } else {
        const at = entry(user.id).value[0].createdDateTime
        expect(user.lastSignInDateTime).toBe(at)
        expect(user.lastSuccessfulSignInDateTime).toBe(at)
      }
    }
  })

  test.each(['successful', 'any'] as const)(
    'activity %s: the first round asks for the newest entry of any outcome; users without any entry are not asked again',
    async (activity) => {
      const { handler, batches } = tenant([listed(1, 3)], () => ({
        status: 200,
        body: { value: [] }
      }))
      const { graph, retry } = setup(handler, logsSettings(activity))
      await collect(
        signInLogUserPages(graph, logsSettings(activity), retry.clock, { duplicates: 0 })
      )
      expect(batches).toHaveLength(1)
      for (const request of batches.flat())
        expect(request.url.includes(encodeURIComponent('status/errorCode eq 0'))).toBe(false)
    }
  )

  test('a throttled (429) sub-response is sent again after its Retry-After', async () => {
    const throttled = userId(7)
    const { handler, batches } = tenant([listed(1, 10)], (id, attempt) =>
      id === throttled && attempt === 1
        ? {
            status: 429,
            headers: { 'Retry-After': '3' },
            body: { error: { code: 'TooManyRequests' } }
          }
        : { status: 200, body: entry(id) }
    )
    const { graph, retry, clock } = setup(handler, logsSettings())
    const [page] = await collect(
      signInLogUserPages(graph, logsSettings(), retry.clock, { duplicates: 0 })
    )
    expect(batches).toHaveLength(2)
    expect(batches[1]).toHaveLength(1)
    expect(batches[1][0].url).toContain(throttled)
    expect(clock.sleeps).toEqual([3000])
    const user = page.find((u) => u.id === throttled)!
    expect(user.lastSuccessfulSignInDateTime).toBe(entry(throttled).value[0].createdDateTime)
  })

  test('a sub-request throttled every time fails the run after 8 retries', async () => {
    const { handler, batches } = tenant([listed(1, 2)], (id) =>
      id === userId(2)
        ? { status: 429, headers: { 'retry-after': '1' } }
        : { status: 200, body: entry(id) }
    )
    const { graph, retry } = setup(handler, logsSettings())
    await expect(
      collect(signInLogUserPages(graph, logsSettings(), retry.clock, { duplicates: 0 }))
    ).rejects.toBeInstanceOf(GraphFailure)
    expect(batches).toHaveLength(9)
  })

  test('a 403 sub-response is an error, not "no sign-in"', async () => {
    const { handler } = tenant([listed(1, 25)], (id) =>
      id === userId(22)
        ? {
            status: 403,
            body: {
              error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges' }
            }
          }
        : { status: 200, body: { value: [] } }
    )
    const { graph, retry } = setup(handler, logsSettings())
    const failure = collect(
      signInLogUserPages(graph, logsSettings(), retry.clock, { duplicates: 0 })
    )
    await expect(failure).rejects.toBeInstanceOf(GraphFailure)
    await expect(failure).rejects.toThrow(/AuditLog\.Read\.All/)
  })

  test('a missing sub-response is an error', async () => {
    const { handler } = tenant([listed(1, 4)], (id) =>
      id === userId(3) ? 'omit' : { status: 200, body: { value: [] } }
    )
    const { graph, retry } = setup(handler, logsSettings())
    await expect(
      collect(signInLogUserPages(graph, logsSettings(), retry.clock, { duplicates: 0 }))
    ).rejects.toThrow(/no response/)
  })

  test('a sub-response without a value list is an error', async () => {
    const { handler } = tenant([listed(1, 4)], (id) =>
      id === userId(2) ? { status: 200, body: {} } : { status: 200, body: { value: [] } }
    )
    const { graph, retry } = setup(handler, logsSettings())
    await expect(
      collect(signInLogUserPages(graph, logsSettings(), retry.clock, { duplicates: 0 }))
    ).rejects.toThrow(/"value"/)
  })

  test('a sub-response Retry-After beyond the limit fails instead of hanging', async () => {
    const { handler } = tenant([listed(1, 3)], (id, attempt) =>
      id === userId(2) && attempt === 1
        ? { status: 429, headers: { 'Retry-After': '7200' } }
        : { status: 200, body: { value: [] } }
    )
    const { graph, retry, clock } = setup(handler, logsSettings())
    await expect(
      collect(signInLogUserPages(graph, logsSettings(), retry.clock, { duplicates: 0 }))
    ).rejects.toThrow(/Retry-After|wait/)
    expect(clock.sleeps.every((ms) => ms <= 300_000)).toBe(true)
  })

  /** A log store answering each sub-request as Graph would: filter, newest first, $top. */
  function logStore(
    users: ReturnType<typeof listed>,
    entries: Record<
      string,
      { createdDateTime: string; isInteractive: boolean; status: { errorCode: number } }[]
    >
  ) {
    return async (url: URL, sent: Sent) => {
      if (url.pathname === '/beta/users') return json(200, { value: users })
      const requests = (sent.body as { requests: SubRequest[] }).requests
      return json(200, {
        responses: requests.map((request) => {
          const params = new URL(request.url, GRAPH).searchParams
          const filter = params.get('$filter')!
          const id = /userId eq '([^']+)'/.exec(filter)![1]
          const successfulOnly = filter.includes('status/errorCode eq 0')
          const top = Number(params.get('$top'))
          const value = (entries[id] ?? [])
            .filter((e) => !successfulOnly || e.status.errorCode === 0)
            .sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime))
            .slice(0, top)
          return { id: request.id, status: 200, body: { value } }
        })
      })
    }
  }

  // Only users whose newest entry failed are asked again, for their newest success.
  test.each(['successful', 'any'] as const)(
    'activity %s: the newest entry and the newest success both reach the report',
    async (activity) => {
      const users = listed(1, 1)
      const handler = logStore(users, {
        [userId(1)]: [
          {
            createdDateTime: '2025-06-05T00:00:00Z',
            isInteractive: true,
            status: { errorCode: 0 }
          },
          {
            createdDateTime: '2025-06-12T00:00:00Z',
            isInteractive: true,
            status: { errorCode: 50126 }
          }
        ]
      })
      const { graph, retry } = setup(handler, logsSettings(activity))
      const [[user]] = await collect(
        signInLogUserPages(graph, logsSettings(activity), retry.clock, { duplicates: 0 })
      )
      expect(user.lastSignInDateTime).toBe('2025-06-12T00:00:00Z')
      expect(user.lastSuccessfulSignInDateTime).toBe('2025-06-05T00:00:00Z')
    }
  )
})

describe('groupExclusions', () => {
  const GROUP = '5b1e0c1a-7d2f-4a3b-9c4d-0e1f2a3b4c5d'

  test('members of every page, by lower-case id', async () => {
    const { graph } = setup([
      json(200, { value: [{ id: 'A' }], '@odata.nextLink': `${GRAPH}/beta/groups/x?$skiptoken=A` }),
      json(200, { value: [{ id: 'b' }, { id: 'a' }] })
    ])
    expect(await groupExclusions(graph, [GROUP])).toEqual(
      new Map([
        ['a', GROUP],
        ['b', GROUP]
      ])
    )
  })

  test.each<[string, unknown]>([
    ['no id', { '@odata.type': '#microsoft.graph.user' }],
    ['null', null]
  ])('a member with %s fails, naming the page and the group', async (_, member) => {
    const { graph } = setup([json(200, { value: [{ id: 'a' }, member] })])
    await expect(groupExclusions(graph, [GROUP])).rejects.toThrow(
      `Graph returned a member without an id on page 1 of members of exclude-groups group ${GROUP};`
    )
  })
})
