/**
 * The simulator's shared shapes. The simulator is a local HTTPS service (127.0.0.1, throwaway CA)
 * standing in for Entra ID, Microsoft Graph, GitHub's OIDC token endpoint and the artifact
 * service, for the tests, `npm run demo` and `npm run bench`.
 */
import type { IncomingHttpHeaders } from 'node:http'

/** A user exactly as Graph returns it; `signInActivity` may be absent, null or hold sentinels. */
export interface GraphUser {
  /** Set only on derived types: `#microsoft.graph.agentUser` (an agent identity, not a person). */
  '@odata.type'?: string
  id: string
  userPrincipalName: string
  displayName: string | null
  userType: 'Member' | 'Guest' | null
  accountEnabled: boolean | null
  createdDateTime?: string | null
  signInActivity?: {
    lastSignInDateTime?: string | null
    lastSignInRequestId?: string | null
    lastNonInteractiveSignInDateTime?: string | null
    lastNonInteractiveSignInRequestId?: string | null
    lastSuccessfulSignInDateTime?: string | null
    lastSuccessfulSignInRequestId?: string | null
  } | null
  mail?: string | null
  /** true: synced from on-premises; false: no longer synced; null: never synced (cloud-only). */
  onPremisesSyncEnabled?: boolean | null
  /** Guests invited through the invitation API: `PendingAcceptance` or `Accepted`; else null. */
  externalUserState?: string | null
  externalUserStateChangeDateTime?: string | null
  assignedLicenses?: Array<{ skuId: string; disabledPlans: string[] }>
}

/** A directory role (unifiedRoleDefinition); built-in roles have id = templateId. */
export interface SimRoleDefinition {
  id: string
  displayName: string
  isBuiltIn: boolean
}

/**
 * One active role assignment (unifiedRoleAssignment) or PIM eligibility
 * (unifiedRoleEligibilitySchedule): a role granted to a user, a role-assignable group or a
 * service principal.
 */
export interface SimRoleGrant {
  id: string
  principalId: string
  roleDefinitionId: string
  directoryScopeId: string
}

/** A principal that is not one of the tenant's users (a role-assignable group, an app). */
export interface SimPrincipal {
  '@odata.type': '#microsoft.graph.group' | '#microsoft.graph.servicePrincipal'
  id: string
  displayName: string
}

/** A subscription the tenant bought (subscribedSku), reduced to what the simulator serves. */
export interface SimSku {
  skuId: string
  skuPartNumber: string
  /** Licences bought (prepaidUnits.enabled). */
  enabled: number
}

/** The tenant's directory roles and subscriptions (roleManagement/directory, subscribedSkus). */
export interface RolesAndSkus {
  roleDefinitions: SimRoleDefinition[]
  roleAssignments: SimRoleGrant[]
  roleEligibilitySchedules: SimRoleGrant[]
  /** Groups and service principals that hold roles, by id. */
  principals: Record<string, SimPrincipal>
  subscribedSkus: SimSku[]
  /** Objects per page of the role lists (Graph pages them; the action must follow nextLink). */
  pageSize: number
}

/** One entry of `auditLogs/signIns` as Graph returns it (only the fields the action reads). */
export interface SignInLogEntry {
  id: string
  createdDateTime: string
  userId: string
  userPrincipalName: string
  appDisplayName: string
  isInteractive: boolean
  status: { errorCode: number; failureReason?: string | null }
}

/**
 * A tenant's users, addressable by index so a million-user tenant is generated lazily page by
 * page instead of being held in memory.
 */
export interface Tenant {
  readonly count: number
  user(index: number): GraphUser
  /** Sign-in log entries of one user, newest first (empty: none in the log window). */
  signIns(userId: string): SignInLogEntry[]
  /** Transitive members (user ids) of a group; undefined when the group does not exist. */
  groupMembers(groupId: string): string[] | undefined
  /** A user by object id (optional: used to fill selected fields of group members). */
  userById?(userId: string): GraphUser | undefined
  /** Directory roles and subscribed SKUs (absent: none, every list empty). */
  rolesAndSkus?(): RolesAndSkus
}

