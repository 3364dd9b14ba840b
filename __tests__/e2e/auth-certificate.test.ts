/**
 * Signing in with a certificate, end to end on the bundle: the PEM input (key + certificate,
 * chain allowed, encrypted key with its password) becomes a client assertion signed with the key,
 * carrying the SHA-256 thumbprint (x5t#S256) and the chain (x5c), verified by the simulated Entra
 * against the certificate registered on the app. Every bad PEM fails before any request.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import forge from 'node-forge'
import { runAction } from '../../__fixtures__/action.js'
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_ROLES,
  startSimulator,
  type Simulator
} from '../../simulator/server.js'
import { makeClientCertificate, type ClientCertificate } from '../../simulator/tls.js'
import { visible, commandLines, maskedValues } from './helpers.js'

/** A certificate for `key` signed by `issuer` (self-signed when absent), valid [from, to]. */
function certificate(options: {
  key: forge.pki.rsa.KeyPair
  commonName: string
  from: Date
  to: Date
  issuer?: { key: forge.pki.rsa.KeyPair; commonName: string }
  ca?: boolean
}): string {
  const cert = forge.pki.createCertificate()
  cert.publicKey = options.key.publicKey
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15))
  cert.validity.notBefore = options.from
  cert.validity.notAfter = options.to
  cert.setSubject([{ name: 'commonName', value: options.commonName }])
  cert.setIssuer([{ name: 'commonName', value: (options.issuer ?? options).commonName }])
  if (options.ca) cert.setExtensions([{ name: 'basicConstraints', cA: true }])
  cert.sign((options.issuer ?? options).key.privateKey, forge.md.sha256.create())
  return forge.pki.certificateToPem(cert)
}

const DAY = 86_400_000
const keyPair = () => forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 })
const pemOf = (pair: forge.pki.rsa.KeyPair) =>
  createPrivateKey(forge.pki.privateKeyToPem(pair.privateKey))
    .export({ type: 'pkcs8', format: 'pem' })
    .toString()

/** The PEM without its first full base64 line (a copy-paste accident). */
function dropLine(pem: string): string {
  const dropped = pem.replace(/\n[A-Za-z0-9+/=]{64}\r?\n/, '\n')
  if (dropped === pem) throw new Error('dropLine: no 64-character line to drop')
  return dropped
}

/** The base64 lines of a PEM body (what a leak would show). */
const bodyLines = (pem: string) =>
  pem.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'))

function decodeJwt(jwt: string): {
  header: Record<string, unknown>
  payload: Record<string, unknown>
} {
  const [header, payload] = jwt
    .split('.')
    .slice(0, 2)
    .map(
      (part) =>
        JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>
    )
  return { header, payload }
}

let sim: Simulator
let registered: ClientCertificate
/** A certificate issued by an intermediate CA, and the CA's certificate. */
let chained: { keyPem: string; leafPem: string; caPem: string }

beforeAll(async () => {
  registered = makeClientCertificate('entra-signin-check e2e')
  const caKey = keyPair()
  const leafKey = keyPair()
  const caPem = certificate({
    key: caKey,
    commonName: 'e2e issuing CA',
    from: new Date(Date.now() - DAY),
    to: new Date(Date.now() + 30 * DAY),
    ca: true
  })
  const leafPem = certificate({
    key: leafKey,
    commonName: 'entra-signin-check chained',
    from: new Date(Date.now() - DAY),
    to: new Date(Date.now() + 30 * DAY),
    issuer: { key: caKey, commonName: 'e2e issuing CA' }
  })
  chained = { keyPem: pemOf(leafKey), leafPem, caPem }
  sim = await startSimulator({
    apps: [
      {
        clientId: DEFAULT_CLIENT_ID,
        // No secret: only the registered certificates sign this app in.
        certificates: [registered.certPem, chained.leafPem],
        roles: [...DEFAULT_ROLES]
      }
    ]
  })
})
afterAll(() => sim.close())
beforeEach(() => sim.resetRequests())

