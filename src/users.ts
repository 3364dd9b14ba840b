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
}
