/**
 * The directory roles and subscriptions Graph serves, for `beta` and `v1.0`, as Microsoft's
 * reference describes them (microsoftgraph/microsoft-graph-docs-contrib, api-reference/…/api/):
 * - `roleManagement/directory/roleDefinitions` (rbacapplication-list-roledefinitions):
 *   RoleManagement.Read.Directory, RoleManagement.Read.All, Directory.Read.All, or a ReadWrite one.
 * - `roleManagement/directory/roleAssignments` (rbacapplication-list-roleassignments): active
 *   assignments; `$filter`, `$expand` (principal, roleDefinition) and `$select`;
 *   RoleManagement.Read.Directory, RoleManagement.Read.All, Directory.Read.All, or a ReadWrite one.
 * - `roleManagement/directory/roleEligibilitySchedules` (rbacapplication-list-roleeligibilityschedules,
 *   unifiedRoleEligibilitySchedule): PIM eligibilities; `$select`, `$filter`, `$expand`;
 *   RoleEligibilitySchedule.Read.Directory, RoleManagement.Read.Directory, RoleManagement.Read.All
 *   or a ReadWrite one — Directory.Read.All is not listed, so it is not accepted here.
 * - `subscribedSkus` (subscribedsku-list): LicenseAssignment.Read.All, Directory.Read.All,
 *   Organization.Read.All, or a ReadWrite one; no query filters.
 * A principal is a user, a role-assignable group or a service principal (unifiedRoleAssignment);
 * an expanded principal carries its `@odata.type`. The docs give no page size for the role lists
 * and no `$top`: the simulator pages them at the tenant's `pageSize` and refuses `$top`.
 * `$filter` is refused too (the action reads every role, it never filters).
 */
import { TokenStore, type IssuedToken } from './tokens.js'
import type {
  FaultTarget,
  GraphUser,
  RolesAndSkus,
  SimResponse,
  SimRoleGrant,
  Tenant
} from './types.js'
import { graphError } from './http.js'

export type DirectoryTarget = Extract<
  FaultTarget,
  'roleDefinitions' | 'roleAssignments' | 'roleEligibilitySchedules' | 'subscribedSkus'
>

/** What a list call needs from the Graph module (its paging and JSON helpers). */
export interface DirectoryCall {
  version: string
  query: URLSearchParams
  origin: string
  /** The absolute next-page URL for an offset. */
  nextLink(offset: number): string
  /** The offset a `$skiptoken` carries (0 without one), undefined when it is not ours. */
  offset(): number | undefined
}

const READ_ROLES = [
  'RoleManagement.Read.Directory',
  'RoleManagement.Read.All',
  'Directory.Read.All',
  'RoleManagement.ReadWrite.Directory',
  'Directory.ReadWrite.All'
]
const READ_ELIGIBILITY = [
  'RoleEligibilitySchedule.Read.Directory',
  'RoleManagement.Read.Directory',
  'RoleManagement.Read.All',
  'RoleEligibilitySchedule.ReadWrite.Directory',
  'RoleManagement.ReadWrite.Directory'
]
const READ_SKUS = [
  'LicenseAssignment.Read.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Organization.Read.All',
  'Organization.ReadWrite.All'
]

const EMPTY: RolesAndSkus = {
  roleDefinitions: [],
  roleAssignments: [],
  roleEligibilitySchedules: [],
  principals: {},
  subscribedSkus: [],
  pageSize: 100
}

/** The directory list a GET path names, or undefined. */
export function directoryTarget(method: string, path: string): DirectoryTarget | undefined {
  if (method !== 'GET') return undefined
  if (/^\/subscribedSkus\/?$/i.test(path)) return 'subscribedSkus'
  const m =
    /^\/roleManagement\/directory\/(roleDefinitions|roleAssignments|roleEligibilitySchedules)\/?$/i.exec(
      path
    )
  if (!m) return undefined
  const lower = m[1].toLowerCase()
  if (lower === 'roledefinitions') return 'roleDefinitions'
  return lower === 'roleassignments' ? 'roleAssignments' : 'roleEligibilitySchedules'
}

