import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'

/** What msal needs to sign a client assertion with a certificate. */
export interface CertificateCredential {
  /** Unencrypted PKCS#8 PEM of the private key. */
  privateKey: string
  /** SHA-256 thumbprint of the certificate (hex). */
  thumbprintSha256: string
  /** The certificate chain as PEM, leaf first (sent as x5c). */
  certificateChain: string
}

/**
 * Decodes the PEM text of a key and its certificate (chain allowed), checks they belong together
 * and the certificate is valid now, before any request. Errors say what is wrong with the input
 * ("has a private key that does not match its certificate"); the caller names the input.
 */
export function readCertificate(pem: string, passphrase: string, now: Date): CertificateCredential {
  const keyBlock =
    /-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.exec(
      pem
    )
  const certBlocks =
    pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  const problem = (what: string): never => {
    throw new Error(what)
  }
  if (!keyBlock)
    problem(
      'holds no PEM private key block (-----BEGIN PRIVATE KEY----- or ENCRYPTED/RSA PRIVATE KEY); give the key and its certificate in one PEM text'
    )
  if (certBlocks.length === 0)
    problem(
      'holds no PEM certificate block (-----BEGIN CERTIFICATE-----); give the certificate after the key'
    )
  let key: KeyObject
  try {
    key = createPrivateKey({
      key: keyBlock![0],
      format: 'pem',
      passphrase: passphrase || undefined
    })
  } catch (error) {
    const message = (error as Error).message
    if (/passphrase|decrypt|bad decrypt/i.test(message) || /ENCRYPTED/.test(keyBlock![0])) {
      return problem(
        passphrase
          ? "has an encrypted private key that 'client-certificate-password' does not decrypt"
          : "has an encrypted private key: set 'client-certificate-password'"
      )
    }
    return problem(`has a private key that cannot be read (${message.split('\n')[0]})`)
  }
  let certificates: X509Certificate[]
  try {
    certificates = certBlocks.map((block) => new X509Certificate(block))
  } catch (error) {
    return problem(
      `has a certificate that cannot be read (${(error as Error).message.split('\n')[0]})`
    )
  }
  const leafIndex = certificates.findIndex((certificate) => certificate.checkPrivateKey(key))
  if (leafIndex < 0)
    problem(
      'has a private key that does not match its certificate (give the key and the certificate made for it)'
    )
  const leaf = certificates[leafIndex]
  if (Date.parse(leaf.validTo) <= now.getTime()) {
    problem(
      `has a certificate that expired on ${new Date(leaf.validTo).toISOString()} (subject ${leaf.subject.replace(/\n/g, ', ')}); upload a new one to the app registration`
    )
  }
  if (Date.parse(leaf.validFrom) > now.getTime()) {
    problem(`has a certificate that is not valid before ${new Date(leaf.validFrom).toISOString()}`)
  }
  const chain = [leaf, ...certificates.filter((_, index) => index !== leafIndex)]
  return {
    privateKey: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
    thumbprintSha256: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
    certificateChain: chain.map((certificate) => certificate.toString()).join('\n')
  }
}
