/**
 * The simulated GitHub side: the OIDC token endpoint driven by the real `@actions/core`
 * `getIDToken`, and the artifact service driven by the real `@actions/artifact` `uploadArtifact`,
 * each in a child process that trusts the simulator's CA through NODE_EXTRA_CA_CERTS.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import yauzl from 'yauzl'
import {
  GITHUB_OIDC_ISSUER,
  createGithubOidc,
  oidcSubject,
  verifyOidcToken
} from '../simulator/github.js'
import {
  ARTIFACT_TWIRP_PREFIX,
  buildRuntimeToken,
  createArtifactService,
  verifyRuntimeToken
} from '../simulator/artifact.js'
import type { Fault, RouteContext, SimRequest } from '../simulator/types.js'
import { runFixture, startHarness } from '../__fixtures__/route-harness.js'
import type { Harness } from '../__fixtures__/route-harness.js'

const decode = (jwt: string, part: 0 | 1): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[part], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >

function unzip(bytes: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'))
      const files = new Map<string, string>()
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry()
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'))
          const chunks: Buffer[] = []
          stream.on('data', (c: Buffer) => chunks.push(c))
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks).toString('utf8'))
            zip.readEntry()
          })
        })
      })
      zip.on('end', () => resolve(files))
      zip.on('error', reject)
      zip.readEntry()
    })
  })
}

/** A RouteContext for calling a route directly, without HTTP. */
function directCtx(faults: Fault[] = []): RouteContext {
  return {
    origin: 'https://127.0.0.1:1',
    nextFault: (target) => {
      const i = faults.findIndex((f) => f.target === target)
      return i >= 0 ? faults.splice(i, 1)[0] : undefined
    },
    record: () => undefined
  }
}

function twirpReq(method: string, token: string, body: object): SimRequest {
  return {
    method: 'POST',
    url: new URL(`https://127.0.0.1:1${ARTIFACT_TWIRP_PREFIX}${method}`),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body))
  }
}

