// Certificates: X.509 parsing into signing keys (x5t, RSA public key, validity) and self-signed creation for
// the CLI and tests. Depends on nothing else in the gateway. Public API.
export { createSelfSignedCertificate, type CreatedCertificate } from './create.js'
export { CertificateError, MIN_RSA_BITS, computeX5t, parseSigningCertificate, x5tToThumbprint, type SigningKey } from './x509.js'
