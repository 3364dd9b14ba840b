import type { GraphClient } from './client.js'
import { pages } from './paginate.js'

/**
 * user id (lower case) → the first `exclude-groups` group it (transitively) belongs to. A missing
 * group or permission fails the run: an exclusion must never silently become empty.
 */
export async function groupExclusions(
  graph: GraphClient,
  groupIds: string[]
): Promise<Map<string, string>> {
  const members = new Map<string, string>()
  for (const groupId of groupIds) {
    const path = `groups/${groupId}/transitiveMembers/microsoft.graph.user?$select=id&$top=999`
    for await (const page of pages<{ id: string }>(
      graph,
      path,
      `members of exclude-groups group ${groupId}`
    )) {
      for (const user of page)
        if (!members.has(user.id.toLowerCase())) members.set(user.id.toLowerCase(), groupId)
    }
  }
  return members
}
