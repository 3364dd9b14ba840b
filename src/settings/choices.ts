/**
 * Every fixed set of values an input accepts, written once: the union types come from these
 * arrays, and so does the validation (input-helper.ts `choice`) and its message.
 */

export const AUTH_METHODS = [
  'client-secret',
  'client-certificate',
  'github-oidc',
  'password'
] as const
export type AuthMethod = (typeof AUTH_METHODS)[number]
/** What `auth-method` accepts: a method, or `auto` to pick one from the inputs given. */
export const AUTH_METHOD_CHOICES = ['auto', ...AUTH_METHODS] as const
export type AuthMethodChoice = (typeof AUTH_METHOD_CHOICES)[number]

export const GRAPH_VERSIONS = ['beta', 'v1.0'] as const
export type GraphVersion = (typeof GRAPH_VERSIONS)[number]

export const SOURCES = ['sign-in-activity', 'sign-in-logs'] as const
export type Source = (typeof SOURCES)[number]

export const ACTIVITIES = ['successful', 'any', 'interactive'] as const
export type Activity = (typeof ACTIVITIES)[number]

export const NEVER_SIGNED_IN = ['stale', 'ignore'] as const
export type NeverSignedIn = (typeof NEVER_SIGNED_IN)[number]

export const USER_TYPES = ['member', 'guest'] as const
export type UserType = (typeof USER_TYPES)[number]

export const FAIL_ON = ['any', 'new'] as const
export type FailOn = (typeof FAIL_ON)[number]

export const ON_STALE = ['fail', 'warn', 'none'] as const
export type OnStale = (typeof ON_STALE)[number]

export const REPORT_FORMATS = ['csv', 'json', 'html'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export const REDACT = ['none', 'summary', 'all'] as const
export type Redact = (typeof REDACT)[number]
