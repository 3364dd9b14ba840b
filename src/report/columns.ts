import type { UserRecord } from '../policy.js'

/** The report's user columns, in the contract's order (JSON keys and CSV header alike). */
export const USER_COLUMNS: (keyof UserRecord)[] = [
  'id',
  'userPrincipalName',
  'displayName',
  'userType',
  'accountEnabled',
  'createdDateTime',
  'lastSignInDateTime',
  'lastNonInteractiveSignInDateTime',
  'lastSuccessfulSignInDateTime',
  'lastActivityDateTime',
  'daysInactive',
  'neverSignedIn',
  'status',
  'reason',
  'mail',
  'onPremisesSyncEnabled',
  'externalUserState',
  'licenses',
  'privilegedRoles'
]