export interface SimApp {
  clientId: string
  /** Client secret accepted for this app. */
  secret?: string
  /** SHA-256 thumbprints (hex, any case) of certificates registered on the app. */
  certificateThumbprints?: string[]
  /** PEM certificates registered on the app (used to verify certificate client assertions). */
  certificates?: string[]
  /** GitHub OIDC subjects (`repo:o/r:ref:refs/heads/main`, …) with a federated credential. */
  federatedSubjects?: string[]
  /** Graph application permissions granted (e.g. User.Read.All, AuditLog.Read.All). */
  roles: string[]
  /** Public client: the password flow may be used without a secret. */
  publicClient?: boolean
  /** Delegated permissions consented for the password flow (default: the same names as `roles`). */
  delegatedScopes?: string[]
}

export interface SimAccount {
  username: string
  password: string
  /** Conditional access demands MFA: the password grant answers AADSTS50076. */
  mfaRequired?: boolean
  /** Account locked: AADSTS50053. */
  locked?: boolean
  /** Object id in id tokens and client_info (default: derived from the username). */
  objectId?: string
}

export interface SimTenantDirectory {
  /** Tenant GUID. */
  id: string
  /** Verified domains that resolve to this tenant (e.g. contoso.onmicrosoft.com). */
  domains: string[]
  /** Entra ID P1/P2: without it Graph answers signInActivity with 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant. */
  premium?: boolean
}

export type FaultTarget =
  | 'token' // the Entra token endpoint
  | 'users' // GET …/users pages
  | 'count' // GET …/users/$count
  | 'signIns' // GET …/auditLogs/signIns (direct or inside $batch)
  | 'batch' // POST …/$batch as a whole
  | 'batch-item' // one sub-request inside a $batch
  | 'groups' // GET …/groups/{id}/transitiveMembers
  | 'roleDefinitions' // GET …/roleManagement/directory/roleDefinitions
  | 'roleAssignments' // GET …/roleManagement/directory/roleAssignments
  | 'roleEligibilitySchedules' // GET …/roleManagement/directory/roleEligibilitySchedules
  | 'subscribedSkus' // GET …/subscribedSkus
  | 'oidc' // GitHub OIDC token request
  | 'artifact' // artifact service (Twirp or blob upload)

export interface Fault {
  target: FaultTarget
  /** Matching requests to let through before the fault starts (default 0). */
  after?: number
  /** How many matching requests it hits (default 1; Infinity = persistent). */
  times?: number
  /**
   * `status`: answer `status` (with `retryAfter` as the Retry-After header when given, and `body`
   * or a Graph-style error body); `revoke-token`: every token issued so far becomes invalid
   * (Graph answers 401 InvalidAuthenticationToken until a new token is used); `reset`: destroy the
   * socket (a network error); `hang`: never answer (the connection stays open and silent);
   * `truncate`: send the headers and half the body, then destroy the socket; `not-json`: answer
   * 200 with an HTML page (a proxy or gateway page instead of Graph's JSON). On `users` pages:
   * `repeat-user`: the page starts with the previous page's last user (a cursor moved back by a
   * user added while the list is read; on the first page: nothing to repeat); `drop-id`: the
   * page's first user has no `id`.
   */
  kind:
    | 'status'
    | 'revoke-token'
    | 'reset'
    | 'repeat-user'
    | 'drop-id'
    | 'hang'
    | 'truncate'
    | 'not-json'
  status?: number
  retryAfter?: string
  body?: unknown
}

/** What the simulator saw: every request, for assertions on request counts and contents. */
export interface RecordedRequest {
  method: string
  /** Path and query as received. */
  url: string
  target: FaultTarget | 'discovery' | 'other'
  /** Form fields of token requests (secrets included: tests assert on them, never logged). */
  form?: Record<string, string>
  headers: IncomingHttpHeaders
  at: number
  status: number
  /** A sub-request of a JSON `$batch` (its `url` is the sub-request's, relative to the version). */
  inBatch?: boolean
}

/** A request handed to a route module. */
export interface SimRequest {
  method: string
  url: URL
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface SimResponse {
  status: number
  headers?: Record<string, string>
  /** Objects are sent as JSON. */
  body?: string | Buffer | object
}

/**
 * A route module: answers the requests it owns, `undefined` for the rest. `fault` is the fault
 * (if any) that applies to this request, already counted; modules that have sub-requests (the
 * $batch) call `nextFault('batch-item')` themselves.
 */
export interface RouteContext {
  /** https://127.0.0.1:<port> (or the host name the request was made to). */
  origin: string
  nextFault(target: FaultTarget): Fault | undefined
  record(target: RecordedRequest['target'], extra?: Partial<RecordedRequest>): void
}
export type Route = (req: SimRequest, ctx: RouteContext) => Promise<SimResponse | undefined>