describe('GitHub OIDC token endpoint', () => {
  const oidc = createGithubOidc()
  let sim: Harness
  beforeAll(async () => {
    sim = await startHarness([oidc.route])
  })
  afterAll(async () => {
    await sim.close()
  })
  beforeEach(() => {
    sim.faults.length = 0
    sim.requests.length = 0
  })

  const childEnv = (): Record<string, string> => ({
    ...oidc.env(sim.origin),
    NODE_EXTRA_CA_CERTS: sim.caPath
  })

  it('answers the real core.getIDToken with a token verifyOidcToken accepts', async () => {
    const before = oidc.audiences().length
    const child = await runFixture('oidc-get-token.mjs', ['api://AzureADTokenExchange'], childEnv())
    expect(child.result).toEqual({ token: expect.any(String) })
    expect(child.code).toBe(0)
    const token = child.result?.token as string
    const claims = verifyOidcToken(token)
    expect(claims).toMatchObject({
      iss: GITHUB_OIDC_ISSUER,
      aud: 'api://AzureADTokenExchange',
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
      repository: 'octo-org/octo-repo',
      ref: 'refs/heads/main'
    })
    expect(claims!.exp - claims!.iat).toBe(300)
    expect(claims!.nbf).toBeLessThanOrEqual(claims!.iat)
    expect(decode(token, 0)).toMatchObject({ alg: 'RS256', typ: 'JWT' })
    expect(oidc.audiences().slice(before)).toEqual(['api://AzureADTokenExchange'])
    // core masks the token it received
    expect(child.stdout).toContain(`::add-mask::${token}`)
    expect(sim.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/_oidc/token?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange',
        status: 200
      })
    ])
  })

  it('answers 401 to a wrong request bearer, and records no audience', async () => {
    const before = oidc.audiences().length
    const child = await runFixture('oidc-get-token.mjs', ['api://AzureADTokenExchange'], {
      ...childEnv(),
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-the-token'
    })
    expect(child.code).toBe(1)
    expect(String(child.result?.error)).toMatch(/401/)
    expect(sim.requests.map((r) => r.status)).toEqual([401])
    expect(oidc.audiences().length).toBe(before)
  })

  it('without the runner variables (no id-token: write) core fails before any request', async () => {
    const child = await runFixture('oidc-get-token.mjs', ['api://AzureADTokenExchange'], {
      NODE_EXTRA_CA_CERTS: sim.caPath
    })
    expect(String(child.result?.error)).toContain('ACTIONS_ID_TOKEN_REQUEST_URL')
    expect(sim.requests).toEqual([])
  })

  it('a transient 503 is retried by the toolkit; a persistent 500 fails it', async () => {
    sim.faults.push({ target: 'oidc', kind: 'status', status: 503 })
    const ok = await runFixture(
      'oidc-get-token.mjs',
      ['api://AzureADTokenExchangeUSGov'],
      childEnv()
    )
    expect(verifyOidcToken(ok.result?.token as string)?.aud).toBe('api://AzureADTokenExchangeUSGov')
    expect(sim.requests.map((r) => r.status)).toEqual([503, 200])

    sim.faults.length = 0
    sim.requests.length = 0
    sim.faults.push({ target: 'oidc', kind: 'status', status: 500, times: Infinity })
    const failed = await runFixture(
      'oidc-get-token.mjs',
      ['api://AzureADTokenExchange'],
      childEnv()
    )
    expect(failed.code).toBe(1)
    expect(String(failed.result?.error)).toMatch(/500/)
  })

  it('a reset fault is a network error for the toolkit', async () => {
    sim.faults.push({ target: 'oidc', kind: 'reset', times: Infinity })
    const failed = await runFixture(
      'oidc-get-token.mjs',
      ['api://AzureADTokenExchange'],
      childEnv()
    )
    expect(failed.code).toBe(1)
    expect(String(failed.result?.error)).toMatch(/ECONNRESET|socket hang up/)
  })

  it('derives the subject the way GitHub does, and configure changes later tokens', () => {
    expect(oidcSubject({ repository: 'a/b', environment: 'prod' })).toBe(
      'repo:a/b:environment:prod'
    )
    expect(oidcSubject({ repository: 'a/b', eventName: 'pull_request' })).toBe(
      'repo:a/b:pull_request'
    )
    expect(oidcSubject({ ref: 'refs/tags/v1' })).toBe('repo:octo-org/octo-repo:ref:refs/tags/v1')
    expect(oidcSubject({ subject: 'custom', environment: 'x' })).toBe('custom')
    const other = createGithubOidc({ repository: 'contoso/audit' })
    expect(verifyOidcToken(other.issue('x'))?.sub).toBe('repo:contoso/audit:ref:refs/heads/main')
    other.configure({ environment: 'prod' })
    const claims = verifyOidcToken(other.issue('x'))
    expect(claims?.sub).toBe('repo:contoso/audit:environment:prod')
    expect(claims?.environment).toBe('prod')
    // no audience requested: GitHub's default is the owner's URL
    expect(verifyOidcToken(other.issue())?.aud).toBe('https://github.com/contoso')
  })

  it('verifyOidcToken rejects tampered, expired, not-yet-valid, foreign and garbage tokens', () => {
    const t0 = Date.now()
    const token = oidc.issue('api://AzureADTokenExchange')
    expect(verifyOidcToken(token)).toBeDefined()
    expect(verifyOidcToken(token, { audience: 'api://AzureADTokenExchange' })).toBeDefined()
    expect(verifyOidcToken(token, { audience: 'api://other' })).toBeUndefined()

    const [h, p, s] = token.split('.')
    const claims = decode(token, 1)
    const forged = Buffer.from(
      JSON.stringify({ ...claims, sub: 'repo:evil/repo:ref:refs/heads/main' })
    )
    expect(verifyOidcToken(`${h}.${forged.toString('base64url')}.${s}`)).toBeUndefined()

    expect(verifyOidcToken(token, { now: () => t0 + 301_000 })).toBeUndefined()
    expect(verifyOidcToken(token, { now: () => t0 - 60_000 })).toBeUndefined()
    expect(verifyOidcToken(token, { now: () => t0 + 200_000 })).toBeDefined()
    expect(verifyOidcToken(token, { now: () => t0 + 301_000, checkTime: false })).toBeDefined()

    // same header and claims, signed by another key
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const foreign = sign('sha256', Buffer.from(`${h}.${p}`), privateKey).toString('base64url')
    expect(verifyOidcToken(`${h}.${p}.${foreign}`)).toBeUndefined()
    // alg none
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
    expect(verifyOidcToken(`${none}.${p}.`)).toBeUndefined()
    for (const junk of ['', 'a.b.c', 'x', `${h}.${p}`])
      expect(verifyOidcToken(junk)).toBeUndefined()
  })

  it('a revoke-token fault on oidc invalidates the tokens issued so far', async () => {
    const old = oidc.issue('api://AzureADTokenExchange')
    expect(verifyOidcToken(old)).toBeDefined()
    sim.faults.push({ target: 'oidc', kind: 'revoke-token' })
    const child = await runFixture('oidc-get-token.mjs', ['api://AzureADTokenExchange'], childEnv())
    expect(verifyOidcToken(child.result?.token as string)).toBeDefined()
    expect(verifyOidcToken(old)).toBeUndefined()
  })

  it('serves the JWKS and discovery document', async () => {
    const ctx = directCtx()
    const get = (path: string): SimRequest => ({
      method: 'GET',
      url: new URL(`https://127.0.0.1:1${path}`),
      headers: {},
      body: Buffer.alloc(0)
    })
    const disco = await oidc.route(get('/_oidc/.well-known/openid-configuration'), ctx)
    expect(disco?.body).toMatchObject({ issuer: GITHUB_OIDC_ISSUER })
    const jwks = (await oidc.route(get('/_oidc/.well-known/jwks'), ctx))?.body as {
      keys: Array<{ kid: string; kty: string }>
    }
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', kid: decode(oidc.issue('x'), 0).kid })
    expect(await oidc.route(get('/elsewhere'), ctx)).toBeUndefined()
  })
})

