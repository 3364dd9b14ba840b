import type { GraphClient } from './client.js'
import { pages } from './paginate.js'

/** A role assignment or eligibility with its principal expanded (only what is read). */
interface RoleGrant {
  principalId?: string
  roleDefinitionId?: string
  principal?: { '@odata.type'?: string; id?: string } | null
}

const GROUP = '#microsoft.graph.group'
const SERVICE_PRINCIPAL = '#microsoft.graph.servicePrincipal'

/**
 * user id (lower case) → the names of the directory roles it holds, sorted: active assignments
 * (`roleManagement/directory/roleAssignments`, rbacapplication-list-roleassignments) and PIM
 * eligibilities (`roleManagement/directory/roleEligibilitySchedules`,
 * rbacapplication-list-roleeligibilityschedules), each with `$expand=principal` so a
 * role-assignable group is told from a user; a group's roles go to its transitive members. Role
 * names come from `roleDefinitions`. Requests: the pages of the three lists plus the member pages
 * of each role-holding group, never one per user. Any failure throws: roles that could not be
 * read must not make an admin look like anyone else.
 *
 * A principal that is neither a group nor a service principal counts as a user, an expanded
 * principal missing (deleted) or untyped included: if its ID is a user's, that user holds the
 * role (fail closed).
 */
export async function privilegedRoles(graph: GraphClient): Promise<Map<string, string[]>> {
  const names = new Map<string, string>()
  for await (const page of pages<{ id?: string; displayName?: string }>(
    graph,
    'roleManagement/directory/roleDefinitions?$select=id,displayName',
    { resource: 'roles', what: 'directory role definitions' }
  )) {
    for (const role of page)
      if (role.id) names.set(role.id.toLowerCase(), role.displayName ?? role.id)
  }
  const byUser = new Map<string, Set<string>>()
  const byGroup = new Map<string, Set<string>>()
  const hold = (to: Map<string, Set<string>>, id: string, role: string) => {
    const key = id.toLowerCase()
    const roles = to.get(key) ?? new Set<string>()
    roles.add(role)
    to.set(key, roles)
  }
  const lists = [
    { path: 'roleAssignments', resource: 'roles', what: 'directory role assignments' },
    {
      path: 'roleEligibilitySchedules',
      resource: 'roleEligibility',
      what: 'PIM role eligibilities'
    }
  ] as const
  for (const list of lists) {
    for await (const page of pages<RoleGrant>(
      graph,
      `roleManagement/directory/${list.path}?$expand=principal`,
      { resource: list.resource, what: list.what }
    )) {
      for (const grant of page) {
        if (!grant.principalId || !grant.roleDefinitionId) continue
        const role = names.get(grant.roleDefinitionId.toLowerCase()) ?? grant.roleDefinitionId
        const type = grant.principal?.['@odata.type']
        if (type === SERVICE_PRINCIPAL) continue
        hold(type === GROUP ? byGroup : byUser, grant.principalId, role)
      }
    }
  }
  for (const [groupId, roles] of byGroup) {
    for await (const page of pages<{ id: string }>(
      graph,
      `groups/${groupId}/transitiveMembers?$select=id&$top=999`,
      { resource: 'groups', what: `members of role-assignable group ${groupId}` }
    )) {
      for (const member of page) for (const role of roles) hold(byUser, member.id, role)
    }
  }
  return new Map([...byUser].map(([id, roles]) => [id, [...roles].sort()]))
}
