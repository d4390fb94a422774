// Config: checks of `issuer.certificates`, our built-in token issuer. Every certificate must parse, the first
// must come with its key (it signs), and every key given must belong to its certificate. issuer/ reloads them.
import { createPublicKey } from 'node:crypto'
import type { GatewayConfig } from '../schema/index.js'
import type { ProblemCollector } from './problems.js'
import { loadCertificateFile, loadPrivateKeyFile, warnAboutValidity } from './files.js'

/** Checks the issuer certificates and returns their x5t values (a partner may never present one of them). */
export function checkIssuer(issuer: GatewayConfig['issuer'], nowMs: number, out: ProblemCollector): Set<string> {
  const x5ts = new Set<string>()
  issuer.certificates.forEach((entry, i) => {
    const certPath = `issuer.certificates[${i}].cert`
    const keyPath = `issuer.certificates[${i}].key`
    const cert = loadCertificateFile(entry.cert, certPath, out)
    if (cert !== undefined) {
      if (x5ts.has(cert.x5t)) out.warn(certPath, `certificate ${cert.x5t} is listed twice`)
      x5ts.add(cert.x5t)
      const note = i === 0 ? 'it still signs our tokens but is not published: partners will reject them' : 'not published'
      warnAboutValidity(cert, certPath, nowMs, out, note)
    }
    if (entry.key === undefined) {
      if (i === 0) out.problem(keyPath, 'is required: the first certificate signs our tokens')
      return
    }
    const key = loadPrivateKeyFile(entry.key, keyPath, out)
    if (key !== undefined && cert !== undefined && !createPublicKey(key).equals(cert.publicKey)) {
      out.problem(keyPath, `${entry.key} does not belong to the certificate in ${entry.cert}`)
    }
  })
  return x5ts
}