describe('artifact service', () => {
  let sim: Harness
  let work: string
  const files: string[] = []
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'artifact-test-'))
    mkdirSync(join(work, 'report'))
    writeFileSync(join(work, 'report', 'report.json'), '{"schemaVersion":1,"users":[]}\n')
    writeFileSync(join(work, 'report', 'report.csv'), 'id,userPrincipalName\n1,a@contoso.com\n')
    files.push(join(work, 'report', 'report.json'), join(work, 'report', 'report.csv'))
  })

  let service: ReturnType<typeof createArtifactService>
  beforeEach(async () => {
    service = createArtifactService()
    sim = await startHarness([service.route])
  })
  afterEach(async () => {
    await sim.close()
  })

  const childEnv = (): Record<string, string> => ({
    ...service.env(sim.origin),
    NODE_EXTRA_CA_CERTS: sim.caPath
  })
  const upload = (name: string, env = childEnv(), retention = '7') =>
    runFixture('artifact-upload.mjs', [name, join(work, 'report'), retention, '--', ...files], env)

  it('real listArtifacts and downloadArtifact of another job of the run get what it uploaded', async () => {
    expect(
      (
        await upload('report-a', {
          ...service.env(sim.origin, 'leg-a'),
          NODE_EXTRA_CA_CERTS: sim.caPath
        })
      ).code
    ).toBe(0)
    expect(
      (
        await upload('report-b', {
          ...service.env(sim.origin, 'leg-b'),
          NODE_EXTRA_CA_CERTS: sim.caPath
        })
      ).code
    ).toBe(0)
    const into = mkdtempSync(join(tmpdir(), 'artifact-download-'))
    const merge = await runFixture('artifact-download.mjs', [into], {
      ...service.env(sim.origin, 'merge'),
      NODE_EXTRA_CA_CERTS: sim.caPath
    })
    expect(merge.code).toBe(0)
    expect(merge.result).toMatchObject({
      artifacts: [
        { name: 'report-a', id: 1, digest: service.artifacts()[0].digest },
        { name: 'report-b', id: 2, digest: service.artifacts()[1].digest }
      ].sort((a, b) => b.id - a.id),
      downloads: [
        { name: 'report-b', digestMismatch: false },
        { name: 'report-a', digestMismatch: false }
      ]
    })
    for (const name of ['report-a', 'report-b']) {
      expect(readFileSync(join(into, name, 'report.csv'), 'utf8')).toBe(
        'id,userPrincipalName\n1,a@contoso.com\n'
      )
    }
    const requests = sim.requests.map((request) => request.path.split('?')[0].split('/').pop())
    expect(requests.filter((method) => method === 'GetSignedArtifactURL')).toHaveLength(2)
    // A token of another workflow run sees none of them.
    const stranger = await runFixture('artifact-download.mjs', [into], {
      ACTIONS_RESULTS_URL: `${sim.origin}/`,
      ACTIONS_RUNTIME_TOKEN: buildRuntimeToken(),
      NODE_EXTRA_CA_CERTS: sim.caPath
    })
    expect(stranger.result).toEqual({ artifacts: [], downloads: [] })
  })

  it('real uploadArtifact of two files succeeds and the stored zip holds both', async () => {
    const child = await upload('entra-signin-report')
    expect(child.result).toMatchObject({ id: 1, size: expect.any(Number) })
    expect(child.code).toBe(0)
    const [artifact] = service.artifacts()
    expect(artifact).toMatchObject({
      id: 1,
      name: 'entra-signin-report',
      finalized: true,
      retentionDays: 7,
      mimeType: 'application/zip',
      workflowRunBackendId: service.backendIds.workflowRunBackendId
    })
    expect(artifact.size).toBe(artifact.bytes.length)
    expect(child.result?.size).toBe(artifact.bytes.length)
    const sha = createHash('sha256').update(artifact.bytes).digest('hex')
    expect(artifact.digest).toBe(`sha256:${sha}`)
    expect(child.result?.digest).toBe(sha)
    const zip = await unzip(artifact.bytes)
    expect([...zip.keys()].sort()).toEqual(['report.csv', 'report.json'])
    expect(zip.get('report.csv')).toBe('id,userPrincipalName\n1,a@contoso.com\n')
    expect(zip.get('report.json')).toBe('{"schemaVersion":1,"users":[]}\n')
    // what the clients actually did
    const calls = sim.requests.map(
      (r) =>
        `${r.method} ${r.path.replace(/\?.*comp=(\w+).*/, '?comp=$1').replace(/\?.*sig=.*/, '')}`
    )
    expect(calls).toEqual([
      `POST ${ARTIFACT_TWIRP_PREFIX}CreateArtifact`,
      expect.stringMatching(/^PUT \/_artifact-blob\/actions-results\/[\w-]+\.zip\?comp=block$/),
      expect.stringMatching(/^PUT \/_artifact-blob\/actions-results\/[\w-]+\.zip\?comp=blocklist$/),
      `POST ${ARTIFACT_TWIRP_PREFIX}FinalizeArtifact`
    ])
  })

  it('a transient 500 on CreateArtifact is retried and the upload succeeds', async () => {
    sim.faults.push({ target: 'artifact', kind: 'status', status: 500 })
    const child = await upload('retried')
    expect(child.code).toBe(0)
    expect(sim.requests.slice(0, 2).map((r) => r.status)).toEqual([500, 200])
    expect(service.artifacts().map((a) => a.name)).toEqual(['retried'])
  })

  it('a persistent blob upload fault makes the upload finally fail', async () => {
    // let CreateArtifact through, then fail every blob request
    sim.faults.push({ target: 'artifact', kind: 'status', status: 500, after: 1, times: Infinity })
    const child = await upload('doomed')
    expect(child.code).toBe(1)
    expect(child.result?.error).toBeDefined()
    const blobTries = sim.requests.filter((r) => r.path.startsWith('/_artifact-blob/'))
    // the storage client tried more than once before giving up, and never finalized
    expect(blobTries.length).toBeGreaterThan(1)
    expect(blobTries.every((r) => r.status === 500)).toBe(true)
    expect(sim.requests.some((r) => r.path.includes('FinalizeArtifact'))).toBe(false)
    expect(service.artifacts()).toEqual([])
  }, 60_000)

  it('a reset on CreateArtifact fails at once: the Twirp client does not retry network errors', async () => {
    sim.faults.push({ target: 'artifact', kind: 'reset' })
    const child = await upload('reset')
    expect(child.code).toBe(1)
    expect(String(child.result?.error)).toMatch(
      /^Failed to CreateArtifact: Unable to make request: ECONNRESET/
    )
    expect(sim.requests).toHaveLength(1)
    expect(service.artifacts({ all: true })).toEqual([])
  })

  it('a persistent non-retryable fault on blob storage fails at once', async () => {
    sim.faults.push({ target: 'artifact', kind: 'status', status: 403, after: 1, times: Infinity })
    const child = await upload('denied')
    expect(child.code).toBe(1)
    expect(sim.requests.filter((r) => r.path.startsWith('/_artifact-blob/'))).toHaveLength(1)
    expect(service.artifacts()).toEqual([])
  })

  it('rejects a runtime token it did not issue, and a second artifact of the same name', async () => {
    const token = service.runtimeToken
    const [h, , s] = token.split('.')
    const forgedPayload = Buffer.from(JSON.stringify({ scp: 'Actions.Results:a:b', exp: 9e9 }))
    const forged = await upload('forged', {
      ...childEnv(),
      ACTIONS_RUNTIME_TOKEN: `${h}.${forgedPayload.toString('base64url')}.${s}`
    })
    expect(forged.code).toBe(1)
    expect(String(forged.result?.error)).toMatch(/401|unauthenticated|invalid or missing/)
    expect(sim.requests).toHaveLength(1)

    expect((await upload('twice')).code).toBe(0)
    const second = await upload('twice')
    expect(second.code).toBe(1)
    expect(String(second.result?.error)).toMatch(/409|already exists/)
    expect(service.artifacts()).toHaveLength(1)
  })

  it('GITHUB_SERVER_URL of a GHES host makes the client refuse before any request', async () => {
    const child = await upload('ghes', {
      ...childEnv(),
      GITHUB_SERVER_URL: 'https://github.contoso.com'
    })
    expect(child.code).toBe(1)
    expect(child.result?.name).toBe('GHESNotSupportedError')
    expect(sim.requests).toEqual([])
    // ghe.com (data residency) is not GHES
    const ok = await upload('ghe-com', {
      ...childEnv(),
      GITHUB_SERVER_URL: 'https://contoso.ghe.com'
    })
    expect(ok.code).toBe(0)
  })

  it('checks backend ids, upload presence, size and hash at finalize (direct calls)', async () => {
    const svc = createArtifactService({
      backendIds: { workflowRunBackendId: 'run', workflowJobRunBackendId: 'job' }
    })
    expect(verifyRuntimeToken(svc.runtimeToken)).toEqual({
      workflowRunBackendId: 'run',
      workflowJobRunBackendId: 'job'
    })
    expect(verifyRuntimeToken(buildRuntimeToken({}, Date.now() - 7 * 3600_000))).toBeUndefined()
    const ctx = directCtx()
    const ids = { workflow_run_backend_id: 'run', workflow_job_run_backend_id: 'job' }
    const otherToken = buildRuntimeToken({
      workflowRunBackendId: 'x',
      workflowJobRunBackendId: 'y'
    })
    expect(
      (await svc.route(twirpReq('CreateArtifact', otherToken, { ...ids, name: 'a' }), ctx))?.status
    ).toBe(403)
    const created = await svc.route(
      twirpReq('CreateArtifact', svc.runtimeToken, { ...ids, name: 'a' }),
      ctx
    )
    expect(created?.status).toBe(200)
    const url = new URL((created?.body as { signed_upload_url: string }).signed_upload_url)
    const finalize = (extra: object) =>
      svc.route(
        twirpReq('FinalizeArtifact', svc.runtimeToken, { ...ids, name: 'a', ...extra }),
        ctx
      )
    expect((await finalize({ size: '0' }))?.body).toMatchObject({ code: 'failed_precondition' })
    const put = (u: URL) =>
      svc.route(
        {
          method: 'PUT',
          url: u,
          headers: { 'x-ms-blob-type': 'BlockBlob' },
          body: Buffer.from('zipbytes')
        },
        ctx
      )
    const badSig = new URL(url)
    badSig.searchParams.set('sig', 'nope')
    expect((await put(badSig))?.status).toBe(403)
    expect((await put(url))?.status).toBe(201)
    expect((await finalize({ size: '3' }))?.body).toMatchObject({ code: 'invalid_argument' })
    expect((await finalize({ size: '8', hash: 'sha256:00' }))?.body).toMatchObject({
      code: 'invalid_argument'
    })
    const good = `sha256:${createHash('sha256').update('zipbytes').digest('hex')}`
    expect((await finalize({ size: '8', hash: good }))?.body).toEqual({
      ok: true,
      artifact_id: '1'
    })
    expect(svc.artifacts()[0].bytes.toString()).toBe('zipbytes')
    // download through a signed URL
    const signed = await svc.route(
      twirpReq('GetSignedArtifactURL', svc.runtimeToken, { ...ids, name: 'a' }),
      ctx
    )
    const dl = await svc.route(
      {
        method: 'GET',
        url: new URL((signed?.body as { signed_url: string }).signed_url),
        headers: {},
        body: Buffer.alloc(0)
      },
      ctx
    )
    expect(Buffer.from(dl?.body as Buffer).toString()).toBe('zipbytes')
  })
})
