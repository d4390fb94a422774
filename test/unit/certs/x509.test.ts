import { describe, expect, it } from 'vitest'
import { createSelfSignedCertificate } from '../../../src/certs/create.js'
import { computeX5t, parseSigningCertificate, x5tToThumbprint, CertificateError } from '../../../src/certs/x509.js'

describe('x5t', () => {
  it.each([
    ['A33E4C629AE9553E186F93474E796D598B1F7424', 'oz5MYprpVT4Yb5NHTnltWYsfdCQ'],
    ['987F934E5B7E1C05C2F7EBE329516D5FA6C0B11D', 'mH-TTlt-HAXC9-vjKVFtX6bAsR0'],
    ['7A787D049AD53D4E628D5D6A8D98D5F9F2F66DCA', 'enh9BJrVPU5ijV1qjZjV-fL2bco'],
  ])('thumbprint %s is x5t %s (docs/PROTOCOL.md §1.5 vectors)', (hex, x5t) => {
    expect(Buffer.from(hex, 'hex').toString('base64url')).toBe(x5t)
    expect(x5tToThumbprint(x5t)).toBe(hex)
  })
})

describe('parseSigningCertificate', () => {
  it('reads PEM, std base64 DER, url-safe unpadded base64, base64 of PEM and raw DER alike', async () => {
    const c = await createSelfSignedCertificate({ subject: 'CN=parse-test' })
    const forms = [
      c.certPem,
      c.der.toString('base64'),
      c.der.toString('base64').replace(/=+$/, '').replace(/(.{60})/g, '$1\n '),
      c.der.toString('base64url'),
      Buffer.from(c.certPem).toString('base64'),
      c.der,
    ]
    for (const form of forms) {
      const key = parseSigningCertificate(form)
      expect(key.x5t).toBe(computeX5t(c.der))
      expect(key.x5t).toBe(c.x5t)
      expect(key.subject).toContain('CN=parse-test')
      expect(key.publicKey.asymmetricKeyType).toBe('rsa')
    }
  })

  it.each([
    ['empty', ''],
    ['not base64', '!!!'],
    ['base64 of junk', Buffer.from('not a certificate at all').toString('base64')],
  ])('refuses %s', (_label, input) => {
    expect(() => parseSigningCertificate(input)).toThrow(CertificateError)
  })
})
