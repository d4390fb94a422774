// Unit: the one pass over a raw header block (issue 11). Whatever it reports as absent is never looked for again,
// so a name it misses would skip a check: every spelling that matters must be flagged.
import { describe, expect, it } from 'vitest'
import type { InboundCall } from '../../../src/inbound/inbound-call.js'
import { scanRequestHead } from '../../../src/inbound/request-head.js'

function scan(rawHeaders: string[]): Pick<InboundCall, 'hosts' | 'authorizations' | 'suspectHeaders' | 'overrideHeaders'> {
  const call = { req: { rawHeaders }, hosts: 0, authorizations: 0, suspectHeaders: false, overrideHeaders: false }
  scanRequestHead(call as unknown as InboundCall)
  const { hosts, authorizations, suspectHeaders, overrideHeaders } = call
  return { hosts, authorizations, suspectHeaders, overrideHeaders }
}

const plain = ['Host', 'gw.contoso.com', 'Authorization', 'Bearer x', 'Accept', '*/*', 'User-Agent', 'curl/8', 'X-Requested-With', 'XMLHttpRequest']

describe('scanRequestHead', () => {
  it('a plain request: one Host, one Authorization, nothing that needs the slower checks', () => {
    expect(scan(plain)).toEqual({ hosts: 1, authorizations: 1, suspectHeaders: false, overrideHeaders: false })
  })

  it('counts Host and Authorization fields in any case', () => {
    expect(scan([...plain, 'HOST', 'evil', 'authorization', 'Bearer y'])).toMatchObject({ hosts: 2, authorizations: 2 })
  })

  it.each(['x-s2s-partner', 'X-S2S-Partner', 'X_S2S_PARTNER', 'x-s2s_user-upn', 'X-Forwarded-For', 'x-forwarded-prefix', 'X_Forwarded_Host',
    'Forwarded', 'X-Real-IP', 'True-Client-IP', 'X-Client-IP', 'X-Original-URL', 'x-rewrite-url', 'Some_Header',
    'Client-IP', 'CF-Connecting-IP', 'Fastly-Client-IP', 'X-Cluster-Client-IP', 'X-Original-Forwarded-For'])('flags %s for the header rewrite', (name) => {
    expect(scan([...plain, name, 'v']).suspectHeaders).toBe(true)
  })

  it.each(['X-HTTP-Method', 'x-http-method-override', 'X_HTTP_Method_Override', 'X-Method-Override'])('flags %s as a possible method override', (name) => {
    expect(scan([...plain, name, 'MERGE']).overrideHeaders).toBe(true)
  })
})
