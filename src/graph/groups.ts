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
      let number = 0
      for await (const page of pages<unknown>(graph, path, {
        resource: 'groups',
        what: `members of exclude-groups group ${groupId}`
      })) {
        number++
        for (const member of page) {
          const id = (member as { id?: unknown } | null)?.id
          if (typeof id !== 'string' || id === '') {
            throw new GraphFailure(
              `Graph returned a member without an id on page ${number} of members of exclude-groups group ${groupId}; the exclusion cannot be trusted, so no report was written. Run again.`
            )
          }
          if (!members.has(id.toLowerCase())) members.set(id.toLowerCase(), groupId)
        }
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
