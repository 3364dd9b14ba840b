/**
 * A federated credential: the client assertion is a GitHub OIDC token from an issuer the
 * simulator knows (its claims come from that issuer's verifier), matched against the app's
 * federated subjects and the token-exchange audiences.
 * https://learn.microsoft.com/entra/workload-id/workload-identity-federation
 */
import type { SimApp, SimResponse } from '../types.js'
import type { DecodedJwt } from './certificate-assertion.js'
import {
  assertionOutsideValidTime,
  federatedAudienceUnknown,
  federatedIssuerUnknown,
  federatedSubjectCaseMismatch,
  federatedSubjectUnknown,
  noFederatedCredential
} from './errors.js'

/** Audiences a federated credential for GitHub accepts, one per cloud (see DESIGN.md). */
const TOKEN_EXCHANGE_AUDIENCES = [
  'api://AzureADTokenExchange',
  'api://AzureADTokenExchangeUSGov',
  'api://AzureADTokenExchangeChina'
]

/**
 * Undefined when the assertion matches a federated credential of `app`; else the AADSTS error.
 * `verifiedClaims` is undefined when no registered issuer recognised the token.
 */
export function checkFederatedAssertion(
  assertion: DecodedJwt,
  verifiedClaims: Record<string, unknown> | undefined,
  app: SimApp,
  nowSeconds: number,
  correlationId: string
): SimResponse | undefined {
  const { payload } = assertion
  const issuer = String(verifiedClaims?.iss ?? payload.iss ?? '')
  const subject = String(verifiedClaims?.sub ?? payload.sub ?? '')
  const audiences = [verifiedClaims?.aud ?? payload.aud].flat().map(String)
  if (!verifiedClaims) return federatedIssuerUnknown(issuer, correlationId)
  if (!app.federatedSubjects?.length) {
    return noFederatedCredential(issuer, subject, audiences, correlationId)
  }
  if (!audiences.some((audience) => TOKEN_EXCHANGE_AUDIENCES.includes(audience))) {
    return federatedAudienceUnknown(audiences, correlationId)
  }
  if (!app.federatedSubjects.includes(subject)) {
    const folded = subject.toLowerCase()
    return app.federatedSubjects.some((known) => known.toLowerCase() === folded)
      ? federatedSubjectCaseMismatch(subject, correlationId)
      : federatedSubjectUnknown(subject, correlationId)
  }
  if (typeof verifiedClaims.exp === 'number' && verifiedClaims.exp < nowSeconds) {
    return assertionOutsideValidTime(correlationId)
  }
  return undefined
}
