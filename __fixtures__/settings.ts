import type { PolicySettings, Settings } from '../src/settings/settings.js'

/** The policy as action.yml's defaults give it. */
export function testPolicy(overrides: Partial<PolicySettings> = {}): PolicySettings {
  return {
    thresholdDays: 90,
    warnDays: undefined,
    guestThresholdDays: undefined,
    invitationDays: undefined,
    privilegedThresholdDays: undefined,
    licensedOnly: false,
    includeAgents: false,
    activity: 'successful',
    neverSignedIn: 'stale',
    userTypes: ['member', 'guest'],
    includeDisabled: false,
    failOn: 'any',
    onStale: 'fail',
    maxStale: 0,
    ...overrides
  }
}

/** A complete Settings for the global cloud and a client secret, for modules that take one. */
export function testSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    tenantId: '11111111-2222-3333-4444-555555555555',
    clientId: '66666666-7777-8888-9999-000000000000',
    credentials: { method: 'client-secret', clientSecret: 'not-a-real-secret' },
    authMethodInput: 'auto',
    cloud: 'global',
    authorityHost: 'https://login.microsoftonline.com',
    graphEndpoint: 'https://graph.microsoft.com',
    graphVersion: 'beta',
    source: 'sign-in-activity',
    policy: testPolicy(),
    exclusions: [],
    excludeGroups: [],
    excludeFile: undefined,
    baselinePath: undefined,
    reportDir: '/tmp/entra-signin-report',
    reportFormats: { csv: true, json: true, html: true },
    artifactName: 'entra-signin-report',
    retentionDays: undefined,
    jobSummary: true,
    summaryRows: 50,
    redact: 'none',
    pageSize: 500,
    requestTimeoutMs: 60_000,
    ...overrides
  }
}
