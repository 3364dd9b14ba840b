import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { tmpdir } from 'node:os'
import { readCertificate, type CertificateCredential } from './auth/certificate.js'
import { CLOUDS, CLOUD_NAMES, type CloudName } from './clouds.js'
import { Inputs, REPORT_BASENAME } from './constants.js'
import { isGuid, parseExclusions, type ExclusionRule } from './exclusions.js'
import { InputError } from './errors.js'
import { maskSecret, type ActionIO } from './io.js'

export type AuthMethod = 'client-secret' | 'client-certificate' | 'github-oidc' | 'password'
export type Activity = 'successful' | 'any' | 'interactive'
export type UserType = 'member' | 'guest'
export type Source = 'sign-in-activity' | 'sign-in-logs'
export type Redact = 'none' | 'summary' | 'all'

/** How the action signs in; each variant holds exactly what its flow needs. */
export type Credentials =
  | { method: 'client-secret'; clientSecret: string }
  | ({ method: 'client-certificate' } & CertificateCredential)
  | { method: 'github-oidc'; audience: string }
  | { method: 'password'; username: string; password: string; clientSecret?: string }

/** Policy inputs: what pure evaluation needs, and what the report echoes. */
export interface PolicySettings {
  /** A user inactive this many days or more is stale. */
  thresholdDays: number
  /** Optional lower tier; inactive this long (and under the threshold) is `warn`. */
  warnDays?: number
  activity: Activity
  neverSignedIn: 'stale' | 'ignore'
  userTypes: UserType[]
  includeDisabled: boolean
  failOn: 'any' | 'new'
  onStale: 'fail' | 'warn' | 'none'
  maxStale: number
}

export interface Settings {
  tenantId: string
  clientId: string
  credentials: Credentials
  /** The method as asked for (`auto` or explicit), for the log. */
  authMethodInput: string
  cloud: CloudName
  /** Base URL of the authority host (https, no trailing slash). */
  authorityHost: string
  /** Base URL of Microsoft Graph (https, no trailing slash); token scopes use its origin. */
  graphEndpoint: string
  graphVersion: 'beta' | 'v1.0'
  source: Source
  policy: PolicySettings
  /** Rules from `exclude` and `exclude-file`, expired ones included (the summary lists them). */
  exclusions: ExclusionRule[]
  excludeGroups: string[]
  excludeFile?: string
  baselinePath?: string
  reportDir: string
  reportFormats: { csv: boolean; json: boolean }
  /** '' means no upload. */
  artifactName: string
  retentionDays?: number
  jobSummary: boolean
  summaryRows: number
  redact: Redact
  pageSize: number
}

const SECRET_INPUTS = [
  Inputs.ClientSecret,
  Inputs.Password,
  Inputs.ClientCertificate,
  Inputs.ClientCertificatePassword
]

function fail(input: string, value: string, allowed: string): never {
  throw new InputError(`Input '${input}' ${allowed}; got "${value}".`)
}

function choice<T extends string>(
  io: ActionIO,
  input: Inputs,
  allowed: readonly T[],
  fallback: T
): T {
  const value = io.getInput(input) || fallback
  if (!(allowed as readonly string[]).includes(value)) {
    fail(input, value, `must be one of: ${allowed.join(', ')}`)
  }
  return value as T
}

function wholeNumber(io: ActionIO, input: Inputs, min: number, max: number, fallback?: number) {
  const value = io.getInput(input)
  if (value === '') {
    if (fallback === undefined) return undefined
    return fallback
  }
  const number = /^\d+$/.test(value) ? Number(value) : NaN
  if (!(number >= min && number <= max)) {
    fail(input, value, `must be a whole number from ${min} to ${max}`)
  }
  return number
}

function bool(io: ActionIO, input: Inputs, fallback: boolean): boolean {
  const value = io.getInput(input)
  if (value === '') return fallback
  if (/^true$/i.test(value)) return true
  if (/^false$/i.test(value)) return false
  return fail(input, value, 'must be true or false')
}

