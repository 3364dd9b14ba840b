/** A user as read from Graph, flattened; dates are Graph's raw strings (sentinels included). */
export interface DirectoryUser {
  id: string
  userPrincipalName: string | null
  displayName: string | null
  userType: string | null
  accountEnabled: boolean | null
  createdDateTime: string | null
  lastSignInDateTime: string | null
  lastNonInteractiveSignInDateTime: string | null
  lastSuccessfulSignInDateTime: string | null
  mail: string | null
  onPremisesSyncEnabled: boolean | null
  /** `PendingAcceptance`, `Accepted` (invited guests) or null. */
  externalUserState: string | null
  externalUserStateChangeDateTime: string | null
  /** SKU IDs of `assignedLicenses`. */
  skuIds: string[]
  /** An agent identity (`@odata.type` `#microsoft.graph.agentUser`), not a person. */
  isAgent: boolean
}
