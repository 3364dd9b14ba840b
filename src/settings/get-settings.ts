import { parseBaseline } from '../baseline.js'
import { CLOUDS, CLOUD_NAMES, OFFERED_IN, type CloudName } from '../clouds.js'
import { Inputs, REPORT_BASENAME } from '../constants.js'
import { isGuid, parseExclusions } from '../exclusions.js'
import type { ActionIO } from '../io.js'
import {
  ACTIVITIES,
  FAIL_ON,
  GRAPH_VERSIONS,
  NEVER_SIGNED_IN,
  ON_STALE,
  REDACT,
  REPORT_FORMATS,
  SOURCES,
  USER_TYPES,
  type GraphVersion,
  type Source
} from './choices.js'
import { readCredentials, readSecrets } from './credentials.js'
import {
  artifactName,
  bool,
  choice,
  choices,
  fail,
  httpsBase,
  list,
  optionalText,
  optionalWholeNumber,
  outputDirectory,
  parseOrFail,
  readWorkspaceFile,
  text,
  wholeNumber
} from './input-helper.js'
import type { PolicySettings, Settings } from './settings.js'

const TENANT_DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i

/**
 * Reads and validates every input into one typed Settings before any network request. Throws
 * InputError naming the input on the first bad value met: the secrets are read first, so they are
 * masked before anything can log them; the credentials last, so a certificate is decoded only when
 * every other input is valid.
 */
export function getSettings(io: ActionIO, now: Date): Settings {
  const secrets = readSecrets(io)
  const identity = readIdentity(io)
  const endpoints = readEndpoints(io)
  const tiers = readTiers(io)
  const exclusions = readExclusions(io)
  const baselineFile = readBaselineFile(io)
  const verdict = readVerdict(io, baselineFile !== undefined)
  const output = readOutput(io)
  const { credentials, asked } = readCredentials(io, secrets, endpoints.cloud, now)
  return {
    ...identity,
    credentials,
    authMethodInput: asked,
    ...endpoints,
    policy: { ...tiers, ...verdict },
    ...exclusions,
    baselinePath: baselineFile?.path,
    baseline: baselineFile && parseBaseline(baselineFile.text, baselineFile.path),
    ...output
  }
}

function readIdentity(io: ActionIO): Pick<Settings, 'tenantId' | 'clientId'> {
  const tenantId = text(io, Inputs.TenantId)
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
  const clientId = text(io, Inputs.ClientId)
  if (!isGuid(clientId))
    fail(Inputs.ClientId, clientId, 'must be the application (client) ID, a GUID')
  return { tenantId, clientId }
}

function readEndpoints(
  io: ActionIO
): Pick<Settings, 'cloud' | 'authorityHost' | 'graphEndpoint' | 'graphVersion' | 'source'> {
  const cloud = choice(io, Inputs.Cloud, CLOUD_NAMES, 'global')
  const graphVersion = choice(io, Inputs.GraphVersion, GRAPH_VERSIONS, 'beta')
  const source = choice(io, Inputs.Source, SOURCES, 'sign-in-activity')
  requireOffered(cloud, source, graphVersion)
  return {
    cloud,
    authorityHost: httpsBase(io, Inputs.AuthorityHost, CLOUDS[cloud].authorityHost),
    graphEndpoint: httpsBase(io, Inputs.GraphEndpoint, CLOUDS[cloud].graphEndpoint),
    graphVersion,
    source
  }
}

/**
 * A cloud × source × version that Microsoft's page says is not offered fails before any request,
 * pointing to the version that is: a request there could only fail.
 */
function requireOffered(cloud: CloudName, source: Source, graphVersion: GraphVersion): void {
  if (OFFERED_IN[source].versions[graphVersion].includes(cloud)) return
  const offered = GRAPH_VERSIONS.filter((version) =>
    OFFERED_IN[source].versions[version].includes(cloud)
  )
  fail(
    Inputs.GraphVersion,
    graphVersion,
    `with 'source' ${source} and 'cloud' ${cloud} must be ${offered.join(' or ')}: Microsoft's ${OFFERED_IN[source].api} page does not offer ${graphVersion} in that cloud (docs/setup.md, "What each cloud offers")`
  )
}