/** Answers one directory list call (the token already authenticated). */
export function listDirectory(
  target: DirectoryTarget,
  call: DirectoryCall,
  token: IssuedToken,
  tenant: Tenant
): SimResponse {
  const data = tenant.rolesAndSkus?.() ?? EMPTY
  const needs =
    target === 'subscribedSkus'
      ? READ_SKUS
      : target === 'roleEligibilitySchedules'
        ? READ_ELIGIBILITY
        : READ_ROLES
  if (!TokenStore.grants(token, ...needs)) {
    return graphError(
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.'
    )
  }
  for (const unsupported of ['$filter', '$top', '$search', '$orderby']) {
    if (call.query.has(unsupported)) {
      return graphError(
        400,
        'Request_UnsupportedQuery',
        `The simulator does not support ${unsupported} on ${target}.`
      )
    }
  }
  if (target === 'subscribedSkus') return subscribedSkus(call, token, data)
  const expand = parseExpand(call.query.get('$expand'), target)
  if (typeof expand === 'string') return graphError(400, 'BadRequest', expand)

  const offset = call.offset()
  if (offset === undefined) {
    return graphError(
      400,
      'Directory_ExpiredPageToken',
      'The specified page token value has expired and can no longer be included in your request.'
    )
  }
  const definitions = new Map(data.roleDefinitions.map((d) => [d.id, d]))
  const all: object[] =
    target === 'roleDefinitions'
      ? data.roleDefinitions.map((d) => ({
          id: d.id,
          displayName: d.displayName,
          isBuiltIn: d.isBuiltIn,
          isEnabled: true,
          templateId: d.id
        }))
      : (target === 'roleAssignments' ? data.roleAssignments : data.roleEligibilitySchedules).map(
          (grant) => {
            const item: Record<string, unknown> = grantObject(target, grant)
            if (expand.has('principal')) item.principal = principalObject(grant, tenant, data)
            if (expand.has('roleDefinition')) {
              const d = definitions.get(grant.roleDefinitionId)
              item.roleDefinition = d
                ? { id: d.id, displayName: d.displayName, isBuiltIn: d.isBuiltIn, templateId: d.id }
                : null
            }
            return item
          }
        )
  const end = Math.min(offset + data.pageSize, all.length)
  const path = `roleManagement/directory/${target}`
  const body: Record<string, unknown> = {
    '@odata.context': `${call.origin}/${call.version}/$metadata#${path}${expand.size ? `(${[...expand].map((e) => `${e}()`).join(',')})` : ''}`
  }
  if (end < all.length) body['@odata.nextLink'] = call.nextLink(end)
  body.value = all.slice(offset, end)
  return ok(body)
}

function parseExpand(raw: string | null, target: DirectoryTarget): Set<string> | string {
  const out = new Set<string>()
  if (raw === null) return out
  for (const part of raw.split(',')) {
    const name = part.trim()
    const allowed = target === 'roleDefinitions' ? [] : ['principal', 'roleDefinition']
    if (!allowed.includes(name)) {
      return `Could not find a navigation property named '${name}' on ${target} (the simulator expands principal and roleDefinition, without nested options).`
    }
    out.add(name)
  }
  return out
}

function grantObject(target: DirectoryTarget, grant: SimRoleGrant): Record<string, unknown> {
  const base = {
    id: grant.id,
    principalId: grant.principalId,
    roleDefinitionId: grant.roleDefinitionId,
    directoryScopeId: grant.directoryScopeId,
    appScopeId: null
  }
  if (target === 'roleAssignments') return { ...base, resourceScope: grant.directoryScopeId }
  return {
    ...base,
    createdUsing: grant.id,
    createdDateTime: '2024-03-04T09:15:00Z',
    modifiedDateTime: null,
    status: 'Provisioned',
    memberType: 'Direct',
    scheduleInfo: {
      startDateTime: '2024-03-04T09:15:00Z',
      recurrence: null,
      expiration: { type: 'noExpiration', endDateTime: null, duration: null }
    }
  }
}

/** The expanded principal: a user, a group, a service principal, or null once it is deleted. */
function principalObject(
  grant: SimRoleGrant,
  tenant: Tenant,
  data: RolesAndSkus
): Record<string, unknown> | null {
  const user: GraphUser | undefined = tenant.userById?.(grant.principalId)
  if (user) {
    return {
      '@odata.type': user['@odata.type'] ?? '#microsoft.graph.user',
      id: user.id,
      accountEnabled: user.accountEnabled,
      displayName: user.displayName,
      mail: user.mail ?? null,
      userPrincipalName: user.userPrincipalName,
      userType: user.userType
    }
  }
  const other = data.principals[grant.principalId]
  if (!other) return null
  return other['@odata.type'] === '#microsoft.graph.group'
    ? { ...other, isAssignableToRole: true, securityEnabled: true, mailEnabled: false }
    : { ...other, appId: other.id }
}

function subscribedSkus(call: DirectoryCall, token: IssuedToken, data: RolesAndSkus): SimResponse {
  // One page: the docs show no paging for subscribedSkus (a tenant holds a few dozen at most).
  return ok({
    '@odata.context': `${call.origin}/${call.version}/$metadata#subscribedSkus`,
    value: data.subscribedSkus.map((sku) => ({
      accountName: 'Contoso',
      accountId: token.tenantId,
      appliesTo: 'User',
      capabilityStatus: 'Enabled',
      consumedUnits: 0,
      id: `${token.tenantId}_${sku.skuId}`,
      prepaidUnits: { enabled: sku.enabled, suspended: 0, warning: 0, lockedOut: 0 },
      servicePlans: [],
      skuId: sku.skuId,
      skuPartNumber: sku.skuPartNumber,
      subscriptionIds: []
    }))
  })
}

function ok(body: object): SimResponse {
  return {
    status: 200,
    headers: {
      'Content-Type':
        'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'
    },
    body
  }
}
