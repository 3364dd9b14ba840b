/**
 * Throwaway TLS material for the simulator: a CA made at start, a server certificate signed by it
 * for 127.0.0.1, localhost and any extra host names, and the CA written to a temp file so a child
 * process can trust it through NODE_EXTRA_CA_CERTS. Keys come from node:crypto (native, fast);
 * node-forge only builds and signs the X.509 certificates, which node:crypto cannot do.
 */
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import forge from 'node-forge'

export interface SimTls {
  /** Server private key and certificate (PEM) for node:https. */
  key: string
  cert: string
  /** The CA certificate (PEM) and the file holding it (for NODE_EXTRA_CA_CERTS). */
  caPem: string
  caPath: string
}

function rsaKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString()
  }
}

function newCertificate(publicPem: string, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem)
  // A positive serial (leading byte < 0x80) so strict parsers accept it.
  cert.serialNumber = '01' + randomBytes(15).toString('hex')
  // Backdated a day: the child process's clock may differ slightly from ours.
  cert.validity.notBefore = new Date(Date.now() - 86_400_000)
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000)
  return cert
}

function sign(cert: forge.pki.Certificate, privatePem: string): string {
  cert.sign(forge.pki.privateKeyFromPem(privatePem), forge.md.sha256.create())
  return forge.pki.certificateToPem(cert)
}

/** Makes a CA and a server certificate for 127.0.0.1, ::1, localhost and `hostNames`. */
export function makeTls(hostNames: string[] = []): SimTls {
  const ca = rsaKeyPair()
  const caCert = newCertificate(ca.publicPem, 30)
  const caName = [{ name: 'commonName', value: 'entra-signin-check simulator CA' }]
  caCert.setSubject(caName)
  caCert.setIssuer(caName)
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' }
  ])
  const caPem = sign(caCert, ca.privatePem)

  const server = rsaKeyPair()
  const cert = newCertificate(server.publicPem, 30)
  cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }])
  cert.setIssuer(caName)
  const dns = [...new Set(['localhost', ...hostNames])]
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
        ...dns.map((value) => ({ type: 2, value }))
      ]
    },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes()
    }
  ])
  const certPem = sign(cert, ca.privatePem)

  // The only thing written to disk: the CA certificate (public), in a fresh temp directory.
  const dir = mkdtempSync(join(tmpdir(), 'entra-sim-'))
  const caPath = join(dir, 'ca.pem')
  writeFileSync(caPath, caPem)
  return { key: server.privatePem, cert: certPem, caPem, caPath }
}

export interface ClientCertificate {
  /** PEM certificate and PKCS#8 private key (PEM). */
  certPem: string
  keyPem: string
  /** SHA-256 thumbprint of the DER certificate, upper-case hex (as the Azure portal shows it). */
  thumbprintSha256: string
  /** SHA-1 thumbprint, upper-case hex. */
  thumbprintSha1: string
}

/** A self-signed certificate an app can register for certificate client credentials. */
export function makeClientCertificate(commonName = 'entra-signin-check'): ClientCertificate {
  const pair = rsaKeyPair()
  const cert = newCertificate(pair.publicPem, 365)
  cert.setSubject([{ name: 'commonName', value: commonName }])
  cert.setIssuer([{ name: 'commonName', value: commonName }])
  const certPem = sign(cert, pair.privatePem)
  return { certPem, keyPem: pair.privatePem, ...thumbprints(certPem) }
}

/** SHA-256 and SHA-1 thumbprints (upper-case hex) of a PEM certificate's DER encoding. */
export function thumbprints(certPem: string): { thumbprintSha256: string; thumbprintSha1: string } {
  const der = new X509Certificate(certPem).raw
  return {
    thumbprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
    thumbprintSha1: createHash('sha1').update(der).digest('hex').toUpperCase()
  }
}
