import type { ActionIO } from '../io.js'
import type { ExclusionRule } from '../exclusions.js'
import type { UserRecord } from '../policy.js'
import type { Redact } from '../settings/choices.js'

/** How one place shows users: masked, or as they are (identity functions). */
export interface Mask {
  record(record: UserRecord): UserRecord
  upn(upn: string | null): string | null
  text(text: string): string
  pattern(rule: ExclusionRule): string
}

/**
 * Where `redact` masks UPNs and display names: built once (main.ts) and handed to each place, so
 * no caller checks the setting itself.
 */
export interface Redactor {
  /** Log lines (info, warning, error): `summary` and `all`. */
  log(io: ActionIO): ActionIO
  /** The job summary (rows, notes, the error message): `summary` and `all`. */
  summary: Mask
  /** The report files' users and the exclusion patterns the report echoes: `all` only. */
  report: Mask
}

/** The only reader of the `redact` setting. */
export function redactorFor(redact: Redact): Redactor {
  const masked = redact !== 'none'
  return {
    log: masked ? redactingIO : (io) => io,
    summary: masked ? MASKED : SHOWN,
    report: redact === 'all' ? MASKED : SHOWN
  }
}

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

/** Masks UPN, display name and mail; the object ID stays so people can look the user up. */
export function redactRecord(record: UserRecord): UserRecord {
  return {
    ...record,
    userPrincipalName: redactUpn(record.userPrincipalName),
    displayName: redactName(record.displayName),
    mail: redactUpn(record.mail)
  }
}

/** An exclusion pattern's local part masked (`jane*@contoso.com` → `j***@contoso.com`). */
export function redactPattern(rule: ExclusionRule): string {
  return rule.kind === 'upn-glob'
    ? rule.pattern.replace(/^[^@]*/, (local) => `${local[0] ?? ''}***`)
    : rule.pattern
}

/** Anything shaped like a UPN or mail address inside free text. */
const ADDRESS = /([^\s@<>"'`()[\],;:]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g

/**
 * Masks every UPN-shaped address in a message (`jane.doe@contoso.com` → `j***@contoso.com`), for
 * log lines and summary notes built from free text (baseline names, exclusion patterns, the
 * password-flow account in sign-in errors). Masked text passes through unchanged.
 */
export function redactText(text: string): string {
  return text.replace(
    ADDRESS,
    (_, local: string, domain: string) => `${redactUpn(local)}@${domain}`
  )
}

/** The same IO with every log line (info, warning, error) passed through `redactText`. */
export function redactingIO(io: ActionIO): ActionIO {
  return {
    getInput: (name) => io.getInput(name),
    setOutput: (name, value) => io.setOutput(name, value),
    setSecret: (value) => io.setSecret(value),
    info: (message) => io.info(redactText(message)),
    warning: (message) => io.warning(redactText(message)),
    error: (message) => io.error(redactText(message)),
    appendSummary: (text) => io.appendSummary(text),
    getIDToken: (audience) => io.getIDToken(audience),
    env: io.env
  }
}

const MASKED: Mask = {
  record: redactRecord,
  upn: redactUpn,
  text: redactText,
  pattern: redactPattern
}

const SHOWN: Mask = {
  record: (record) => record,
  upn: (upn) => upn,
  text: (text) => text,
  pattern: (rule) => rule.pattern
}
