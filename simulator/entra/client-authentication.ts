/**
 * How a confidential client proves itself at the token endpoint: a client assertion (certificate
 * or federated credential) or a client secret.
 */
import { decodeJwt } from '../http.js'
import type { SimApp, SimResponse } from '../types.js'
import { checkCertificateAssertion, namesCertificate } from './certificate-assertion.js'
import { checkClientSecret, sentClientSecret } from './client-secret.js'
import { invalidAssertionType, malformedAssertion } from './errors.js'
import { checkFederatedAssertion } from './federated-assertion.js'
import type { EntraState, TokenRequest } from './state.js'

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** `none`: the request carries no client credential at all (a public client may do that). */
export type ClientAuthentication =
  | { outcome: 'authenticated' }
  | { outcome: 'none' }
  | { outcome: 'rejected'; response: SimResponse }

export function authenticateClient(
  request: TokenRequest,
  app: SimApp,
  state: EntraState
): ClientAuthentication {
  const secret = sentClientSecret(request)
  let rejection: SimResponse | undefined
  if (request.form.client_assertion !== undefined) {
    rejection = checkClientAssertion(request, app, state)
  } else if (secret !== undefined) {
    rejection = checkClientSecret(secret, app, request.correlationId)
  } else {
    return { outcome: 'none' }
  }
  return rejection ? { outcome: 'rejected', response: rejection } : { outcome: 'authenticated' }
}

function checkClientAssertion(
  request: TokenRequest,
  app: SimApp,
  state: EntraState
): SimResponse | undefined {
  const { form, correlationId } = request
  if (form.client_assertion_type !== JWT_BEARER) {
    return invalidAssertionType(form.client_assertion_type ?? '', JWT_BEARER, correlationId)
  }
  const assertion = decodeJwt(form.client_assertion)
  if (!assertion) return malformedAssertion(correlationId)
  const nowSeconds = Date.now() / 1000
  // A token from a registered OIDC issuer is a federated credential even though GitHub's header
  // carries x5t too. Any other assertion with x5t/x5c is a certificate credential, unless its
  // issuer is a URL: a certificate assertion's iss is the app's client ID
  // (https://learn.microsoft.com/entra/identity-platform/certificate-credentials), an OIDC
  // issuer's is a URL, so a token from an issuer no credential trusts gets AADSTS700211.
  const verifiedClaims = state.oidcVerifiers
    .map((verifier) => verifier(form.client_assertion))
    .find((claims) => claims) as Record<string, unknown> | undefined
  const issuerIsUrl = /^https:\/\//.test(String(assertion.payload.iss ?? ''))
  if (!verifiedClaims && namesCertificate(assertion.header) && !issuerIsUrl) {
    return checkCertificateAssertion(assertion, app, request.origin, nowSeconds, correlationId)
  }
  return checkFederatedAssertion(assertion, verifiedClaims, app, nowSeconds, correlationId)
}