function list(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

/**
 * An https base URL (a path prefix is kept, e.g. for a gateway), without a trailing slash. Graph
 * versions belong in 'graph-version', not in the URL.
 */
function httpsBase(io: ActionIO, input: Inputs, fallback: string): string {
  const value = io.getInput(input)
  if (value === '') return fallback
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return fail(input, value, 'must be an https:// URL')
  }
  if (url.protocol !== 'https:' || url.username || url.password) {
    fail(input, value, 'must be an https:// URL (https only)')
  }
  if (url.search || url.hash)
    fail(input, value, 'must be an https:// URL without a query or fragment')
  if (/\/(v1\.0|beta)\/?$/i.test(url.pathname)) {
    fail(input, value, "must not end with the Graph version (set 'graph-version' instead)")
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

/** Reads a file named by an input, relative to the workspace. Errors name the input. */
function readWorkspaceFile(io: ActionIO, input: Inputs, path: string): string {
  const workspace = io.env.GITHUB_WORKSPACE || process.cwd()
  const full = isAbsolute(path) ? path : resolve(workspace, path)
  if (!existsSync(full))
    fail(input, path, `must name a file in the repository (not found at ${full})`)
  return readFileSync(full, 'utf8')
}

/** Reads every secret input first and masks it, before anything can log it. */
function readSecrets(io: ActionIO): Record<(typeof SECRET_INPUTS)[number], string> {
  const secrets = {} as Record<(typeof SECRET_INPUTS)[number], string>
  for (const input of SECRET_INPUTS) {
    const value = io.getInput(input)
    if (value !== '') maskSecret(io, value)
    secrets[input] = value
  }
  return secrets
}

const METHOD_NEEDS: Record<AuthMethod, string> = {
  'client-certificate':
    'client-certificate (PEM key + certificate), optional client-certificate-password',
  'client-secret': 'client-secret',
  password: 'username + password, optional client-secret',
  'github-oidc':
    "the runner's OIDC token (workflow permissions: id-token: write), optional oidc-audience"
}

function methodsHelp(): string {
  return Object.entries(METHOD_NEEDS)
    .map(([method, needs]) => `${method} (${needs})`)
    .join('; ')
}

function chooseMethod(io: ActionIO, secrets: ReturnType<typeof readSecrets>): AuthMethod {
  const asked = choice(
    io,
    Inputs.AuthMethod,
    ['auto', 'client-secret', 'client-certificate', 'github-oidc', 'password'] as const,
    'auto'
  )
  const username = io.getInput(Inputs.Username)
  const given = {
    certificate: secrets[Inputs.ClientCertificate] !== '',
    secret: secrets[Inputs.ClientSecret] !== '',
    username: username !== '',
    password: secrets[Inputs.Password] !== '',
    oidc: Boolean(io.env.ACTIONS_ID_TOKEN_REQUEST_URL)
  }
  if (asked === 'auto') {
    if (given.certificate) return 'client-certificate'
    if (given.secret && !given.username) return 'client-secret'
    if (given.username) {
      if (!given.password) {
        throw new InputError(
          "Input 'password' is required with 'username' (auth-method auto chose the password flow)."
        )
      }
      return 'password'
    }
    if (given.oidc) return 'github-oidc'
    throw new InputError(
      `Input 'auth-method' is auto but no way to sign in was given. Provide one of: ${methodsHelp()}.`
    )
  }
  const method = asked as AuthMethod
  const missing = (what: string): never => {
    throw new InputError(
      `Input 'auth-method' is ${method} but ${what}. ${method} needs ${METHOD_NEEDS[method]}.`
    )
  }
  const foreign = (inputs: string[]): void => {
    if (inputs.length > 0) {
      throw new InputError(
        `Input 'auth-method' is ${method} but ${inputs.join(', ')} ${inputs.length > 1 ? 'belong' : 'belongs'} to another method; remove ${inputs.length > 1 ? 'them' : 'it'} or choose that method.`
      )
    }
  }
  const certificateInputs = given.certificate ? ['client-certificate'] : []
  if (secrets[Inputs.ClientCertificatePassword] !== '')
    certificateInputs.push('client-certificate-password')
  const passwordInputs = [
    given.username ? 'username' : '',
    given.password ? 'password' : ''
  ].filter(Boolean)
  switch (method) {
    case 'client-secret':
      if (!given.secret) missing("'client-secret' is empty")
      foreign([...certificateInputs, ...passwordInputs])
      break
    case 'client-certificate':
      if (!given.certificate) missing("'client-certificate' is empty")
      foreign([...(given.secret ? ['client-secret'] : []), ...passwordInputs])
      break
    case 'password':
      if (!given.username || !given.password) missing("'username' and 'password' are both required")
      foreign(certificateInputs)
      break
    case 'github-oidc':
      if (!given.oidc) {
        missing(
          "the runner exposes no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set): add 'permissions: id-token: write' to the workflow or job"
        )
      }
      foreign([...(given.secret ? ['client-secret'] : []), ...certificateInputs, ...passwordInputs])
      break
  }
  return method
}

const TENANT_DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i

/**
 * Reads and validates every input into one typed Settings before any network request. The only
 * place that reads inputs. Throws InputError naming the input on the first bad value.
 */
export function getSettings(io: ActionIO, now: Date): Settings {
  const secrets = readSecrets(io)

  const tenantId = io.getInput(Inputs.TenantId)
  if (tenantId === '')
    fail(
      Inputs.TenantId,
      '',
      'is required: the tenant GUID or a verified domain (contoso.onmicrosoft.com)'
    )
  if (!isGuid(tenantId) && !TENANT_DOMAIN.test(tenantId)) {
    fail(
      Inputs.TenantId,
      tenantId,
      'must be a tenant GUID or a verified domain (contoso.onmicrosoft.com)'
    )
  }
  const clientId = io.getInput(Inputs.ClientId)
  if (!isGuid(clientId))
    fail(Inputs.ClientId, clientId, 'must be the application (client) ID, a GUID')

  const cloud = choice(io, Inputs.Cloud, CLOUD_NAMES, 'global')
  const authorityHost = httpsBase(io, Inputs.AuthorityHost, CLOUDS[cloud].authorityHost)
  const graphEndpoint = httpsBase(io, Inputs.GraphEndpoint, CLOUDS[cloud].graphEndpoint)
  const graphVersion = choice(io, Inputs.GraphVersion, ['beta', 'v1.0'] as const, 'beta')
  const source = choice(
    io,
    Inputs.Source,
    ['sign-in-activity', 'sign-in-logs'] as const,
    'sign-in-activity'
  )

  const thresholdDays = wholeNumber(io, Inputs.ThresholdDays, 1, 36500, 90)!
  const warnDays = wholeNumber(io, Inputs.WarnDays, 1, 36500)
  if (warnDays !== undefined && warnDays >= thresholdDays) {
    fail(Inputs.WarnDays, String(warnDays), `must be less than threshold-days (${thresholdDays})`)
  }
  const activity = choice(
    io,
    Inputs.Activity,
    ['successful', 'any', 'interactive'] as const,
    'successful'
  )
  const neverSignedIn = choice(io, Inputs.NeverSignedIn, ['stale', 'ignore'] as const, 'stale')
  const userTypesRaw = io.getInput(Inputs.UserTypes) || 'member,guest'
  const userTypes = [...new Set(list(userTypesRaw.toLowerCase()))]
  if (userTypes.length === 0 || userTypes.some((type) => type !== 'member' && type !== 'guest')) {
    fail(Inputs.UserTypes, userTypesRaw, 'must be member, guest or both (comma-separated)')
  }
  const includeDisabled = bool(io, Inputs.IncludeDisabled, false)

  const exclusions = parseOrFail(Inputs.Exclude, () =>
    parseExclusions(io.getInput(Inputs.Exclude), 'exclude')
  )
  const excludeGroups = list(io.getInput(Inputs.ExcludeGroups))
  for (const group of excludeGroups) {
    if (!isGuid(group))
      fail(
        Inputs.ExcludeGroups,
        group,
        'must list group object IDs (GUIDs), one a line or comma-separated'
      )
  }
  const excludeFile = io.getInput(Inputs.ExcludeFile) || undefined
  if (excludeFile) {
    const text = readWorkspaceFile(io, Inputs.ExcludeFile, excludeFile)
    exclusions.push(
      ...parseOrFail(Inputs.ExcludeFile, () => parseExclusions(text, `exclude-file ${excludeFile}`))
    )
  }
  const baselinePath = io.getInput(Inputs.Baseline) || undefined
  if (baselinePath) readWorkspaceFile(io, Inputs.Baseline, baselinePath)
  const failOn = choice(io, Inputs.FailOn, ['any', 'new'] as const, 'any')
  if (failOn === 'new' && !baselinePath) {
    fail(Inputs.FailOn, failOn, "can be new only with a 'baseline' report to compare against")
  }
  const onStale = choice(io, Inputs.OnStale, ['fail', 'warn', 'none'] as const, 'fail')
  const maxStale = wholeNumber(io, Inputs.MaxStale, 0, 100_000_000, 0)!

  const reportDirInput = io.getInput(Inputs.ReportDir)
  const reportDir = resolve(reportDirInput || join(io.env.RUNNER_TEMP || tmpdir(), REPORT_BASENAME))
  const formatsRaw = io.getInput(Inputs.ReportFormats) || 'csv,json'
  const formats = list(formatsRaw.toLowerCase())
  if (formats.length === 0 || formats.some((format) => format !== 'csv' && format !== 'json')) {
    fail(Inputs.ReportFormats, formatsRaw, 'must be csv, json or both (comma-separated)')
  }
  const artifactName = io.getInput(Inputs.ArtifactName)
  if (/[":<>|*?\\/\r\n]/.test(artifactName)) {
    fail(
      Inputs.ArtifactName,
      artifactName,
      'must not contain any of " : < > | * ? \\ / or line breaks (empty: no upload)'
    )
  }
  const retentionDays = wholeNumber(io, Inputs.RetentionDays, 1, 90)
  const jobSummary = bool(io, Inputs.JobSummary, true)
  const summaryRows = wholeNumber(io, Inputs.SummaryRows, 0, 10000, 50)!
  const redact = choice(io, Inputs.Redact, ['none', 'summary', 'all'] as const, 'none')
  const pageSize = wholeNumber(io, Inputs.PageSize, 1, 500, 500)!

  const audienceInput = io.getInput(Inputs.OidcAudience)
  const method = chooseMethod(io, secrets)
  let credentials: Credentials
  switch (method) {
    case 'client-secret':
      credentials = { method, clientSecret: secrets[Inputs.ClientSecret] }
      break
    case 'client-certificate':
      try {
        credentials = {
          method,
          ...readCertificate(
            secrets[Inputs.ClientCertificate],
            secrets[Inputs.ClientCertificatePassword],
            now
          )
        }
      } catch (error) {
        throw new InputError(`Input '${Inputs.ClientCertificate}' ${(error as Error).message}.`)
      }
      break
    case 'github-oidc':
      credentials = { method, audience: audienceInput || CLOUDS[cloud].oidcAudience }
      break
    case 'password':
      credentials = {
        method,
        username: io.getInput(Inputs.Username),
        password: secrets[Inputs.Password],
        clientSecret: secrets[Inputs.ClientSecret] || undefined
      }
      break
  }

  return {
    tenantId,
    clientId,
    credentials,
    authMethodInput: io.getInput(Inputs.AuthMethod) || 'auto',
    cloud,
    authorityHost,
    graphEndpoint,
    graphVersion,
    source,
    policy: {
      thresholdDays,
      warnDays,
      activity,
      neverSignedIn,
      userTypes: userTypes as UserType[],
      includeDisabled,
      failOn,
      onStale,
      maxStale
    },
    exclusions,
    excludeGroups,
    excludeFile,
    baselinePath,
    reportDir,
    reportFormats: { csv: formats.includes('csv'), json: formats.includes('json') },
    artifactName,
    retentionDays,
    jobSummary,
    summaryRows,
    redact,
    pageSize
  }
}

function parseOrFail<T>(input: Inputs, parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    throw new InputError(`Input '${input}': ${(error as Error).message}`)
  }
}
