/** Input names, exactly as action.yml declares them. */
export enum Inputs {
  TenantId = 'tenant-id',
  ClientId = 'client-id',
  AuthMethod = 'auth-method',
  ClientSecret = 'client-secret',
  ClientCertificate = 'client-certificate',
  ClientCertificatePassword = 'client-certificate-password',
  Username = 'username',
  Password = 'password',
  OidcAudience = 'oidc-audience',
  Cloud = 'cloud',
  AuthorityHost = 'authority-host',
  GraphEndpoint = 'graph-endpoint',
  GraphVersion = 'graph-version',
  Source = 'source',
  ThresholdDays = 'threshold-days',
  WarnDays = 'warn-days',
  GuestThresholdDays = 'guest-threshold-days',
  InvitationDays = 'invitation-days',
  PrivilegedThresholdDays = 'privileged-threshold-days',
  LicensedOnly = 'licensed-only',
  IncludeAgents = 'include-agents',
  Activity = 'activity',
  NeverSignedIn = 'never-signed-in',
  UserTypes = 'user-types',
  IncludeDisabled = 'include-disabled',
  Exclude = 'exclude',
  ExcludeGroups = 'exclude-groups',
  ExcludeFile = 'exclude-file',
  Baseline = 'baseline',
  FailOn = 'fail-on',
  OnStale = 'on-stale',
  MaxStale = 'max-stale',
  ReportDir = 'report-dir',
  ReportFormats = 'report-formats',
  ArtifactName = 'artifact-name',
  RetentionDays = 'retention-days',
  JobSummary = 'job-summary',
  SummaryRows = 'summary-rows',
  Redact = 'redact',
  PageSize = 'page-size',
  RequestTimeout = 'request-timeout'
}

/** Output names, exactly as action.yml declares them. */
export enum Outputs {
  Result = 'result',
  UserCount = 'user-count',
  CheckedCount = 'checked-count',
  StaleCount = 'stale-count',
  WarnCount = 'warn-count',
  NeverSignedInCount = 'never-signed-in-count',
  ExcludedCount = 'excluded-count',
  NewStaleCount = 'new-stale-count',
  PendingInvitationCount = 'pending-invitation-count',
  PrivilegedStaleCount = 'privileged-stale-count',
  LicensedStaleCount = 'licensed-stale-count',
  ReportDir = 'report-dir',
  ReportJson = 'report-json',
  ReportCsv = 'report-csv',
  ArtifactId = 'artifact-id',
  ArtifactUrl = 'artifact-url'
}

/** Base name of the report files in `report-dir`. */
export const REPORT_BASENAME = 'entra-signin-report'

/** Entra records `lastSuccessfulSignInDateTime` from this instant on (see DESIGN.md, Policy). */
export const SUCCESSFUL_SIGN_IN_RECORDING_START = Date.parse('2023-12-01T00:00:00Z')

/** Any date before this is a "never" sentinel (Graph writes 0001-01-01T00:00:00Z). */
export const SENTINEL_BEFORE = Date.parse('1971-01-01T00:00:00Z')

/** Retry policy for Graph and artifact calls (DESIGN.md, Decisions). */
export const RETRY = {
  statuses: [429, 500, 502, 503, 504],
  maxRetries: 4,
  backoffSeconds: [1, 2, 4, 8],
  /** A Retry-After longer than this is not waited for: the run fails instead of hanging. */
  maxRetryAfterSeconds: 300,
  /** A body cut off, or a 2xx body that is not what it must be, is sent again at most this often. */
  maxBodyRetries: 2
} as const

/**
 * Throttling (429) is retried apart from failures: a request may be refused this many times in
 * a row, and kept waiting this long in all, before the run ends in error. A run that makes
 * progress is never ended by throttling (see graph/retry.ts).
 */
export const THROTTLE = {
  maxRefusals: 8,
  maxWaitMs: 10 * 60_000
} as const

/** A connection (TCP and TLS) must be open within this long (`request-timeout` covers the rest). */
export const CONNECT_TIMEOUT_MS = 30_000

/** Job summaries over 1 MiB are rejected by the runner; stay below with a margin. */
export const SUMMARY_MAX_BYTES = 1024 * 1024 - 16 * 1024

/** Graph JSON $batch holds at most 20 requests. */
export const BATCH_SIZE = 20
/** $batch requests in flight at once for the sign-in-log source. */
export const BATCH_CONCURRENCY = 4

/** Entra keeps sign-in logs this long at most (7 days without a premium licence). */
export const LOG_WINDOW_DAYS = 30
