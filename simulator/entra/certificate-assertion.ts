/**
 * A certificate credential: a client assertion JWT signed with the app's certificate. msal-node
 * signs PS256 with `x5t#S256` (hex thumbprint, base64url) and `x5c` (base64 DER chain, leaf
 * first) when given the public certificate; older clients send RS256 with a SHA-1 `x5t`.
 * https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 */
import { constants, createHash, verify, X509Certificate, type KeyObject } from 'node:crypto'
import type { decodeJwt } from '../http.js'
import type { SimApp, SimResponse } from '../types.js'
import {
  assertionAudienceInvalid,
  assertionClientMismatch,
  assertionOutsideValidTime,
  assertionSignatureInvalid,
  certificateNotRegistered
} from './errors.js'

/** Allowed clock skew either side of the assertion's validity window, in seconds. */
const CLOCK_SKEW_SECONDS = 300

export type DecodedJwt = NonNullable<ReturnType<typeof decodeJwt>>

/** Whether the assertion names a certificate (and so is not a federated credential). */
export function namesCertificate(header: DecodedJwt['header']): boolean {
  return 'x5t#S256' in header || 'x5t' in header || 'x5c' in header
}

/** Undefined when the assertion is valid for `app` at this token endpoint; else the AADSTS error. */
export function checkCertificateAssertion(
  assertion: DecodedJwt,
  app: SimApp,
  origin: string,
  nowSeconds: number,
  correlationId: string
): SimResponse | undefined {
  const { header, payload } = assertion
  const bySha256 = 'x5t#S256' in header
  const thumbprint = Buffer.from(String(header[bySha256 ? 'x5t#S256' : 'x5t'] ?? ''), 'base64url')
    .toString('hex')
    .toUpperCase()
  const leafCertificate = Array.isArray(header.x5c) ? String(header.x5c[0]) : undefined
  const certificate = registeredCertificates(app, leafCertificate).find(
    (known) => (bySha256 ? known.sha256 : known.sha1) === thumbprint
  )
  if (!certificate) return certificateNotRegistered(thumbprint, app.clientId, correlationId)
  if (
    !verifySignature(String(header.alg), assertion.signed, assertion.signature, certificate.key)
  ) {
    return assertionSignatureInvalid(correlationId)
  }
  if (payload.iss !== app.clientId || payload.sub !== app.clientId) {
    return assertionClientMismatch(correlationId)
  }
  const audience = String(payload.aud ?? '')
  if (!audience.startsWith(origin) && !/\/oauth2\/v2\.0\/token$/.test(audience)) {
    return assertionAudienceInvalid(audience, correlationId)
  }
  const withinValidTime =
    typeof payload.exp === 'number' &&
    payload.exp > nowSeconds - CLOCK_SKEW_SECONDS &&
    (typeof payload.nbf !== 'number' || payload.nbf <= nowSeconds + CLOCK_SKEW_SECONDS)
  if (!withinValidTime) return assertionOutsideValidTime(correlationId)
  return undefined
}

interface RegisteredCertificate {
  /** Hex thumbprints, upper case. */
  sha256: string
  sha1: string
  key: KeyObject
}

/**
 * The certificates an assertion may be signed with: the app's registered PEMs, plus the x5c leaf
 * when its thumbprint is registered (an app may list only thumbprints, as the portal shows them).
 */
function registeredCertificates(
  app: SimApp,
  leafCertificate: string | undefined
): RegisteredCertificate[] {
  const registered: RegisteredCertificate[] = []
  const add = (certificate: X509Certificate) => {
    registered.push({
      sha256: createHash('sha256').update(certificate.raw).digest('hex').toUpperCase(),
      sha1: createHash('sha1').update(certificate.raw).digest('hex').toUpperCase(),
      key: certificate.publicKey
    })
  }
  for (const pem of app.certificates ?? []) add(new X509Certificate(pem))
  if (leafCertificate) {
    try {
      const leaf = new X509Certificate(Buffer.from(leafCertificate, 'base64'))
      const sha256 = createHash('sha256').update(leaf.raw).digest('hex').toUpperCase()
      const sha1 = createHash('sha1').update(leaf.raw).digest('hex').toUpperCase()
      const listed = (app.certificateThumbprints ?? []).map((thumbprint) =>
        thumbprint.replace(/[^0-9a-f]/gi, '').toUpperCase()
      )
      if (listed.includes(sha256) || listed.includes(sha1)) add(leaf)
    } catch {
      // An unparsable x5c is simply not a registered certificate.
    }
  }
  return registered
}

function verifySignature(alg: string, signed: string, signature: Buffer, key: KeyObject): boolean {
  const data = Buffer.from(signed)
  if (alg === 'PS256') {
    return verify(
      'sha256',
      data,
      {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST
      },
      signature
    )
  }
  if (alg === 'RS256') return verify('sha256', data, key, signature)
  return false
}
