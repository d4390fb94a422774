// Unit: WWW-Authenticate parsing for realm discovery (docs/PROTOCOL.md §5.1-5.3): both real-world styles, several
// challenges per field or per response, any parameter case, quoted and bare values, absent realm.
import { describe, expect, it } from 'vitest'
import { listsIssuer, parseAuthenticate, readBearerChallenge } from '../../../src/outbound/challenge-parse.js'

const SP = '0d8e2ab8-0f6c-4c6f-9b39-1e6b2d1c8a77'
const SHAREPOINT = `Bearer realm="${SP}",client_id="00000003-0000-0ff1-ce00-000000000000",trusted_issuers="00000003-0000-0ff1-ce00-000000000000@${SP}"`
const EXCHANGE = 'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@a-tenant,00000004-0000-0ff1-ce00-000000000000@contoso.com", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.windows.net/common/oauth2/authorize", error="invalid_token"'

describe('readBearerChallenge', () => {
  it.each([
    ['SharePoint, no spaces, realm first', [SHAREPOINT, 'NTLM'], { realm: SP, clientId: '00000003-0000-0ff1-ce00-000000000000', trustedIssuers: [`00000003-0000-0ff1-ce00-000000000000@${SP}`] }],
    ['Exchange, spaces after commas, no realm', [EXCHANGE, 'Basic realm="mail.contoso.com"'], {
      clientId: '00000002-0000-0ff1-ce00-000000000000',
      trustedIssuers: ['00000001-0000-0000-c000-000000000000@a-tenant', '00000004-0000-0ff1-ce00-000000000000@contoso.com'],
      error: 'invalid_token',
    }],
    ['Lync, empty trusted_issuers', ['Bearer trusted_issuers="", client_id="00000004-0000-0ff1-ce00-000000000000"'], { clientId: '00000004-0000-0ff1-ce00-000000000000', trustedIssuers: [] }],
    ['several challenges in one field (node joins repeated fields)', [`NTLM, ${SHAREPOINT}, Basic realm="other"`], { realm: SP, clientId: '00000003-0000-0ff1-ce00-000000000000' }],
    ['the Bearer challenge after a Basic one whose realm must not leak', ['Basic realm="mail.contoso.com", Bearer client_id="abc"'], { clientId: 'abc' }],
    ['scheme and parameter names in any case', ['BEARER REALM="contoso.com",Client_ID="abc"'], { realm: 'contoso.com', clientId: 'abc' }],
    ['bare token values and spaces around =', ['Bearer realm = contoso.com , client_id=abc'], { realm: 'contoso.com', clientId: 'abc' }],
    ['escapes inside a quoted value', ['Bearer realm="con\\"toso",error_description="a, b"'], { realm: 'con"toso', errorDescription: 'a, b' }],
    ['an empty realm, as absent', ['Bearer realm="",client_id="abc"'], { clientId: 'abc' }],
    ['the first of a repeated parameter', ['Bearer realm="a",realm="b"'], { realm: 'a' }],
    ['a bare Bearer', ['Bearer'], {}],
  ])('reads %s', (_name, fields, expected) => {
    const result = readBearerChallenge(fields)
    expect(result).toMatchObject(expected)
    if (!('realm' in expected)) expect(result?.realm).toBeUndefined()
  })

  it.each([
    ['no header', undefined],
    ['only other schemes', ['NTLM', 'Negotiate abc123==', 'Basic realm="x"']],
    ['junk', ['=,,"",  ']],
  ])('finds no Bearer challenge in %s', (_name, fields) => {
    expect(readBearerChallenge(fields)).toBeUndefined()
  })
})

describe('parseAuthenticate', () => {
  it('keeps token68 credentials apart from parameters', () => {
    expect(parseAuthenticate(['Negotiate YIIabc+/==, Bearer realm="r"']).map((c) => [c.scheme, c.token68, Object.fromEntries(c.params)])).toEqual([
      ['negotiate', 'YIIabc+/==', {}],
      ['bearer', undefined, { realm: 'r' }],
    ])
  })

  it('survives an unterminated quoted string', () => {
    expect(Object.fromEntries(parseAuthenticate('Bearer realm="abc')[0]?.params ?? [])).toEqual({ realm: 'abc' })
  })
})

describe('listsIssuer', () => {
  const us = '5f1c9a3e-7b2d-4c8e-9f10-112233445566'
  it.each([
    [[`${us}@contoso.com`], true],
    [[`${us.toUpperCase()}@CONTOSO.COM`], true],
    [[`${us}@*`], true],
    [['00000002-0000-0ff1-ce00-000000000000@contoso.com'], false],
    [[`${us}@fabrikam.com`], false],
    [[], false],
  ])('%j names us: %s', (issuers, expected) => {
    expect(listsIssuer(issuers, us, 'contoso.com')).toBe(expected)
  })
})
