import { RETRY } from '../constants.js'
import { GraphFailure } from '../errors.js'
import type { Settings } from '../settings/settings.js'

/** Graph's error body: `{ error: { code, message } }`. */
export function graphErrorOf(body: string): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } }
    return { code: parsed.error?.code, message: parsed.error?.message }
  } catch {
    return {}
  }
}

function permissionsHint(settings: Settings, what: string): string {
  const permissions = /group/i.test(what)
    ? 'GroupMember.Read.All'
    : /sign-in log|signIns/i.test(what)
      ? 'AuditLog.Read.All'
      : 'User.Read.All and AuditLog.Read.All'
  return settings.credentials.method === 'password'
    ? `grant the app the delegated Microsoft Graph permission(s) ${permissions} with admin consent, and give the signed-in user a directory role that may read them (Reports Reader, Security Reader or Global Reader)`
    : `grant the app the Microsoft Graph application permission(s) ${permissions} with admin consent`
}

/** One message per failure a user will meet: what failed and how to fix it. */
export function explainGraphError(
  status: number,
  body: string,
  what: string,
  settings: Settings
): GraphFailure {
  const { code, message } = graphErrorOf(body)
  // Graph's message ends with a period; ours goes on after it.
  const detail = message ? `: ${message.split(/\r?\n/)[0].replace(/\.\s*$/, '')}` : ''
  if (status === 403 && code === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant') {
    return new GraphFailure(
      `Graph refused ${what} (403 ${code}): reading sign-in activity needs a Microsoft Entra ID P1 or P2 licence in tenant ${settings.tenantId}.`,
      status,
      code
    )
  }
  if (status === 403) {
    return new GraphFailure(
      `Graph denied ${what} (403 ${code ?? 'Forbidden'}${detail}): ${permissionsHint(settings, what)}.`,
      status,
      code
    )
  }
  if (status === 401) {
    return new GraphFailure(
      `Graph rejected the access token for ${what} even after a fresh one was fetched (401 ${code ?? 'Unauthorized'}${detail}): check the app's tenant and 'graph-endpoint'.`,
      status,
      code
    )
  }
  if (status === 404) {
    return new GraphFailure(
      `Graph found no ${what} (404 ${code ?? 'Not Found'}${detail}).`,
      status,
      code
    )
  }
  if (status === 400) {
    return new GraphFailure(
      `Graph rejected the request for ${what} (400 ${code ?? 'Bad Request'}${detail}).`,
      status,
      code
    )
  }
  if ((RETRY.statuses as readonly number[]).includes(status)) {
    return new GraphFailure(
      `Graph kept answering HTTP ${status} for ${what} after ${RETRY.maxRetries} retries (${code ?? 'no error code'}${detail}); run again later.`,
      status,
      code
    )
  }
  return new GraphFailure(`Graph answered HTTP ${status} for ${what}${detail}.`, status, code)
}
