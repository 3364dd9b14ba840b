import type { UserRecord } from '../src/policy.js'

let serial = 0

/** A report record: a stale member by default, each call a new id and UPN. */
export function record(overrides: Partial<UserRecord> = {}): UserRecord {
  serial++
  return {
    id: `00000000-0000-0000-0000-${String(serial).padStart(12, '0')}`,
    userPrincipalName: `user${serial}@contoso.com`,
    displayName: `User ${serial}`,
    userType: 'Member',
    accountEnabled: true,
    createdDateTime: '2020-01-01T00:00:00.000Z',
    lastSignInDateTime: '2025-01-01T00:00:00.000Z',
    lastNonInteractiveSignInDateTime: null,
    lastSuccessfulSignInDateTime: '2025-01-01T00:00:00.000Z',
    lastActivityDateTime: '2025-01-01T00:00:00.000Z',
    daysInactive: 165,
    neverSignedIn: false,
    status: 'stale',
    reason: 'last successful sign-in 165 days ago (stale at 90)',
    mail: null,
    onPremisesSyncEnabled: null,
    externalUserState: null,
    licenses: [],
    privilegedRoles: null,
    ...overrides
  }
}
