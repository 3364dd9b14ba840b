import type { DirectoryUser } from '../users.js'
import type { GraphClient } from './client.js'
import { pages } from './paginate.js'

/** The user fields the report needs (without signInActivity for the sign-in-log source). */
export const USER_FIELDS = [
  'id',
  'userPrincipalName',
  'displayName',
  'userType',
  'accountEnabled',
  'createdDateTime'
]

interface GraphUser {
  id: string
  userPrincipalName?: string | null
  displayName?: string | null
  userType?: string | null
  accountEnabled?: boolean | null
  createdDateTime?: string | null
  signInActivity?: {
    lastSignInDateTime?: string | null
    lastNonInteractiveSignInDateTime?: string | null
    lastSuccessfulSignInDateTime?: string | null
  } | null
}

/** Flattens a Graph user; absent fields become null (the policy reads null as "never"). */
export function toDirectoryUser(user: GraphUser): DirectoryUser {
  const activity = user.signInActivity ?? {}
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName ?? null,
    displayName: user.displayName ?? null,
    userType: user.userType ?? null,
    accountEnabled: user.accountEnabled ?? null,
    createdDateTime: user.createdDateTime ?? null,
    lastSignInDateTime: activity.lastSignInDateTime ?? null,
    lastNonInteractiveSignInDateTime: activity.lastNonInteractiveSignInDateTime ?? null,
    lastSuccessfulSignInDateTime: activity.lastSuccessfulSignInDateTime ?? null
  }
}

/**
 * Every user in the tenant, page by page. No server-side filter: every user Graph lists is in
 * the report, and the policy decides locally who is checked.
 */
export async function* userPages(
  graph: GraphClient,
  options: { pageSize: number; withSignInActivity: boolean }
): AsyncGenerator<DirectoryUser[]> {
  const select = options.withSignInActivity ? [...USER_FIELDS, 'signInActivity'] : USER_FIELDS
  const path = `users?$select=${select.join(',')}&$top=${options.pageSize}`
  for await (const page of pages<GraphUser>(graph, path, { resource: 'users', what: 'users' })) {
    yield page.map(toDirectoryUser)
  }
}
