import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import forge from 'node-forge'
import { Inputs } from '../../src/constants.js'
import { InputError } from '../../src/errors.js'
import { getSettings } from '../../src/settings/get-settings.js'
import type { Settings } from '../../src/settings/settings.js'
import { FakeIO } from '../../__fixtures__/io.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const NOW = new Date('2025-06-15T12:00:00Z')
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const CLIENT = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
const SECRET = 'Sup3r~Secret.Value_ZZ9'
const PASSWORD = 'Pa55word!Hunter2'
const OIDC_ENV = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/token',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token'
}

let workspace: string

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'settings-test-'))
  writeFileSync(join(workspace, 'exclusions.txt'), 'admin@contoso.com # glass\n')
  writeFileSync(join(workspace, 'bad-exclusions.txt'), '# ok\nadmin@contoso.com\nnot a pattern\n')
  writeFileSync(join(workspace, 'baseline.json'), '{"schemaVersion":1,"users":[]}')
})

afterAll(() => rmSync(workspace, { recursive: true, force: true }))

function io(inputs: Record<string, string> = {}, env: Record<string, string> = {}): FakeIO {
  return new FakeIO(
    { 'tenant-id': TENANT, 'client-id': CLIENT, 'client-secret': SECRET, ...inputs },
    { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: '/tmp/runner-temp', ...env }
  )
}

function settings(inputs: Record<string, string> = {}, env: Record<string, string> = {}): Settings {
  return getSettings(io(inputs, env), NOW)
}

