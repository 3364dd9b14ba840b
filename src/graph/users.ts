import { GraphFailure } from '../errors.js'
import type { DirectoryUser } from '../users.js'
import type { GraphClient } from './client.js'
import { IdSet } from './id-set.js'
import { pages } from './paginate.js'

/** The user fields the report needs (without signInActivity for the sign-in-log source). */
export const USER_FIELDS = [
  'id',
  'userPrincipalName',
  'displayName',
  'userType',
  'accountEnabled',
  'createdDateTime',
  'mail',
  'onPremisesSyncEnabled',
  'externalUserState',
  'externalUserStateChangeDateTime',
  'assignedLicenses'
]

/** The derived type Graph's user list marks agent identities with (agentUser resource, beta). */
const AGENT_USER_TYPE = '#microsoft.graph.agentUser'

/**
 * A user as Graph lists it. Fields per the user resource (microsoft-graph-docs-contrib
 * api-reference/beta/resources/user.md): `externalUserState` and its change date and
 * `assignedLicenses` are returned only on $select; agent identities come in the same list with
 * `@odata.type` #microsoft.graph.agentUser (api-reference/beta/resources/agentuser.md).
 */
interface GraphUser {
  '@odata.type'?: string
  id: string
  mail?: string | null
  onPremisesSyncEnabled?: boolean | null
  externalUserState?: string | null
  externalUserStateChangeDateTime?: string | null
  assignedLicenses?: { skuId?: string | null }[] | null
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
    lastSuccessfulSignInDateTime: activity.lastSuccessfulSignInDateTime ?? null,
    mail: user.mail ?? null,
    onPremisesSyncEnabled: user.onPremisesSyncEnabled ?? null,
    externalUserState: user.externalUserState ?? null,
    externalUserStateChangeDateTime: user.externalUserStateChangeDateTime ?? null,
    skuIds: (user.assignedLicenses ?? []).flatMap((license) =>
      typeof license?.skuId === 'string' ? [license.skuId] : []
    ),
    isAgent: user['@odata.type'] === AGENT_USER_TYPE
  }
}

/** What the listing dropped, for the run's warning. */
export interface UserListing {
  /** Users Graph listed again (the same id, in any case) on a later page: dropped. */
  duplicates: number
}

const hasId = (user: unknown): user is GraphUser =>
  typeof user === 'object' &&
  user !== null &&
  typeof (user as { id?: unknown }).id === 'string' &&
  (user as { id: string }).id !== ''

/**
 * Every user in the tenant once, page by page. No server-side filter: every user Graph lists is
 * in the report, and the policy decides locally who is checked. Graph can list a user again on
 * a later page while the directory changes; the repeat is dropped (counted in `listing`), so no
 * one is counted or written twice. A user without an id cannot be reported (nor told apart from
 * a repeat): the listing is an error.
 */
export async function* userPages(
  graph: GraphClient,
  options: { pageSize: number; withSignInActivity: boolean; listing: UserListing }
): AsyncGenerator<DirectoryUser[]> {
  const select = options.withSignInActivity ? [...USER_FIELDS, 'signInActivity'] : USER_FIELDS
  const path = `users?$select=${select.join(',')}&$top=${options.pageSize}`
  const seen = new IdSet()
  let number = 0
  for await (const page of pages<unknown>(graph, path, { resource: 'users', what: 'users' })) {
    number++
    const users: DirectoryUser[] = []
    for (const user of page) {
      if (!hasId(user)) {
        throw new GraphFailure(
          `Graph returned a user without an id on users page ${number}; the listing cannot be trusted, so no report was written. Run again; if it repeats, the Graph endpoint (or a proxy in between) is answering wrongly.`
        )
      }
      if (seen.add(user.id)) users.push(toDirectoryUser(user))
      else options.listing.duplicates++
    }
    yield users
  }
}
