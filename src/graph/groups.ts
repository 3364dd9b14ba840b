import type { GraphClient } from './client.js'
import { GraphFailure } from '../errors.js'
import { pages } from './paginate.js'

/**
 * user id (lower case) → the first `exclude-groups` group it (transitively) belongs to, every page
 * of members read. A missing group or permission fails the run: an exclusion must never silently
 * become empty.
 */
export async function groupExclusions(
  graph: GraphClient,
  groupIds: string[]
): Promise<Map<string, string>> {
  const members = new Map<string, string>()
  const unique = new Map(groupIds.map((id) => [id.toLowerCase(), id]))
  for (const groupId of unique.values()) {
    // All member objects, not the user cast: the plain collection is the one every Graph (and
    // gateway) serves, and a nested group's or device's ID never matches a user anyway.
    const path = `groups/${groupId}/transitiveMembers?$select=id&$top=999`
    try {
      for await (const page of pages<{ id: string }>(graph, path, {
        resource: 'groups',
        what: `members of exclude-groups group ${groupId}`
      })) {
        for (const user of page)
          if (!members.has(user.id.toLowerCase())) members.set(user.id.toLowerCase(), groupId)
      }
    } catch (error) {
      if (error instanceof GraphFailure && error.status === 404) {
        throw new GraphFailure(
          `Input 'exclude-groups' names group ${groupId}, which Graph does not find in this tenant (404 ${error.code ?? 'Not Found'}): give the group's object ID (Entra admin center → Groups → Object ID) or remove it.`,
          404,
          error.code
        )
      }
      throw error
    }
  }
  return members
}
