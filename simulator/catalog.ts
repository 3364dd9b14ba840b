/**
 * Directory roles and licences of the simulated tenants: the built-in role definitions and
 * subscriptions the simulator knows, and how a fixture or a generated tenant holds them.
 * Role IDs are the built-in roles' template IDs ("Microsoft Entra built-in roles"); SKU IDs and
 * part numbers are from "Product names and service plan identifiers for licensing".
 */
import type { RolesAndSkus, SimPrincipal, SimRoleGrant, SimSku } from './types.js'

export const ROLES = {
  globalAdministrator: {
    id: '62e90394-69f5-4237-9190-012177145e10',
    displayName: 'Global Administrator'
  },
  privilegedRoleAdministrator: {
    id: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
    displayName: 'Privileged Role Administrator'
  },
  userAdministrator: {
    id: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
    displayName: 'User Administrator'
  },
  securityAdministrator: {
    id: '194ae4cb-b126-40b2-bd5b-6091b380977d',
    displayName: 'Security Administrator'
  },
  helpdeskAdministrator: {
    id: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
    displayName: 'Helpdesk Administrator'
  },
  exchangeAdministrator: {
    id: '29232cdf-9323-42fd-ade2-1d097af3e4de',
    displayName: 'Exchange Administrator'
  },
  globalReader: { id: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', displayName: 'Global Reader' }
} as const
export type RoleName = keyof typeof ROLES

export const SKUS = {
  SPE_E3: { skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965', skuPartNumber: 'SPE_E3', enabled: 5000 },
  SPE_E5: { skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06', skuPartNumber: 'SPE_E5', enabled: 500 },
  ENTERPRISEPACK: {
    skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900',
    skuPartNumber: 'ENTERPRISEPACK',
    enabled: 2000
  },
  POWER_BI_PRO: {
    skuId: 'f8a1db68-be16-40ed-86d5-cb42ce701560',
    skuPartNumber: 'POWER_BI_PRO',
    enabled: 1000
  },
  EMS: { skuId: 'efccb6f7-5641-4e0e-bd10-b4976e1bf68e', skuPartNumber: 'EMS', enabled: 3000 }
} as const satisfies Record<string, SimSku>
export type SkuName = keyof typeof SKUS

/** A user's `assignedLicenses` for the named SKUs. */
export function licenses(...names: SkuName[]): Array<{ skuId: string; disabledPlans: string[] }> {
  return names.map((name) => ({ skuId: SKUS[name].skuId, disabledPlans: [] }))
}

const ROLE_DEFINITIONS = Object.values(ROLES).map((r) => ({ ...r, isBuiltIn: true }))

function grant(kind: 'a' | 'e', principalId: string, role: RoleName): SimRoleGrant {
  // Graph's IDs look like base64 of role and principal; any stable unique string does here.
  const roleDefinitionId = ROLES[role].id
  return {
    id: `${kind}-${roleDefinitionId.slice(0, 8)}-${principalId}`,
    principalId,
    roleDefinitionId,
    directoryScopeId: '/'
  }
}

function grants(kind: 'a' | 'e', held: Record<string, RoleName[]> | undefined): SimRoleGrant[] {
  return Object.entries(held ?? {}).flatMap(([principalId, roles]) =>
    roles.map((role) => grant(kind, principalId, role))
  )
}

export interface FixtureRolesOptions {
  /** Active role assignments: principal id (user, group or service principal) → roles. */
  roleAssignments?: Record<string, RoleName[]>
  /** PIM-eligible roles: principal id → roles. */
  roleEligibilities?: Record<string, RoleName[]>
  /** Role-assignable groups and service principals that hold roles (members: the `groups` option). */
  principals?: SimPrincipal[]
  /** Subscriptions (default: every SKU in SKUS). */
  subscribedSkus?: SimSku[]
  /** Objects per page of the role lists (default 100). */
  rolePageSize?: number
}

export function fixtureRolesAndSkus(opts: FixtureRolesOptions): RolesAndSkus {
  return {
    roleDefinitions: ROLE_DEFINITIONS,
    roleAssignments: grants('a', opts.roleAssignments),
    roleEligibilitySchedules: grants('e', opts.roleEligibilities),
    principals: Object.fromEntries((opts.principals ?? []).map((p) => [p.id, p])),
    subscribedSkus: opts.subscribedSkus ?? Object.values(SKUS),
    pageSize: opts.rolePageSize ?? 100
  }
}

/** Fixed principals of every generated tenant that hold roles without being users. */
export const ROLE_PRINCIPALS = {
  /** A role-assignable group: Helpdesk Administrator (active), Exchange Administrator (eligible). */
  helpdeskAdmins: {
    '@odata.type': '#microsoft.graph.group',
    id: '6a3f1c2e-9b7d-4e15-8c4a-b1eac0ffee04',
    displayName: 'Helpdesk Admins'
  },
  /** An app with User Administrator: not a user, so never in the report. */
  provisioningApp: {
    '@odata.type': '#microsoft.graph.servicePrincipal',
    id: '6a3f1c2e-9b7d-4e15-8c4a-b1eac0ffee05',
    displayName: 'HR Provisioning Connector'
  }
} as const satisfies Record<string, SimPrincipal>

/** Small, so that even a test-sized generated tenant has several pages of roles. */
export const GENERATED_ROLE_PAGE_SIZE = 20

/** Every `step`-th index from `from` below `count` that `take` accepts, at most 1000. */
function strided(count: number, from: number, step: number, take: (i: number) => boolean) {
  const out: number[] = []
  for (let i = from; i < count && out.length < 1000; i += step) if (take(i)) out.push(i)
  return out
}

/**
 * Roles of a generated tenant (user indices; agents hold none, as Entra allows none):
 * the two break-glass accounts are Global Administrators; every 53rd user from 5 is a User
 * Administrator; every 71st from 7 is eligible for Security Administrator and, every other one of
 * them, also an active Global Reader; the members of `helpdeskAdmins` (every 89th from 11) hold
 * its roles through the group.
 */
export function generatedRolesAndSkus(
  count: number,
  idOf: (i: number) => string,
  isAgent: (i: number) => boolean
): RolesAndSkus {
  const human = (i: number) => !isAgent(i)
  const assignments: Record<string, RoleName[]> = {}
  const eligibilities: Record<string, RoleName[]> = {}
  const add = (to: Record<string, RoleName[]>, id: string, role: RoleName) =>
    (to[id] ??= []).push(role)
  for (const i of [0, 1].filter((i) => i < count)) add(assignments, idOf(i), 'globalAdministrator')
  for (const i of strided(count, 5, 53, human)) add(assignments, idOf(i), 'userAdministrator')
  strided(count, 7, 71, human).forEach((i, k) => {
    add(eligibilities, idOf(i), 'securityAdministrator')
    if (k % 2 === 0) add(assignments, idOf(i), 'globalReader')
  })
  add(assignments, ROLE_PRINCIPALS.helpdeskAdmins.id, 'helpdeskAdministrator')
  add(eligibilities, ROLE_PRINCIPALS.helpdeskAdmins.id, 'exchangeAdministrator')
  add(assignments, ROLE_PRINCIPALS.provisioningApp.id, 'userAdministrator')
  return fixtureRolesAndSkus({
    roleAssignments: assignments,
    roleEligibilities: eligibilities,
    principals: Object.values(ROLE_PRINCIPALS),
    rolePageSize: GENERATED_ROLE_PAGE_SIZE
  })
}

/** User indices in the generated `helpdeskAdmins` group. */
export function helpdeskAdminIndices(count: number, isAgent: (i: number) => boolean): number[] {
  return strided(count, 11, 89, (i) => !isAgent(i))
}
