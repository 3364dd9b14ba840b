import { RETRY } from '../constants.js'
import { GraphFailure } from '../errors.js'
import type { Credentials, Settings } from '../settings/settings.js'

/** What a Graph request reads: it decides the permission a 403 asks for. */
export type GraphResource =
  'users' | 'signInLogs' | 'groups' | 'roles' | 'roleEligibility' | 'subscribedSkus'

/** A Graph request as errors and logs name it. */
export interface GraphCall {
  resource: GraphResource
  /** For messages: "users page 3", "members of exclude-groups group …". */
  what: string
}

/** What an explanation needs beyond the answer: the tenant, and whether permissions are delegated. */
export type GraphErrorOptions = Pick<Settings, 'tenantId'> & {
  credentials: Pick<Credentials, 'method'>
}

const PERMISSIONS: Record<GraphResource, string> = {
  users: 'User.Read.All and AuditLog.Read.All',
  // List signIns documents both (a known issue makes Directory.Read.All necessary).
  signInLogs: 'AuditLog.Read.All and Directory.Read.All',
  groups: 'GroupMember.Read.All',
  // rbacapplication-list-roleassignments / -roledefinitions: least privileged.
  roles: 'RoleManagement.Read.Directory',
  // rbacapplication-list-roleeligibilityschedules lists RoleManagement.Read.Directory too (and
  // RoleEligibilitySchedule.Read.Directory, but not Directory.Read.All): one permission for both.
  roleEligibility: 'RoleManagement.Read.Directory',
  // subscribedsku-list: least privileged.
  subscribedSkus: 'LicenseAssignment.Read.All'
}

/** Graph's error body: `{ error: { code, message } }`. */
export function graphErrorOf(body: string): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } }
    return { code: parsed.error?.code, message: parsed.error?.message }
  } catch {
    return {}
  }
}

function permissionsHint(options: GraphErrorOptions, resource: GraphResource): string {
  const permissions = PERMISSIONS[resource]
  return options.credentials.method === 'password'
    ? `grant the app the delegated Microsoft Graph permission(s) ${permissions} with admin consent, and give the signed-in user a directory role that may read them (Reports Reader, Security Reader or Global Reader)`
    : `grant the app the Microsoft Graph application permission(s) ${permissions} with admin consent`
}

/** One message per failure a user will meet: what failed and how to fix it. */
export function explainGraphError(
  status: number,
  body: string,
  call: GraphCall,
  options: GraphErrorOptions,
  /** For a 429 that outlasted the retries: how often and how long (RetryStrategy). */
  throttled?: string
): GraphFailure {
  const { what, resource } = call
  const { code, message } = graphErrorOf(body)
  // Graph's message ends with a period; ours goes on after it.
  const detail = message ? `: ${message.split(/\r?\n/)[0].replace(/\.\s*$/, '')}` : ''
  if (status === 403 && code === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant') {
    return new GraphFailure(
      `Graph refused ${what} (403 ${code}): reading sign-in activity needs a Microsoft Entra ID P1 or P2 licence in tenant ${options.tenantId}.`,
      status,
      code
    )
  }
  if (status === 403) {
    return new GraphFailure(
      `Graph denied ${what} (403 ${code ?? 'Forbidden'}${detail}): ${permissionsHint(options, resource)}.`,
      status,
      code
    )
  }
  if (status === 401) {
    return new GraphFailure(
      `Graph rejected the access token for ${what} even after a fresh one was fetched (401 ${code ?? 'Unauthorized'}${detail}): check the app's tenant and 'graph-endpoint'.`,
      status,
      code
    )
  }
  if (status === 404) {
    return new GraphFailure(
      `Graph found no ${what} (404 ${code ?? 'Not Found'}${detail}).`,
      status,
      code
    )
  }
  if (status === 400) {
    return new GraphFailure(
      `Graph rejected the request for ${what} (400 ${code ?? 'Bad Request'}${detail}).`,
      status,
      code
    )
  }
  if (status === 429) {
    return new GraphFailure(
      `Graph kept refusing ${what} with HTTP 429 (${code ?? 'no error code'}${detail}): ${throttled ?? 'throttled on every retry'}; run again later.`,
      status,
      code
    )
  }
  if ((RETRY.statuses as readonly number[]).includes(status)) {
    return new GraphFailure(
      `Graph kept answering HTTP ${status} for ${what} after ${RETRY.maxRetries} retries (${code ?? 'no error code'}${detail}); run again later.`,
      status,
      code
    )
  }
  return new GraphFailure(`Graph answered HTTP ${status} for ${what}${detail}.`, status, code)
}
