/**
 * The resource-owner password flow, end to end on the bundle: a public client (no secret) and a
 * confidential one (with the secret), delegated Graph scopes, and what Entra answers for a user
 * behind MFA (AADSTS50076), a wrong password (50126) and a locked account (50053).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { runAction } from '../../__fixtures__/action.js'
import {
  DEFAULT_DOMAIN,
  PUBLIC_CLIENT_ID,
  startSimulator,
  type Simulator
} from '../../simulator/server.js'
import { visible, commandLines } from './helpers.js'

const PASSWORD = 'Correct-Horse-9'
const AUDITOR = `auditor@${DEFAULT_DOMAIN}`

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(() => sim.close())
beforeEach(() => sim.resetRequests())

const inputs = (extra: Record<string, string>) => ({
  'tenant-id': sim.tenantId,
  'authority-host': sim.authorityHost,
  'graph-endpoint': sim.graphEndpoint,
  ...extra
})

const tokenForms = () =>
  sim.requests.filter((request) => request.target === 'token').map((request) => request.form ?? {})
const accessTokens = () =>
  sim.requests
    .filter((request) => request.target === 'users')
    .map((request) => String(request.headers.authorization).replace(/^Bearer /, ''))

describe('signing in as a user', () => {
  test('a public client without a secret asks for the delegated scopes', async () => {
    const run = await runAction({
      inputs: inputs({ 'client-id': PUBLIC_CLIENT_ID, username: AUDITOR, password: PASSWORD }),
      caPath: sim.caPath
    })
    expect(run.stdout).toContain('with password (auth-method: auto)')
    expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
    const [form, ...more] = tokenForms()
    expect(more).toEqual([])
    expect(form).toMatchObject({
      grant_type: 'password',
      client_id: PUBLIC_CLIENT_ID,
      username: AUDITOR,
      password: PASSWORD
    })
    expect(form).not.toHaveProperty('client_secret')
    expect(form).not.toHaveProperty('client_assertion')
    const origin = sim.graphEndpoint
    expect(form.scope.split(' ')).toEqual(
      expect.arrayContaining([`${origin}/User.Read.All`, `${origin}/AuditLog.Read.All`])
    )
    expect(form.scope).toContain(`${origin}/User.Read.All ${origin}/AuditLog.Read.All`)
    expect(form.scope).not.toContain('.default')

    expect(run.stdout).toContain(`::add-mask::${PASSWORD}`)
    const shown = visible(run)
    expect(shown).not.toContain(PASSWORD)
    for (const token of accessTokens()) expect(shown).not.toContain(token)
  })

  test('a confidential client sends its secret with the user credentials', async () => {
    const run = await runAction({
      inputs: inputs({
        'auth-method': 'password',
        'client-id': sim.clientId,
        'client-secret': sim.clientSecret,
        username: AUDITOR,
        password: PASSWORD
      }),
      caPath: sim.caPath
    })
    expect(run.stdout).toContain('with password (auth-method: password)')
    expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
    const [form] = tokenForms()
    expect(form).toMatchObject({
      grant_type: 'password',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      username: AUDITOR
    })
    expect(form.scope).toContain(
      `${sim.graphEndpoint}/User.Read.All ${sim.graphEndpoint}/AuditLog.Read.All`
    )
    const shown = visible(run)
    expect(shown).not.toContain(PASSWORD)
    expect(shown).not.toContain(sim.clientSecret)
    for (const token of accessTokens()) expect(shown).not.toContain(token)
  })

  test('exclude-groups adds GroupMember.Read.All to the delegated scopes', async () => {
    const run = await runAction({
      inputs: inputs({
        'client-id': PUBLIC_CLIENT_ID,
        username: AUDITOR,
        password: PASSWORD,
        'exclude-groups': '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
      }),
      caPath: sim.caPath
    })
    expect(tokenForms()[0].scope).toContain(`${sim.graphEndpoint}/GroupMember.Read.All`)
    expect(run.stdout).toContain('with password')
  })
})

describe('what Entra refuses, explained', () => {
  test.each([
    [
      'a user who must do MFA (AADSTS50076)',
      `mfa.user@${DEFAULT_DOMAIN}`,
      PASSWORD,
      /^::error::mfa\.user@contoso\.onmicrosoft\.com must complete multi-factor authentication \(AADSTS50076\), which the password flow cannot do\. Use auth-method github-oidc \(no secret\) or client-certificate/
    ],
    [
      'a wrong password (AADSTS50126)',
      AUDITOR,
      'Wrong-Horse-0',
      /^::error::Invalid username or password for auditor@contoso\.onmicrosoft\.com \(AADSTS50126\): check 'username' and 'password'\.$/
    ],
    [
      'an unknown user (AADSTS50126)',
      `nobody@${DEFAULT_DOMAIN}`,
      PASSWORD,
      /^::error::Invalid username or password for nobody@contoso\.onmicrosoft\.com \(AADSTS50126\)/
    ],
    [
      'a locked account (AADSTS50053)',
      `locked.user@${DEFAULT_DOMAIN}`,
      PASSWORD,
      /^::error::The account locked\.user@contoso\.onmicrosoft\.com is locked \(AADSTS50053\).*unblock/
    ]
  ])('%s', async (_, username, password, message) => {
    const run = await runAction({
      inputs: inputs({ 'client-id': PUBLIC_CLIENT_ID, username, password }),
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    expect(commandLines(run, 'error')).toEqual([expect.stringMatching(message)])
    expect(tokenForms()).toHaveLength(1)
    expect(sim.requests.some((request) => request.target === 'users')).toBe(false)
    expect(visible(run)).not.toContain(password)
  })

  test('a confidential app without its secret: AADSTS7000218, says how to fix', async () => {
    const run = await runAction({
      inputs: inputs({ 'client-id': sim.clientId, username: AUDITOR, password: PASSWORD }),
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')).toEqual([
      expect.stringMatching(/AADSTS7000218.*'client-secret'.*Allow public client flows/)
    ])
  })

  test('a username without a password fails before any request', async () => {
    const run = await runAction({
      inputs: inputs({ 'client-id': PUBLIC_CLIENT_ID, username: AUDITOR }),
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')).toEqual([
      expect.stringMatching(/'password' is required with 'username'/)
    ])
    expect(sim.requests).toHaveLength(0)
  })
})
