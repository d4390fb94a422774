// Limits (issue 14 §1): per-partner rate and concurrency admission, checked after authentication and the
// permission decision, before anything reaches the backend.
export { createLimiter, effectiveLimits, bucketPolicy, type Admission, type AdmissionKind, type Limiter, type LimitKind, type PartnerLimits } from './limiter.js'
export { rateHeaders, type LimitHeaders } from './headers.js'
