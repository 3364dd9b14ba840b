import type { CertificateCredential } from '../auth/certificate.js'
import type { Baseline } from '../baseline.js'
import type { CloudName } from '../clouds.js'
import type { ExclusionRule } from '../exclusions.js'
import type {
  Activity,
  AuthMethodChoice,
  FailOn,
  GraphVersion,
  NeverSignedIn,
  OnStale,
  Redact,
  ReportFormat,
  Source,
  UserType
} from './choices.js'

/** How the action signs in; each variant holds exactly what its flow needs. */
export type Credentials =
  | {
      method: 'client-secret'
      /** `client-secret`, masked. */
      clientSecret: string
    }
  | ({ method: 'client-certificate' } & CertificateCredential)
  | {
      method: 'github-oidc'
      /** `oidc-audience`, or the cloud's default audience. */
      audience: string
    }
  | {
      method: 'password'
      /** `username`: the account that signs in (ROPC). */
      username: string
      /** `password`, masked. */
      password: string
      /** `client-secret` for a confidential app, if given. */
      clientSecret?: string
    }

/** Policy inputs: what pure evaluation needs, and what the report echoes. */
export interface PolicySettings {
  /** `threshold-days`: a user inactive this many days or more is stale. */
  thresholdDays: number
  /** `warn-days`: optional lower tier; inactive this long (and under the threshold) is `warn`. */
  warnDays?: number
  /** `guest-threshold-days`: guests are stale at this many days; undefined: `thresholdDays`. */
  guestThresholdDays?: number
  /** `invitation-days`: a pending invitation this old is stale; undefined: the guest threshold. */
  invitationDays?: number
  /** `privileged-threshold-days`: directory-role holders are stale at this; undefined: off. */
  privilegedThresholdDays?: number
  /** `licensed-only`: check only users holding a licence (others are skipped). */
  licensedOnly: boolean
  /** `include-agents`: check agent identities too (else they are skipped). */
  includeAgents: boolean
  /** `activity`: which sign-ins count as activity. */
  activity: Activity
  /** `never-signed-in`: whether a user without any sign-in is judged by age or left active. */
  neverSignedIn: NeverSignedIn
  /** `user-types`: the user types checked (others are skipped), without duplicates. */
  userTypes: UserType[]
  /** `include-disabled`: check disabled accounts too (else they are skipped). */
  includeDisabled: boolean
  /** `fail-on`: count every stale user, or only those not stale in the baseline. */
  failOn: FailOn
  /** `on-stale`: what more than max-stale counted users do to the run. */
  onStale: OnStale
  /** `max-stale`: counted stale users tolerated before on-stale applies. */
  maxStale: number
}

/** Every input, read and validated once (get-settings.ts) before any network request. */
export interface Settings {
  /** `tenant-id`: a GUID or a verified domain. */
  tenantId: string
  /** `client-id`: the application (client) ID, a GUID. */
  clientId: string
  /** The chosen sign-in flow with its secrets (already masked). */
  credentials: Credentials
  /** The method as asked for (`auto` or explicit), for the log. */
  authMethodInput: AuthMethodChoice
  /** `cloud`: the national cloud whose hosts are the defaults below. */
  cloud: CloudName
  /** Base URL of the authority host (https, no trailing slash). */
  authorityHost: string
  /** Base URL of Microsoft Graph (https, no trailing slash); token scopes use its origin. */
  graphEndpoint: string
  /** `graph-version`: the Graph API version in every request path. */
  graphVersion: GraphVersion
  /** `source`: where the last sign-ins come from. */
  source: Source
  /** The inputs that decide each user's status and the run's result. */
  policy: PolicySettings
  /** Rules from `exclude` and `exclude-file`, expired ones included (the summary lists them). */
  exclusions: ExclusionRule[]
  /** `exclude-groups`: group object IDs whose (transitive) members are excluded. */
  excludeGroups: string[]
  /** `exclude-file`: the path as given, when set. */
  excludeFile?: string
  /** `baseline`: the path of an earlier report as given, when set. */
  baselinePath?: string
  /** The earlier report at `baselinePath`, read and parsed once. */
  baseline?: Baseline
  /** `report-dir`, absolute (default: `$RUNNER_TEMP/entra-signin-report`). */
  reportDir: string
  /** `report-formats`: which report files are written. */
  reportFormats: Record<ReportFormat, boolean>
  /** `artifact-name`; '' means no upload. */
  artifactName: string
  /** `retention-days` of the artifact; undefined: the repository's default. */
  retentionDays?: number
  /** `job-summary`: write the job summary. */
  jobSummary: boolean
  /** `summary-rows`: most users listed in the summary. */
  summaryRows: number
  /** `redact`: where UPNs and names are masked (see report/redact.ts `redactorFor`). */
  redact: Redact
  /** `page-size`: users per Graph page ($top). */
  pageSize: number
  /** `request-timeout` in ms: how long a request may stay silent before it is sent again. */
  requestTimeoutMs: number
}
