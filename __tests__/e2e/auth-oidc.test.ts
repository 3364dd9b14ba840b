/**
 * Secretless sign-in with the runner's GitHub OIDC token as the client assertion, end to end on
 * the bundle: the audience per cloud (and its override), a fresh OIDC token whenever msal asks
 * again, and the messages for a missing `id-token: write` and a federated credential that does
 * not match the workflow (AADSTS700213 / 70021, 7002138 subject case, 700211 issuer, 700212
 * audience; each with the token's iss, sub and aud).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { runAction } from '../../__fixtures__/action.js'
import {
  createGithubOidc,
  GITHUB_OIDC_ISSUER,
  verifyOidcToken,
  type GithubOidc
} from '../../simulator/github.js'
import { DEFAULT_ROLES, startSimulator, type Simulator } from '../../simulator/server.js'
import { visible, commandLines } from './helpers.js'

/** An app registered without any federated credential (Entra answers AADSTS70021). */
const NO_FEDERATION_APP = '2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b'

let sim: Simulator
/** The workflow's token service (subject repo:octo-org/octo-repo:ref:refs/heads/main). */
let oidc: GithubOidc
/** A pull-request workflow: a subject no federated credential names. */
let pullRequest: GithubOidc

beforeAll(async () => {
  sim = await startSimulator()
  sim.apps.push({ clientId: NO_FEDERATION_APP, roles: [...DEFAULT_ROLES] })
  oidc = createGithubOidc()
  pullRequest = createGithubOidc({ eventName: 'pull_request', path: '/_oidc_pr/token' })
  sim.addRoutes(oidc.route)
  sim.addRoutes(pullRequest.route)
  sim.registerOidcIssuer(verifyOidcToken)
})
afterAll(() => sim.close())
beforeEach(() => {
  sim.resetRequests()
  sim.clearFaults()
})

const inputs = (extra: Record<string, string> = {}) => ({
  'tenant-id': sim.tenantId,
  'client-id': sim.clientId,
  'authority-host': sim.authorityHost,
  'graph-endpoint': sim.graphEndpoint,
  ...extra
})

const tokenRequests = () => sim.requests.filter((request) => request.target === 'token')
const accessTokens = () =>
  sim.requests
    .filter((request) => request.target === 'users')
    .map((request) => String(request.headers.authorization).replace(/^Bearer /, ''))

test('the runner OIDC token is the client assertion: no secret, audience api://AzureADTokenExchange', async () => {
  const before = oidc.issued().length
  const run = await runAction({ inputs: inputs(), env: oidc.env(sim.origin), caPath: sim.caPath })
  expect(run.stdout).toContain('with github-oidc (auth-method: auto)')
  expect(run.outputs['user-count']).toBe(String(sim.tenant.count))

  expect(oidc.audiences().slice(before)).toEqual(['api://AzureADTokenExchange'])
  const issued = oidc.issued().slice(before)
  expect(issued).toHaveLength(1)
  const [request] = tokenRequests()
  expect(request.form).toMatchObject({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: issued[0]
  })
  expect(request.form).not.toHaveProperty('client_secret')

  // The OIDC token, the request bearer and the access token are never shown.
  const shown = visible(run)
  expect(shown).not.toContain(issued[0].split('.')[2])
  expect(shown).not.toContain(issued[0].split('.')[1])
  expect(shown).not.toContain(oidc.requestToken)
  for (const token of accessTokens()) expect(shown).not.toContain(token)
  expect(run.stdout).toContain(`::add-mask::${issued[0]}`)
})

describe('the audience follows the cloud', () => {
  test.each([
    ['us-gov', 'api://AzureADTokenExchangeUSGov'],
    ['us-gov-dod', 'api://AzureADTokenExchangeUSGov'],
    ['china', 'api://AzureADTokenExchangeChina'],
    ['global', 'api://AzureADTokenExchange']
  ])('cloud %s asks for %s', async (cloud, audience) => {
    const before = oidc.audiences().length
    const run = await runAction({
      inputs: inputs({ cloud, 'auth-method': 'github-oidc' }),
      env: oidc.env(sim.origin),
      caPath: sim.caPath
    })
    expect(run.stdout).toContain(
      `Signing in to tenant ${sim.tenantId} (${cloud}, ${sim.authorityHost}) with github-oidc (auth-method: github-oidc)`
    )
    expect(oidc.audiences().slice(before)).toEqual([audience])
    expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
    expect(run.json().cloud).toBe(cloud)
  })

  test('oidc-audience overrides the cloud default', async () => {
    const before = oidc.audiences().length
    const run = await runAction({
      inputs: inputs({ cloud: 'china', 'oidc-audience': 'api://AzureADTokenExchangeUSGov' }),
      env: oidc.env(sim.origin),
      caPath: sim.caPath
    })
    expect(oidc.audiences().slice(before)).toEqual(['api://AzureADTokenExchangeUSGov'])
    expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
  })
})

test('a token refresh after a revoked token fetches a fresh OIDC token', async () => {
  const before = oidc.issued().length
  sim.addFault({ target: 'users', kind: 'revoke-token' })
  const run = await runAction({ inputs: inputs(), env: oidc.env(sim.origin), caPath: sim.caPath })
  expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
  expect(run.stdout).toContain('Graph answered 401; fetching a fresh token')

  const issued = oidc.issued().slice(before)
  expect(issued).toHaveLength(2)
  expect(issued[0]).not.toBe(issued[1])
  expect(tokenRequests().map((request) => request.form?.client_assertion)).toEqual(issued)
  const tokens = accessTokens()
  expect(tokens).toHaveLength(2)
  expect(tokens[0]).not.toBe(tokens[1])
  const shown = visible(run)
  for (const jwt of issued) expect(shown).not.toContain(jwt.split('.')[2])
  for (const token of tokens) expect(shown).not.toContain(token)
})

