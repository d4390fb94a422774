// Test helper: metadata documents in every shape docs/PROTOCOL.md §1.2-§1.4 describes, and certificates a parser
// must refuse (small RSA, EC), all generated at test time. Nothing secret is committed.
import { webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { createSelfSignedCertificate, type CreatedCertificate } from '../../src/certs/create.js'

export const SHAREPOINT_ID = '00000003-0000-0ff1-ce00-000000000000'
export const ACS_ID = '00000001-0000-0000-c000-000000000000'

const pool: CreatedCertificate[] = []

/** `count` distinct RSA-2048 certificates, generated once per test file and reused (key generation is slow). */
export async function testCertificates(count: number): Promise<CreatedCertificate[]> {
  while (pool.length < count) pool.push(await createSelfSignedCertificate({ subject: `CN=metadata-test-${pool.length}` }))
  return pool.slice(0, count)
}

export interface DocOptions {
  id: string
  realm: string
  certs: readonly CreatedCertificate[]
}

/** On-prem Exchange (§1.2/§1.3): lowercase keyinfo/keyvalue, x509Certificate, signing, a metadata endpoint. */
export function exchangeShape({ id, realm, certs }: DocOptions, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const issuer = `${id}@${realm}`
  return {
    id: '_8a4f7e21-3c55-4b0e-9d6a-0f1e2d3c4b5a',
    version: '1.0',
    name: 'Exchange',
    realm,
    serviceName: id,
    issuer,
    allowedAudiences: [issuer],
    keys: certs.map((c) => ({
      usage: 'signing',
      keyinfo: { x5t: c.x5t },
      keyvalue: { type: 'x509Certificate', value: c.der.toString('base64') },
    })),
    endpoints: [{ location: 'https://autodiscover.contoso.com/autodiscover/metadata/json/1', protocol: 'OAuth2', usage: 'metadata' }],
    ...extra,
  }
}

/** SharePoint (§1.4): keyValue, x509certificate, Signing; no keyinfo, realm, version or endpoints. */
export function sharePointShape({ id, realm, certs }: DocOptions): Record<string, unknown> {
  return {
    issuer: `${id}@${realm}`,
    keys: certs.map((c) => ({ keyValue: { type: 'x509certificate', value: c.der.toString('base64') }, usage: 'Signing' })),
    name: id,
    serviceName: id,
  }
}

/** ACS (§1.4): several keyValue entries, realm "*", issuance and delegation endpoints. */
export function acsShape({ id, realm, certs }: DocOptions, issuance: string): Record<string, unknown> {
  return {
    issuer: `${id}@${realm}`,
    version: '1.0',
    realm,
    serviceName: id,
    keys: certs.map((c) => ({
      usage: 'signing',
      keyinfo: { x5t: c.x5t },
      keyValue: { type: 'x509Certificate', value: c.der.toString('base64') },
    })),
    endpoints: [
      { location: issuance, protocol: 'OAuth2', usage: 'issuance' },
      { location: 'https://accounts.accesscontrol.windows.net/x/tokens/OAuth/2', protocol: 'DelegationIssuance1.0', usage: 'issuance' },
      { location: 'https://accounts.accesscontrol.windows.net/metadata/json/1', protocol: 'OAuth2', usage: 'metadata' },
    ],
  }
}

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

/** A self-signed certificate the gateway must refuse as a signing key: RSA-1024 or EC P-256. Base64 DER. */
export async function unusableCertificate(kind: 'rsa1024' | 'ec'): Promise<string> {
  const alg =
    kind === 'ec'
      ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
      : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 1024 }
  const keys = await webcrypto.subtle.generateKey(alg, false, ['sign', 'verify'])
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=unusable-${kind}`,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
    signingAlgorithm: alg,
  })
  return Buffer.from(cert.rawData).toString('base64')
}
