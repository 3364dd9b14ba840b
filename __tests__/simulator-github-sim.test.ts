/**
 * The GitHub modules mounted on the simulator core: an OIDC token the real toolkit fetched is
 * accepted by the simulated Entra token endpoint as a federated client assertion (and refused for
 * a subject without a federated credential), and the real artifact client uploads to the core.
 */
import { request } from 'node:https'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGithubOidc, verifyOidcToken } from '../simulator/github.js'
import { createArtifactService } from '../simulator/artifact.js'
import { startSimulator } from '../simulator/server.js'
import type { Simulator } from '../simulator/server.js'
import { runFixture } from '../__fixtures__/route-harness.js'

function postForm(
  url: string,
  ca: string,
  form: Record<string, string>
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = new URLSearchParams(form).toString()
    const req = request(
      url,
      { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString()))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text) as Record<string, unknown>
          })
        )
      }
    )
    req.on('error', reject)
    req.end(data)
  })
}

describe('GitHub modules on the simulator core', () => {
  let sim: Simulator
  const oidc = createGithubOidc()
  const artifacts = createArtifactService()
  beforeAll(async () => {
    sim = await startSimulator()
    sim.addRoutes(oidc.route)
    sim.addRoutes(artifacts.route)
    sim.registerOidcIssuer(verifyOidcToken)
  })
  afterAll(async () => {
    await sim.close()
  })

  const exchange = (assertion: string) =>
    postForm(`${sim.origin}/${sim.tenantId}/oauth2/v2.0/token`, sim.caPem, {
      client_id: sim.clientId,
      grant_type: 'client_credentials',
      scope: `${sim.graphEndpoint}/.default`,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion
    })

  it('an OIDC token from the real toolkit is a federated client assertion Entra accepts', async () => {
    const child = await runFixture('oidc-get-token.mjs', ['api://AzureADTokenExchange'], {
      ...oidc.env(sim.origin),
      NODE_EXTRA_CA_CERTS: sim.caPath
    })
    expect(child.code).toBe(0)
    const res = await exchange(child.result?.token as string)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) })
    expect(sim.requests.map((r) => r.target)).toEqual(['oidc', 'token'])
  })

  it('a subject without a federated credential is refused with AADSTS700213', async () => {
    const other = createGithubOidc({ repository: 'octo-org/octo-repo', eventName: 'pull_request' })
    const res = await exchange(other.issue('api://AzureADTokenExchange'))
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.body.access_token).toBeUndefined()
    expect(String(res.body.error_description)).toMatch(
      /AADSTS700213.*repo:octo-org\/octo-repo:pull_request/s
    )
  })

  it('the real artifact client uploads to the core', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'artifact-sim-'))
    writeFileSync(join(dir, 'a.txt'), 'a')
    writeFileSync(join(dir, 'b.txt'), 'b')
    sim.resetRequests()
    const child = await runFixture(
      'artifact-upload.mjs',
      ['on-core', dir, '', '--', join(dir, 'a.txt'), join(dir, 'b.txt')],
      { ...artifacts.env(sim.origin), NODE_EXTRA_CA_CERTS: sim.caPath }
    )
    expect(child.result).toMatchObject({ id: 1 })
    expect(artifacts.artifacts()).toEqual([
      expect.objectContaining({ name: 'on-core', retentionDays: null, finalized: true })
    ])
    expect(sim.requests.every((r) => r.target === 'artifact' && r.status < 300)).toBe(true)
  })
})