describe('a federated credential that does not match', () => {
  test('AADSTS700213: prints the token iss, sub and aud to register', async () => {
    const run = await runAction({
      inputs: inputs(),
      env: pullRequest.env(sim.origin),
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    const [line, ...rest] = commandLines(run, 'error')
    expect(rest).toEqual([])
    expect(line).toContain(
      `No federated credential on app ${sim.clientId} matches this workflow (AADSTS700213)`
    )
    expect(line).toContain(`issuer "${GITHUB_OIDC_ISSUER}"`)
    expect(line).toContain('subject "repo:octo-org/octo-repo:pull_request"')
    expect(line).toContain('audience "api://AzureADTokenExchange"')
    expect(sim.requests.some((request) => request.target === 'users')).toBe(false)
    expect(visible(run)).not.toContain(pullRequest.issued().at(-1)!.split('.')[2])
  })

  test('AADSTS70021 (no federated credential at all): the same claims', async () => {
    const run = await runAction({
      inputs: inputs({ 'client-id': NO_FEDERATION_APP, cloud: 'us-gov' }),
      env: oidc.env(sim.origin),
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')).toEqual([
      expect.stringMatching(
        new RegExp(
          `app ${NO_FEDERATION_APP} matches this workflow \\(AADSTS70021\\).*subject "repo:octo-org/octo-repo:ref:refs/heads/main", audience "api://AzureADTokenExchangeUSGov"`
        )
      )
    ])
  })
})

describe('a federated credential whose subject case, issuer or audience differs', () => {
  test('AADSTS7002138 (the subject in other case): says Entra compares case-sensitively, prints the subject', async () => {
    const shouting = createGithubOidc({
      repository: 'Octo-Org/octo-repo',
      path: '/_oidc_case/token'
    })
    sim.addRoutes(shouting.route)
    const run = await runAction({
      inputs: inputs(),
      env: shouting.env(sim.origin),
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    const [line, ...rest] = commandLines(run, 'error')
    expect(rest).toEqual([])
    expect(line).toContain(
      `A federated credential on app ${sim.clientId} names this workflow's subject in different upper and lower case (AADSTS7002138)`
    )
    expect(line).toContain('subject "repo:Octo-Org/octo-repo:ref:refs/heads/main"')
    expect(line).toContain(`issuer "${GITHUB_OIDC_ISSUER}"`)
    expect(sim.requests.some((request) => request.target === 'users')).toBe(false)
  })

  test('AADSTS700211 (an enterprise issuer URL): names the issuer the credential must trust', async () => {
    const enterprise = createGithubOidc({
      claims: { iss: `${GITHUB_OIDC_ISSUER}/octo-enterprise` },
      path: '/_oidc_enterprise/token'
    })
    sim.addRoutes(enterprise.route)
    const run = await runAction({
      inputs: inputs(),
      env: enterprise.env(sim.origin),
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    const [line, ...rest] = commandLines(run, 'error')
    expect(rest).toEqual([])
    expect(line).toContain(
      `No federated credential on app ${sim.clientId} trusts the issuer of this workflow's token (AADSTS700211)`
    )
    expect(line).toContain(`issuer "${GITHUB_OIDC_ISSUER}/octo-enterprise"`)
    expect(line).toContain('subject "repo:octo-org/octo-repo:ref:refs/heads/main"')
    expect(sim.requests.some((request) => request.target === 'users')).toBe(false)
  })

  test('AADSTS700212 (an oidc-audience no credential names): names the audience', async () => {
    const run = await runAction({
      inputs: inputs({ 'oidc-audience': 'api://octo-audits' }),
      env: oidc.env(sim.origin),
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')).toEqual([
      expect.stringMatching(
        new RegExp(
          `app ${sim.clientId} accepts the audience of this workflow's token \\(AADSTS700212\\)\\. .*audience "api://octo-audits": .*'oidc-audience'`
        )
      )
    ])
    expect(sim.requests.some((request) => request.target === 'users')).toBe(false)
  })
})

describe('no OIDC token for this job', () => {
  test('auth-method github-oidc without ACTIONS_ID_TOKEN_REQUEST_URL: add id-token: write, no request', async () => {
    const run = await runAction({
      inputs: inputs({ 'auth-method': 'github-oidc' }),
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    expect(commandLines(run, 'error')).toEqual([
      expect.stringMatching(/ACTIONS_ID_TOKEN_REQUEST_URL.*'permissions: id-token: write'/)
    ])
    expect(sim.requests).toHaveLength(0)
  })

  test('the request URL without its token: add id-token: write, no request', async () => {
    const { ACTIONS_ID_TOKEN_REQUEST_URL } = oidc.env(sim.origin)
    const run = await runAction({
      inputs: inputs({ 'auth-method': 'github-oidc' }),
      env: { ACTIONS_ID_TOKEN_REQUEST_URL },
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')).toEqual([
      expect.stringMatching(
        /ACTIONS_ID_TOKEN_REQUEST_TOKEN not set.*'permissions: id-token: write'/
      )
    ])
    expect(sim.requests).toHaveLength(0)
  })

  test('a token service that refuses the request is named, with the permission hint', async () => {
    const env = { ...oidc.env(sim.origin), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-the-runner-token' }
    const run = await runAction({ inputs: inputs(), env, caPath: sim.caPath })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')).toEqual([
      expect.stringMatching(
        /Could not get the GitHub OIDC token for audience api:\/\/AzureADTokenExchange: .*401.*'permissions: id-token: write'/
      )
    ])
    expect(tokenRequests()).toHaveLength(0)
  })
})
