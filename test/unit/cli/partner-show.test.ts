// Unit: the lines `partner list` prints per partner, for each way a partner can be registered.
import { describe, expect, it } from 'vitest'
import { partnerSummary } from '../../../src/cli/partner-show.js'
import type { PartnerConfig } from '../../../src/schema/index.js'

const base = { trustLevel: 'full', acceptSid: false, allowHttp: false, tls: { insecureSkipVerify: false } } as const

describe('partnerSummary', () => {
  it.each<[string, Partial<PartnerConfig>, string[]]>([
    ['by metadata URL, unpinned', { metadataUrl: 'https://a.contoso.com/metadata/json/1' }, ['  issuer (named by its document), trust full', '  keys from https://a.contoso.com/metadata/json/1']],
    ['by certificate files', { applicationId: 'abc', realm: 'contoso.com', certificates: ['/c/a.pem', '/c/b.pem'] }, ['  issuer abc@contoso.com, trust full', '  keys from 2 certificate file(s)']],
    ['through an authorization server', { applicationId: 'abc', realm: '*', authorizationServer: 'acs' }, ['  issuer abc@*, trust full', '  keys from authorization server acs']],
  ])('a partner registered %s', (_label, fields, lines) => {
    expect(partnerSummary({ name: 'p', ...base, ...fields })).toEqual(['p', ...lines, '  inbound only'])
  })
})