const inputs = (extra: Record<string, string>) => ({
  'tenant-id': sim.tenantId,
  'client-id': sim.clientId,
  'authority-host': sim.authorityHost,
  'graph-endpoint': sim.graphEndpoint,
  ...extra
})

const tokenForm = () => {
  const requests = sim.requests.filter((request) => request.target === 'token')
  expect(requests).toHaveLength(1)
  return requests[0].form ?? {}
}

describe('a valid certificate', () => {
  test('signs in with an assertion carrying x5t#S256 = the thumbprint and x5c, no secret', async () => {
    const run = await runAction({
      inputs: inputs({ 'client-certificate': `${registered.keyPem}\n${registered.certPem}` }),
      caPath: sim.caPath
    })
    expect(run.stdout).toContain('with client-certificate (auth-method: auto)')
    expect(run.outputs['user-count']).toBe(String(sim.tenant.count))

    const form = tokenForm()
    expect(form).not.toHaveProperty('client_secret')
    expect(form).toMatchObject({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      scope: `${sim.graphEndpoint}/.default`
    })
    const { header, payload } = decodeJwt(form.client_assertion)
    expect(Buffer.from(String(header['x5t#S256']), 'base64url').toString('hex').toUpperCase()).toBe(
      registered.thumbprintSha256
    )
    expect(header.x5c).toEqual([new X509Certificate(registered.certPem).raw.toString('base64')])
    expect(payload).toMatchObject({ iss: sim.clientId, sub: sim.clientId })

    // Neither the key nor the assertion nor the access token is ever shown.
    const accessToken = String(
      sim.requests.find((request) => request.target === 'users')?.headers.authorization
    ).replace(/^Bearer /, '')
    const shown = visible(run)
    for (const line of bodyLines(registered.keyPem)) expect(shown).not.toContain(line)
    // Every line of the key is masked, each mask sent once (the input and the key msal gets
    // share lines).
    const masked = maskedValues(run)
    for (const line of bodyLines(registered.keyPem)) expect(masked).toContain(line)
    expect(new Set(masked).size).toBe(masked.length)
    expect(shown).not.toContain(form.client_assertion)
    expect(shown).not.toContain(form.client_assertion.split('.')[2])
    expect(shown).not.toContain(accessToken)
  })

  test('the certificate may come first and bring its chain: leaf first in x5c', async () => {
    const run = await runAction({
      inputs: inputs({
        'auth-method': 'client-certificate',
        'client-certificate': `${chained.caPem}\n${chained.leafPem}\n${chained.keyPem}`
      }),
      caPath: sim.caPath
    })
    expect(run.stdout).toContain('with client-certificate (auth-method: client-certificate)')
    expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
    const { header } = decodeJwt(tokenForm().client_assertion)
    expect(header.x5c).toEqual([
      new X509Certificate(chained.leafPem).raw.toString('base64'),
      new X509Certificate(chained.caPem).raw.toString('base64')
    ])
    expect(Buffer.from(String(header['x5t#S256']), 'base64url').toString('hex')).toBe(
      new X509Certificate(chained.leafPem).fingerprint256.replace(/:/g, '').toLowerCase()
    )
  })

  test.each([
    ['PKCS#8 (ENCRYPTED PRIVATE KEY)', 'pkcs8'],
    ['PKCS#1 (RSA PRIVATE KEY, Proc-Type: ENCRYPTED)', 'pkcs1']
  ] as const)('an encrypted %s key opens with client-certificate-password', async (_, type) => {
    const passphrase = 'Open-Sesame-42!'
    const encrypted = createPrivateKey(registered.keyPem)
      .export({ type, format: 'pem', cipher: 'aes-256-cbc', passphrase })
      .toString()
    const run = await runAction({
      inputs: inputs({
        'client-certificate': `${encrypted}${registered.certPem}`,
        'client-certificate-password': passphrase
      }),
      caPath: sim.caPath
    })
    expect(run.outputs['user-count']).toBe(String(sim.tenant.count))
    tokenForm()
    const shown = visible(run)
    expect(shown).not.toContain(passphrase)
    // Neither the encrypted input nor the decrypted key msal signs with appears anywhere.
    for (const line of [...bodyLines(encrypted), ...bodyLines(registered.keyPem)]) {
      expect(shown).not.toContain(line)
    }
  })

  test('a certificate the app does not know is refused by Entra with AADSTS700027 and the thumbprint', async () => {
    const stranger = makeClientCertificate('not registered')
    const run = await runAction({
      inputs: inputs({ 'client-certificate': `${stranger.keyPem}${stranger.certPem}` }),
      caPath: sim.caPath
    })
    expect(run.code).toBe(1)
    expect(commandLines(run, 'error')).toEqual([
      expect.stringContaining(
        `(AADSTS700027): upload the certificate (SHA-256 thumbprint ${stranger.thumbprintSha256.toLowerCase()})`
      )
    ])
  })
})