/** The inputs that decide a user's status. */
function readTiers(io: ActionIO): Omit<PolicySettings, 'failOn' | 'onStale' | 'maxStale'> {
  const thresholdDays = wholeNumber(io, Inputs.ThresholdDays, 1, 36500, 90)
  const warnDays = optionalWholeNumber(io, Inputs.WarnDays, 1, 36500)
  if (warnDays !== undefined && warnDays >= thresholdDays) {
    fail(Inputs.WarnDays, String(warnDays), `must be less than threshold-days (${thresholdDays})`)
  }
  return {
    thresholdDays,
    warnDays,
    guestThresholdDays: optionalWholeNumber(io, Inputs.GuestThresholdDays, 1, 36500),
    invitationDays: optionalWholeNumber(io, Inputs.InvitationDays, 1, 36500),
    privilegedThresholdDays: optionalWholeNumber(io, Inputs.PrivilegedThresholdDays, 1, 36500),
    activity: choice(io, Inputs.Activity, ACTIVITIES, 'successful'),
    neverSignedIn: choice(io, Inputs.NeverSignedIn, NEVER_SIGNED_IN, 'stale'),
    userTypes: choices(
      io,
      Inputs.UserTypes,
      USER_TYPES,
      USER_TYPES.join(','),
      'must be member, guest or both (comma-separated)'
    ),
    includeDisabled: bool(io, Inputs.IncludeDisabled, false),
    licensedOnly: bool(io, Inputs.LicensedOnly, false),
    includeAgents: bool(io, Inputs.IncludeAgents, false)
  }
}

function readExclusions(
  io: ActionIO
): Pick<Settings, 'exclusions' | 'excludeGroups' | 'excludeFile'> {
  const exclusions = parseOrFail(Inputs.Exclude, () =>
    parseExclusions(text(io, Inputs.Exclude), 'exclude', { quoteLines: true })
  )
  const excludeGroups = list(text(io, Inputs.ExcludeGroups))
  for (const group of excludeGroups) {
    if (!isGuid(group))
      fail(
        Inputs.ExcludeGroups,
        group,
        'must list group object IDs (GUIDs), one a line or comma-separated'
      )
  }
  const excludeFile = optionalText(io, Inputs.ExcludeFile)
  if (excludeFile) {
    const text = readWorkspaceFile(io, Inputs.ExcludeFile, excludeFile)
    exclusions.push(
      ...parseOrFail(Inputs.ExcludeFile, () =>
        parseExclusions(text, `exclude-file ${excludeFile}`, { quoteLines: false })
      )
    )
  }
  return { exclusions, excludeGroups, excludeFile }
}

/** The baseline report's text, read once; parsed after every other input is valid. */
function readBaselineFile(io: ActionIO): { path: string; text: string } | undefined {
  const path = text(io, Inputs.Baseline)
  if (path === '') return undefined
  return { path, text: readWorkspaceFile(io, Inputs.Baseline, path) }
}

/** The inputs that turn the counts into the run's result. */
function readVerdict(
  io: ActionIO,
  hasBaseline: boolean
): Pick<PolicySettings, 'failOn' | 'onStale' | 'maxStale'> {
  const failOn = choice(io, Inputs.FailOn, FAIL_ON, 'any')
  if (failOn === 'new' && !hasBaseline) {
    fail(Inputs.FailOn, failOn, "can be new only with a 'baseline' report to compare against")
  }
  return {
    failOn,
    onStale: choice(io, Inputs.OnStale, ON_STALE, 'fail'),
    maxStale: wholeNumber(io, Inputs.MaxStale, 0, 100_000_000, 0)
  }
}

/** Where the report, the artifact and the summary go, and how Graph is paged. */
function readOutput(
  io: ActionIO
): Pick<
  Settings,
  | 'reportDir'
  | 'reportFormats'
  | 'artifactName'
  | 'retentionDays'
  | 'jobSummary'
  | 'summaryRows'
  | 'redact'
  | 'pageSize'
  | 'requestTimeoutMs'
> {
  const formats = choices(
    io,
    Inputs.ReportFormats,
    REPORT_FORMATS,
    REPORT_FORMATS.join(','),
    'must be any of csv, json, html (comma-separated)'
  )
  return {
    reportDir: outputDirectory(io, Inputs.ReportDir, REPORT_BASENAME),
    reportFormats: {
      csv: formats.includes('csv'),
      json: formats.includes('json'),
      html: formats.includes('html')
    },
    artifactName: artifactName(io, Inputs.ArtifactName),
    // GitHub's most for any repository (private and internal; public: 90). Above the repository's
    // own setting the artifact toolkit uses that setting and warns (report/artifact.ts).
    retentionDays: optionalWholeNumber(io, Inputs.RetentionDays, 1, 400),
    jobSummary: bool(io, Inputs.JobSummary, true),
    summaryRows: wholeNumber(io, Inputs.SummaryRows, 0, 10000, 50),
    redact: choice(io, Inputs.Redact, REDACT, 'none'),
    pageSize: wholeNumber(io, Inputs.PageSize, 1, 500, 500),
    requestTimeoutMs: wholeNumber(io, Inputs.RequestTimeout, 1, 600, 60) * 1000
  }
}