function inputError(fake: FakeIO): InputError {
  try {
    getSettings(fake, NOW)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('getSettings did not throw')
}

/** Inputs and defaults as action.yml declares them (a small reader for its flat inputs block). */
function actionYmlInputs(): Map<string, { required: boolean; default?: string }> {
  const text = readFileSync(join(ROOT, 'action.yml'), 'utf8')
  const block = text.slice(text.indexOf('\ninputs:') + 1, text.indexOf('\noutputs:'))
  const inputs = new Map<string, { required: boolean; default?: string }>()
  let current: { required: boolean; default?: string } | undefined
  for (const line of block.split('\n')) {
    const name = /^ {2}([a-z-]+):\s*$/.exec(line)
    if (name) {
      current = { required: false }
      inputs.set(name[1], current)
      continue
    }
    const field = /^ {4}(required|default):\s*(.*)$/.exec(line)
    if (field && current) {
      const raw = field[2].trim()
      const value = /^'.*'$|^".*"$/.test(raw) ? raw.slice(1, -1) : raw
      if (field[1] === 'required') current.required = value === 'true'
      else current.default = value
    }
  }
  return inputs
}

describe('defaults', () => {
  const yml = actionYmlInputs()

  test('action.yml declares exactly the inputs the code reads', () => {
    expect([...yml.keys()].sort()).toEqual(Object.values(Inputs).sort())
  })

  test('tenant-id and client-id are required, nothing else', () => {
    const required = [...yml].filter(([, input]) => input.required).map(([name]) => name)
    expect(required.sort()).toEqual(['client-id', 'tenant-id'])
  })

  // input, action.yml default, what the setting must be
  const documented: [string, string, (s: Settings) => unknown, unknown][] = [
    ['auth-method', 'auto', (s) => s.authMethodInput, 'auto'],
    ['cloud', 'global', (s) => s.cloud, 'global'],
    ['cloud', 'global', (s) => s.authorityHost, 'https://login.microsoftonline.com'],
    ['cloud', 'global', (s) => s.graphEndpoint, 'https://graph.microsoft.com'],
    ['graph-version', 'beta', (s) => s.graphVersion, 'beta'],
    ['source', 'sign-in-activity', (s) => s.source, 'sign-in-activity'],
    ['threshold-days', '90', (s) => s.policy.thresholdDays, 90],
    ['warn-days', '', (s) => s.policy.warnDays, undefined],
    ['activity', 'successful', (s) => s.policy.activity, 'successful'],
    ['never-signed-in', 'stale', (s) => s.policy.neverSignedIn, 'stale'],
    ['user-types', 'member,guest', (s) => s.policy.userTypes, ['member', 'guest']],
    ['include-disabled', 'false', (s) => s.policy.includeDisabled, false],
    ['exclude', '', (s) => s.exclusions, []],
    ['exclude-groups', '', (s) => s.excludeGroups, []],
    ['exclude-file', '', (s) => s.excludeFile, undefined],
    ['baseline', '', (s) => s.baselinePath, undefined],
    ['fail-on', 'any', (s) => s.policy.failOn, 'any'],
    ['on-stale', 'fail', (s) => s.policy.onStale, 'fail'],
    ['max-stale', '0', (s) => s.policy.maxStale, 0],
    ['report-dir', '', (s) => s.reportDir, resolve('/tmp/runner-temp/entra-signin-report')],
    [
      'report-formats',
      'csv,json,html',
      (s) => s.reportFormats,
      { csv: true, json: true, html: true }
    ],
    ['artifact-name', 'entra-signin-report', (s) => s.artifactName, 'entra-signin-report'],
    ['retention-days', '', (s) => s.retentionDays, undefined],
    ['job-summary', 'true', (s) => s.jobSummary, true],
    ['summary-rows', '50', (s) => s.summaryRows, 50],
    ['redact', 'none', (s) => s.redact, 'none'],
    ['page-size', '500', (s) => s.pageSize, 500],
    ['authority-host', '', (s) => s.authorityHost, 'https://login.microsoftonline.com'],
    ['graph-endpoint', '', (s) => s.graphEndpoint, 'https://graph.microsoft.com']
  ]

  const fromYml = () => {
    const inputs: Record<string, string> = {}
    for (const [name, input] of yml) if (input.default !== undefined) inputs[name] = input.default
    return settings({ ...inputs, 'client-secret': SECRET })
  }

  test.each(documented)('%s: action.yml default is %p', (input, expected) => {
    expect(yml.get(input)?.default ?? '').toBe(expected)
  })

  test.each(documented)(
    '%s: the action.yml default gives the documented setting',
    (_, __, read, value) => {
      expect(read(fromYml())).toEqual(value)
    }
  )

  test.each(documented.filter(([input]) => input !== 'artifact-name'))(
    '%s: an empty input means the same as the action.yml default',
    (_, __, read, value) => {
      expect(read(settings())).toEqual(value)
    }
  )

  test('oidc-audience defaults to empty: the per-cloud audience', () => {
    expect(yml.get('oidc-audience')?.default).toBe('')
    const fromDefaults = settings(
      { 'client-secret': '', cloud: 'us-gov', 'oidc-audience': '' },
      OIDC_ENV
    )
    expect(fromDefaults.credentials).toEqual({
      method: 'github-oidc',
      audience: 'api://AzureADTokenExchangeUSGov'
    })
  })

  test('without RUNNER_TEMP the report goes to the OS temp dir', () => {
    const fake = new FakeIO({ 'tenant-id': TENANT, 'client-id': CLIENT, 'client-secret': SECRET })
    expect(getSettings(fake, NOW).reportDir).toBe(resolve(tmpdir(), 'entra-signin-report'))
  })

  test('a verified domain is a tenant', () => {
    expect(settings({ 'tenant-id': 'contoso.onmicrosoft.com' }).tenantId).toBe(
      'contoso.onmicrosoft.com'
    )
  })

  test.each<[string, string, (s: Settings) => unknown, unknown]>([
    ['threshold-days', '30', (s) => s.policy.thresholdDays, 30],
    ['warn-days', '60', (s) => s.policy.warnDays, 60],
    ['user-types', 'Guest', (s) => s.policy.userTypes, ['guest']],
    ['user-types', 'member\nguest', (s) => s.policy.userTypes, ['member', 'guest']],
    ['include-disabled', 'TRUE', (s) => s.policy.includeDisabled, true],
    ['report-formats', 'json', (s) => s.reportFormats, { csv: false, json: true, html: false }],
    ['report-formats', 'HTML, csv', (s) => s.reportFormats, { csv: true, json: false, html: true }],
    ['artifact-name', '', (s) => s.artifactName, ''],
    ['retention-days', '1', (s) => s.retentionDays, 1],
    ['retention-days', '90', (s) => s.retentionDays, 90],
    ['retention-days', '400', (s) => s.retentionDays, 400],
    ['page-size', '1', (s) => s.pageSize, 1],
    ['summary-rows', '0', (s) => s.summaryRows, 0],
    ['max-stale', '25', (s) => s.policy.maxStale, 25],
    ['report-dir', 'out/report', (s) => s.reportDir, resolve('out/report')],
    ['source', 'sign-in-logs', (s) => s.source, 'sign-in-logs'],
    ['graph-version', 'v1.0', (s) => s.graphVersion, 'v1.0'],
    [
      'exclude-groups',
      'aaaaaaaa-0000-0000-0000-000000000001, bbbbbbbb-0000-0000-0000-000000000002',
      (s) => s.excludeGroups,
      ['aaaaaaaa-0000-0000-0000-000000000001', 'bbbbbbbb-0000-0000-0000-000000000002']
    ]
  ])('%s %p is read', (input, value, read, expected) => {
    expect(read(settings({ [input]: value }))).toEqual(expected)
  })

  test('exclude and exclude-file rules are read together, with their origins', () => {
    const result = settings({ exclude: 'svc-*@contoso.com', 'exclude-file': 'exclusions.txt' })
    expect(result.exclusions.map((rule) => [rule.pattern, rule.origin])).toEqual([
      ['svc-*@contoso.com', 'exclude line 1'],
      ['admin@contoso.com', 'exclude-file exclusions.txt line 1']
    ])
    expect(result.excludeFile).toBe('exclusions.txt')
  })

  test('fail-on new with a baseline', () => {
    const result = settings({ 'fail-on': 'new', baseline: 'baseline.json' })
    expect(result.policy.failOn).toBe('new')
    expect(result.baselinePath).toBe('baseline.json')
  })
})

describe('bad values', () => {
  // input, value, extra inputs, what the message must say is allowed
  const cases: [string, string, Record<string, string>, RegExp][] = [
    ['tenant-id', 'not a tenant', {}, /GUID or a verified domain/],
    ['tenant-id', 'https://login.microsoftonline.com/contoso', {}, /GUID or a verified domain/],
    ['client-id', 'my-app', {}, /GUID/],
    ['client-id', '04b07795-8ddb-461a-bbee', {}, /GUID/],
    [
      'auth-method',
      'kerberos',
      {},
      /auto, client-secret, client-certificate, github-oidc, password/
    ],
    ['cloud', 'germany', {}, /global, us-gov, us-gov-dod, china/],
    ['authority-host', 'http://login.example.test', {}, /https/],
    ['authority-host', 'https://login.example.test/?x=1', {}, /without a query/],
    ['authority-host', 'login.example.test', {}, /https/],
    ['authority-host', 'https://user:pw@login.example.test', {}, /https/],
    ['graph-endpoint', 'http://graph.example.test', {}, /https/],
    ['graph-endpoint', 'https://graph.example.test/beta', {}, /graph-version/],
    ['graph-endpoint', 'https://graph.example.test/?x=1', {}, /without a query/],
    ['graph-version', 'v2', {}, /beta, v1\.0/],
    ['graph-version', 'Beta', {}, /beta, v1\.0/],
    ['source', 'audit-logs', {}, /sign-in-activity, sign-in-logs/],
    ['threshold-days', '0', {}, /whole number from 1/],
    ['threshold-days', '-1', {}, /whole number from 1/],
    ['threshold-days', '1.5', {}, /whole number from 1/],
    ['threshold-days', 'abc', {}, /whole number from 1/],
    ['threshold-days', '90d', {}, /whole number from 1/],
    ['warn-days', '90', {}, /less than threshold-days \(90\)/],
    ['warn-days', '120', {}, /less than threshold-days \(90\)/],
    ['warn-days', '30', { 'threshold-days': '30' }, /less than threshold-days \(30\)/],
    ['warn-days', 'soon', {}, /whole number/],
    ['activity', 'last', {}, /successful, any, interactive/],
    ['never-signed-in', 'maybe', {}, /stale, ignore/],
    ['user-types', 'member,admin', {}, /member, guest or both/],
    ['user-types', ',', {}, /member, guest or both/],
    ['include-disabled', 'yes', {}, /true or false/],
    ['exclude', 'admin', {}, /exclude line 1/],
    ['exclude', 'a@contoso.com\nb@contoso.com until:someday', {}, /exclude line 2/],
    ['exclude-groups', 'break-glass', {}, /group object IDs/],
    ['exclude-groups', 'aaaaaaaa-0000-0000-0000-000000000001,oops', {}, /group object IDs/],
    ['exclude-file', 'missing/exclusions.txt', {}, /not found/],
    ['exclude-file', 'bad-exclusions.txt', {}, /exclude-file bad-exclusions.txt line 3/],
    ['baseline', 'missing/report.json', {}, /not found/],
    ['fail-on', 'new', {}, /baseline/],
    ['fail-on', 'all', {}, /any, new/],
    ['on-stale', 'error', {}, /fail, warn, none/],
    ['max-stale', '-1', {}, /whole number from 0/],
    ['max-stale', 'many', {}, /whole number from 0/],
    ['report-formats', 'xml', {}, /any of csv, json, html/],
    ['report-formats', 'csv,pdf', {}, /any of csv, json, html/],
    ['artifact-name', 'reports/entra', {}, /must not contain/],
    ['artifact-name', 'a:b', {}, /must not contain/],
    ['retention-days', '0', {}, /whole number from 1 to 400/],
    ['retention-days', '401', {}, /whole number from 1 to 400/],
    [
      'graph-version',
      'v1.0',
      { cloud: 'china', source: 'sign-in-logs' },
      /with 'source' sign-in-logs and 'cloud' china must be beta: Microsoft's List signIns page/
    ],
    ['job-summary', 'on', {}, /true or false/],
    ['summary-rows', 'all', {}, /whole number/],
    ['summary-rows', '-5', {}, /whole number/],
    ['redact', 'some', {}, /none, summary, all/],
    ['page-size', '0', {}, /whole number from 1 to 500/],
    ['page-size', '501', {}, /whole number from 1 to 500/],
    ['page-size', '999', {}, /whole number from 1 to 500/]
  ]

  test.each(cases)(
    '%s %p: an InputError naming the input, the value and what is allowed',
    (input, value, extra, allowed) => {
      const error = inputError(io({ ...extra, [input]: value }))
      expect(error.message).toContain(`'${input}'`)
      // The value (or, for multi-line ones, its bad line) is quoted.
      const shown =
        input === 'exclude' ? value.split('\n').pop()!.split(' ')[0] : value.split(',').pop()!
      expect(error.message).toContain(shown)
      // A file's content is never printed: its line number is.
      if (value === 'bad-exclusions.txt') expect(error.message).not.toContain('not a pattern')
      expect(error.message).toMatch(allowed)
      expect(error.message.split('\n')).toHaveLength(1)
    }
  )

  test.each(cases)('%s %p: no secret in the message', (input, value, extra) => {
    const error = inputError(
      io({
        password: PASSWORD,
        username: 'u@contoso.com',
        'auth-method': 'password',
        ...extra,
        [input]: value
      })
    )
    expect(error.message).not.toContain(SECRET)
    expect(error.message).not.toContain(PASSWORD)
  })

  test('a missing tenant-id is required', () => {
    const error = inputError(io({ 'tenant-id': '' }))
    expect(error.message).toContain("'tenant-id'")
    expect(error.message).toMatch(/required/)
  })

  test('a missing client-id is an error', () => {
    const error = inputError(io({ 'client-id': '' }))
    expect(error.message).toContain("'client-id'")
  })
})

describe('secrets', () => {
  test('every secret input is masked before any other input is read', () => {
    const fake = io({ password: PASSWORD, username: 'u@contoso.com', 'auth-method': 'password' })
    getSettings(fake, NOW)
    expect(fake.secrets).toEqual(expect.arrayContaining([SECRET, PASSWORD]))
    const secretInputs = new Set([
      'getInput:client-secret',
      'getInput:password',
      'getInput:client-certificate',
      'getInput:client-certificate-password'
    ])
    const firstOther = fake.events.findIndex(
      (event) => event.startsWith('getInput:') && !secretInputs.has(event)
    )
    const lastMask = fake.events.lastIndexOf('setSecret')
    expect(firstOther).toBeGreaterThan(-1)
    expect(lastMask).toBeLessThan(firstOther)
  })

  test('secrets are masked even when a later input is bad', () => {
    const fake = io({ password: PASSWORD, 'threshold-days': 'x' })
    expect(() => getSettings(fake, NOW)).toThrow(InputError)
    expect(fake.secrets).toEqual(expect.arrayContaining([SECRET, PASSWORD]))
  })

  test('nothing is logged while reading settings', () => {
    const fake = io()
    getSettings(fake, NOW)
    expect(fake.logLines).toEqual([])
  })
})

describe('auth-method auto', () => {
  test.each<[string, Record<string, string>, Record<string, string>, string]>([
    [
      'certificate and secret → certificate',
      { 'client-certificate': 'CERT' },
      {},
      'client-certificate'
    ],
    ['secret only → client-secret', {}, {}, 'client-secret'],
    ['secret with OIDC available → client-secret', {}, OIDC_ENV, 'client-secret'],
    [
      'secret with username and password → password',
      { username: 'u@contoso.com', password: PASSWORD },
      {},
      'password'
    ],
    [
      'username and password without a secret → password',
      { 'client-secret': '', username: 'u@contoso.com', password: PASSWORD },
      {},
      'password'
    ],
    [
      'nothing but the runner OIDC token → github-oidc',
      { 'client-secret': '' },
      OIDC_ENV,
      'github-oidc'
    ]
  ])('%s', (_, inputs, env, method) => {
    const resolved = { ...inputs }
    if (resolved['client-certificate'] === 'CERT') resolved['client-certificate'] = valid().pem
    const result = settings(resolved, env)
    expect(result.credentials.method).toBe(method)
    expect(result.authMethodInput).toBe('auto')
  })

  test('the password flow keeps an optional client secret', () => {
    const result = settings({ username: 'u@contoso.com', password: PASSWORD })
    expect(result.credentials).toEqual({
      method: 'password',
      username: 'u@contoso.com',
      password: PASSWORD,
      clientSecret: SECRET
    })
  })

  test('the password flow without a secret has none', () => {
    const result = settings({ 'client-secret': '', username: 'u@contoso.com', password: PASSWORD })
    expect(result.credentials).toMatchObject({ method: 'password', clientSecret: undefined })
  })

  test('nothing given → an error listing the four ways', () => {
    const error = inputError(io({ 'client-secret': '' }))
    expect(error.message).toContain("'auth-method'")
    for (const method of ['client-secret', 'client-certificate', 'github-oidc', 'password'])
      expect(error.message).toContain(method)
    expect(error.message).toContain('id-token: write')
  })

  test('a username without a password is an error naming password', () => {
    const error = inputError(io({ 'client-secret': '', username: 'u@contoso.com' }))
    expect(error.message).toContain('password')
  })
})

describe('auth-method explicit', () => {
  test.each<[string, Record<string, string>, Record<string, string>, RegExp]>([
    ['client-secret', { 'client-secret': '' }, {}, /'client-secret' is empty/],
    ['client-secret', { username: 'u@contoso.com' }, {}, /username belongs to another method/],
    [
      'client-secret',
      { 'client-certificate': 'x' },
      {},
      /client-certificate belongs to another method/
    ],
    [
      'client-secret',
      { 'client-certificate-password': 'pw' },
      {},
      /client-certificate-password belongs to another method/
    ],
    ['client-certificate', {}, {}, /'client-certificate' is empty/],
    [
      'client-certificate',
      { 'client-certificate': 'CERT' },
      {},
      /client-secret belongs to another method/
    ],
    ['password', { username: 'u@contoso.com' }, {}, /'username' and 'password' are both required/],
    ['password', { password: PASSWORD }, {}, /'username' and 'password' are both required/],
    [
      'password',
      { username: 'u@contoso.com', password: PASSWORD, 'client-certificate': 'x' },
      {},
      /client-certificate belongs to another method/
    ],
    ['github-oidc', { 'client-secret': '' }, {}, /id-token: write/],
    ['github-oidc', {}, OIDC_ENV, /client-secret belongs to another method/],
    [
      'github-oidc',
      { 'client-secret': '', username: 'u@contoso.com', password: PASSWORD },
      OIDC_ENV,
      /username, password belong to another method/
    ]
  ])('%s with %p → error', (method, inputs, env, message) => {
    const resolved = { ...inputs }
    if (resolved['client-certificate'] === 'CERT') resolved['client-certificate'] = valid().pem
    const error = inputError(io({ ...resolved, 'auth-method': method }, env))
    expect(error.message).toContain("'auth-method'")
    expect(error.message).toContain(method)
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain(SECRET)
    expect(error.message).not.toContain(PASSWORD)
  })

  test.each<[string, Record<string, string>, Record<string, string>]>([
    ['client-secret', {}, {}],
    ['password', { username: 'u@contoso.com', password: PASSWORD }, {}],
    ['github-oidc', { 'client-secret': '' }, OIDC_ENV]
  ])('%s with its inputs is accepted', (method, inputs, env) => {
    const result = settings({ ...inputs, 'auth-method': method }, env)
    expect(result.credentials.method).toBe(method)
    expect(result.authMethodInput).toBe(method)
  })

  test('client-certificate with a certificate and no secret is accepted', () => {
    const result = settings({
      'auth-method': 'client-certificate',
      'client-secret': '',
      'client-certificate': valid().pem
    })
    expect(result.credentials.method).toBe('client-certificate')
  })

  test('github-oidc takes oidc-audience when given', () => {
    const result = settings(
      { 'auth-method': 'github-oidc', 'client-secret': '', 'oidc-audience': 'api://custom' },
      OIDC_ENV
    )
    expect(result.credentials).toEqual({ method: 'github-oidc', audience: 'api://custom' })
  })
})

describe('clouds', () => {
  test.each([
    [
      'global',
      'https://login.microsoftonline.com',
      'https://graph.microsoft.com',
      'api://AzureADTokenExchange'
    ],
    [
      'us-gov',
      'https://login.microsoftonline.us',
      'https://graph.microsoft.us',
      'api://AzureADTokenExchangeUSGov'
    ],
    [
      'us-gov-dod',
      'https://login.microsoftonline.us',
      'https://dod-graph.microsoft.us',
      'api://AzureADTokenExchangeUSGov'
    ],
    [
      'china',
      'https://login.chinacloudapi.cn',
      'https://microsoftgraph.chinacloudapi.cn',
      'api://AzureADTokenExchangeChina'
    ]
  ])('%s sets authority, Graph and OIDC audience together', (cloud, authority, graph, audience) => {
    const result = settings({ cloud, 'client-secret': '' }, OIDC_ENV)
    expect(result.cloud).toBe(cloud)
    expect(result.authorityHost).toBe(authority)
    expect(result.graphEndpoint).toBe(graph)
    expect(result.credentials).toEqual({ method: 'github-oidc', audience })
  })

  test.each([
    ['https://login.example.test', 'https://login.example.test'],
    ['https://login.example.test/', 'https://login.example.test'],
    ['https://LOGIN.example.test:8443', 'https://login.example.test:8443'],
    ['https://127.0.0.1:9443/', 'https://127.0.0.1:9443']
  ])('authority-host %s overrides the cloud as the origin %s', (value, origin) => {
    const result = settings({ cloud: 'china', 'authority-host': value })
    expect(result.authorityHost).toBe(origin)
    expect(result.graphEndpoint).toBe('https://microsoftgraph.chinacloudapi.cn')
  })

  test('graph-endpoint overrides only Graph', () => {
    const result = settings({
      cloud: 'us-gov',
      'graph-endpoint': 'https://graph.example.test:8443/'
    })
    expect(result.graphEndpoint).toBe('https://graph.example.test:8443')
    expect(result.authorityHost).toBe('https://login.microsoftonline.us')
  })
})

// ---- client certificates -------------------------------------------------------------------

interface Made {
  pem: string
  certPem: string
  keyPem: string
  key: forge.pki.rsa.PrivateKey
  cert: forge.pki.Certificate
}

function keyPair() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' }
  })
}

