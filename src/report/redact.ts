import type { UserRecord } from '../policy.js'

/** `jane.doe@contoso.com` → `j***@contoso.com`: enough to recognise, not to read. */
export function redactUpn(upn: string | null): string | null {
  if (upn === null || upn === '') return upn
  const at = upn.lastIndexOf('@')
  if (at <= 0) return `${upn[0]}***`
  return `${upn[0]}***${upn.slice(at)}`
}

export function redactName(name: string | null): string | null {
  if (name === null || name === '') return name
  return `${Array.from(name)[0]}***`
}

/** Masks UPN and display name; the object ID stays so people can look the user up. */
export function redactRecord(record: UserRecord): UserRecord {
  return {
    ...record,
    userPrincipalName: redactUpn(record.userPrincipalName),
    displayName: redactName(record.displayName)
  }
}