describe('a certificate input that cannot work fails before any request', () => {
  const cases: [string, () => Record<string, string>, RegExp][] = [
    [
      'an encrypted key without client-certificate-password',
      () => ({
        'client-certificate':
          createPrivateKey(registered.keyPem)
            .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' })
            .toString() + registered.certPem
      }),
      /'client-certificate' has an encrypted private key: set 'client-certificate-password'/
    ],
    [
      'an encrypted key with the wrong password',
      () => ({
        'client-certificate':
          createPrivateKey(registered.keyPem)
            .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' })
            .toString() + registered.certPem,
        'client-certificate-password': 'Wrong-Passphrase-7'
      }),
      /'client-certificate' has an encrypted private key that 'client-certificate-password' does not decrypt/
    ],
    [
      'a key that does not match the certificate',
      () => ({ 'client-certificate': `${chained.keyPem}${registered.certPem}` }),
      /'client-certificate' has a private key that does not match its certificate/
    ],
    [
      'an expired certificate',
      () => {
        const key = keyPair()
        const expired = certificate({
          key,
          commonName: 'expired e2e',
          from: new Date(Date.now() - 400 * DAY),
          to: new Date(Date.now() - 35 * DAY)
        })
        return { 'client-certificate': `${pemOf(key)}${expired}` }
      },
      /'client-certificate' has a certificate that expired on \d{4}-\d\d-\d\dT.*CN=expired e2e.*upload a new one/
    ],
    [
      'a certificate not valid yet',
      () => {
        const key = keyPair()
        const future = certificate({
          key,
          commonName: 'future e2e',
          from: new Date(Date.now() + 10 * DAY),
          to: new Date(Date.now() + 400 * DAY)
        })
        return { 'client-certificate': `${pemOf(key)}${future}` }
      },
      /'client-certificate' has a certificate that is not valid before/
    ],
    [
      'text that is not PEM at all',
      () => ({ 'client-certificate': 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' }),
      /'client-certificate' holds no PEM private key block/
    ],
    [
      'a key without its certificate',
      () => ({ 'client-certificate': registered.keyPem }),
      /'client-certificate' holds no PEM certificate block/
    ],
    [
      'a truncated certificate',
      () => ({
        'client-certificate': `${registered.keyPem}${dropLine(registered.certPem)}`
      }),
      /'client-certificate' has a certificate that cannot be read/
    ],
    [
      'a mangled key',
      () => ({
        'client-certificate': `${dropLine(registered.keyPem)}${registered.certPem}`
      }),
      /'client-certificate' has a private key that cannot be read/
    ]
  ]

  test.each(cases)('%s', async (_, given, message) => {
    const extra = given()
    expect(Object.values(extra).join('')).not.toBe('')
    const run = await runAction({ inputs: inputs(extra), caPath: sim.caPath })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    expect(commandLines(run, 'error')).toEqual([expect.stringMatching(message)])
    expect(sim.requests).toHaveLength(0)
    const shown = visible(run)
    for (const value of Object.values(extra)) {
      for (const line of bodyLines(value)) expect(shown).not.toContain(line)
    }
    if (extra['client-certificate-password'])
      expect(shown).not.toContain(extra['client-certificate-password'])
  })
})