/** A certificate for a new key, self-signed or signed by `issuer`. */
function makeCert(
  notBefore: string,
  notAfter: string,
  commonName = 'entra-signin-check test',
  issuer?: Made
): Made {
  const { publicKey, privateKey } = keyPair()
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey)
  cert.serialNumber = `0${Math.floor(Math.random() * 1e9).toString(16)}`
  cert.validity.notBefore = new Date(notBefore)
  cert.validity.notAfter = new Date(notAfter)
  const subject = [{ name: 'commonName', value: commonName }]
  cert.setSubject(subject)
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : subject)
  const key = forge.pki.privateKeyFromPem(privateKey)
  cert.sign(issuer ? issuer.key : key, forge.md.sha256.create())
  const certPem = forge.pki.certificateToPem(cert)
  return { pem: `${privateKey}${certPem}`, certPem, keyPem: privateKey, key, cert }
}

let validCert: Made | undefined
function valid(): Made {
  validCert ??= makeCert('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
  return validCert
}

function certSettings(pem: string, password = ''): Settings {
  return settings({
    'client-secret': '',
    'client-certificate': pem,
    'client-certificate-password': password
  })
}

function certError(pem: string, password = ''): InputError {
  return inputError(
    io({ 'client-secret': '', 'client-certificate': pem, 'client-certificate-password': password })
  )
}

describe('client-certificate', () => {
  test('a valid PEM: SHA-256 thumbprint, PKCS#8 key, chain and expiry', () => {
    const { pem, certPem } = valid()
    const result = certSettings(pem)
    if (result.credentials.method !== 'client-certificate') throw new Error('wrong method')
    const expected = new X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase()
    expect(result.credentials.thumbprintSha256).toBe(expected)
    expect(result.credentials.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/)
    expect(result.credentials.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    expect(createPrivateKey(result.credentials.privateKey).asymmetricKeyType).toBe('rsa')
    expect(new X509Certificate(result.credentials.certificateChain).fingerprint256).toBe(
      new X509Certificate(certPem).fingerprint256
    )
  })

  test('the certificate may come before the key', () => {
    const { keyPem, certPem } = valid()
    const result = certSettings(`${certPem}\n${keyPem}`)
    expect(result.credentials.method).toBe('client-certificate')
  })

  test('a PKCS#1 (RSA PRIVATE KEY) key is accepted and handed on as PKCS#8', () => {
    const { keyPem, certPem } = valid()
    const rsa = createPrivateKey(keyPem).export({ type: 'pkcs1', format: 'pem' }).toString()
    expect(rsa).toMatch(/BEGIN RSA PRIVATE KEY/)
    const result = certSettings(`${rsa}${certPem}`)
    if (result.credentials.method !== 'client-certificate') throw new Error('wrong method')
    expect(result.credentials.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/)
  })

  test('a chain: the leaf is found by its key, sent first, and its thumbprint used', () => {
    const ca = makeCert('2024-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'test CA')
    const leaf = makeCert('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'leaf', ca)
    const result = certSettings(`${ca.certPem}${leaf.keyPem}${leaf.certPem}`)
    if (result.credentials.method !== 'client-certificate') throw new Error('wrong method')
    const leafX509 = new X509Certificate(leaf.certPem)
    expect(result.credentials.thumbprintSha256).toBe(
      leafX509.fingerprint256.replace(/:/g, '').toLowerCase()
    )
    const blocks = result.credentials.certificateChain.match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g
    )!
    expect(blocks).toHaveLength(2)
    expect(new X509Certificate(blocks[0]).fingerprint256).toBe(leafX509.fingerprint256)
    expect(new X509Certificate(blocks[1]).fingerprint256).toBe(
      new X509Certificate(ca.certPem).fingerprint256
    )
  })

  test('every line of the PEM is masked', () => {
    const { pem } = valid()
    const fake = io({ 'client-secret': '', 'client-certificate': pem })
    getSettings(fake, NOW)
    expect(fake.secrets).toContain(pem.trim())
    const keyLine = pem.split('\n')[1]
    expect(fake.secrets).toContain(keyLine)
  })

  describe('encrypted key', () => {
    const passphrase = 'correct horse battery staple'
    const encrypted = () =>
      createPrivateKey(valid().keyPem)
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
        .toString()

    test('with the right password it is decrypted', () => {
      const result = certSettings(`${encrypted()}${valid().certPem}`, passphrase)
      if (result.credentials.method !== 'client-certificate') throw new Error('wrong method')
      expect(result.credentials.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/)
      expect(result.credentials.privateKey).not.toMatch(/ENCRYPTED/)
    })

    test('without a password: asks for client-certificate-password', () => {
      const error = certError(`${encrypted()}${valid().certPem}`)
      expect(error.message).toContain("'client-certificate'")
      expect(error.message).toMatch(/encrypted/)
      expect(error.message).toContain('client-certificate-password')
    })

    test('with the wrong password: says it does not decrypt, without the password', () => {
      const error = certError(`${encrypted()}${valid().certPem}`, 'Wrong-Passphrase-123')
      expect(error.message).toContain("'client-certificate'")
      expect(error.message).toMatch(/does not decrypt/)
      expect(error.message).not.toContain('Wrong-Passphrase-123')
      expect(error.message).not.toContain('BEGIN')
    })
  })

  test.each<[string, () => string, RegExp]>([
    [
      'a key that does not match the certificate',
      () => `${makeCert('2025-01-01', '2026-01-01').keyPem}${valid().certPem}`,
      /does not match its certificate/
    ],
    [
      'an expired certificate',
      () => makeCert('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z').pem,
      /expired on 2025-01-01T00:00:00.000Z/
    ],
    [
      'a certificate not valid yet',
      () => makeCert('2025-07-01T00:00:00Z', '2026-07-01T00:00:00Z').pem,
      /not valid before 2025-07-01/
    ],
    ['garbage text', () => 'this is not a PEM', /no PEM private key/],
    ['a key without certificate', () => valid().keyPem, /no PEM certificate/],
    ['a certificate without key', () => valid().certPem, /no PEM private key/],
    [
      'a broken key block',
      () =>
        `-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n${valid().certPem}`,
      /private key that cannot be read/
    ],
    [
      'a broken certificate block',
      () =>
        `${valid().keyPem}-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n`,
      /certificate that cannot be read/
    ]
  ])('%s → a clear InputError', (_, pem, message) => {
    const text = pem()
    const error = certError(text)
    expect(error.message).toContain("'client-certificate'")
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain('MII')
    expect(error.message.split('\n')).toHaveLength(1)
  })
})

describe('endpoint overrides', () => {
  test.each([
    ['https://graph.example.test', 'https://graph.example.test'],
    ['https://graph.example.test/', 'https://graph.example.test'],
    ['https://gateway.example.test/msgraph/', 'https://gateway.example.test/msgraph']
  ])('graph-endpoint %s is used as %s (a path prefix is kept)', (value, expected) => {
    expect(settings({ 'graph-endpoint': value }).graphEndpoint).toBe(expected)
  })
})

describe('cloud × source × graph-version: what Microsoft offers', () => {
  const CLOUDS = ['global', 'us-gov', 'us-gov-dod', 'china'] as const
  const refused = (cloud: string, source: string, version: string) => {
    try {
      getSettings(io({ cloud, source, 'graph-version': version }), NOW)
      return false
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      return true
    }
  }
  test.each(CLOUDS.flatMap((cloud) => [['beta'], ['v1.0']].map(([version]) => [cloud, version])))(
    'source sign-in-activity in %s on %s runs (List users is offered in every cloud)',
    (cloud, version) => {
      expect(refused(cloud, 'sign-in-activity', version)).toBe(false)
    }
  )
  test.each(CLOUDS.map((cloud) => [cloud, cloud !== 'global']))(
    'source sign-in-logs in %s: v1.0 refused is %p, beta always runs',
    (cloud, v1Refused) => {
      expect(refused(cloud, 'sign-in-logs', 'v1.0')).toBe(v1Refused)
      expect(refused(cloud, 'sign-in-logs', 'beta')).toBe(false)
    }
  )
})
