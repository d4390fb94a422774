import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verify, X509Certificate } from 'node:crypto'
import { runCli } from '../../../src/cli/run.js'
import { makeTempDir, writeCertFiles, type CertFiles } from '../config/fixtures.js'
import { captureIo } from './capture.js'

const temp = makeTempDir()
let partner: CertFiles
let other: CertFiles
const NOW_MS = 1_700_000_000_123
const ISSUER = '00000002-0000-0ff1-ce00-000000000000@contoso.com'
const AUDIENCE = '5f1c9a3e-7b2d-4c8e-9f10-112233445566/gw.contoso.com:8443@contoso.com'

beforeAll(async () => {
  ;[partner, other] = await Promise.all([writeCertFiles(temp.dir, 'partner'), writeCertFiles(temp.dir, 'other')])
})
afterAll(temp.remove)

const decode = (segment: string): Record<string, unknown> => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))

async function mint(extra: string[] = [], files: { key: string; cert: string } = partner): Promise<{ code: number; token: string; err: string }> {
  const io = captureIo({}, () => NOW_MS)
  const code = await runCli(['token', 'mint', '--key', files.key, '--cert', files.cert, '--issuer', ISSUER, '--audience', AUDIENCE, ...extra], io)
  return { code, token: io.out().trim(), err: io.err() }
}

/** Checks the RS256 signature with the certificate file's public key and returns header and claims. */
function verifyActor(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h = '', p = '', s = ''] = token.split('.')
  const publicKey = new X509Certificate(partner.created.certPem).publicKey
  expect(verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))).toBe(true)
  return { header: decode(h), claims: decode(p) }
}

describe('s2s-gateway token mint', () => {
  it('prints an app-only RS256 actor token that verifies with the certificate (docs/PROTOCOL.md §2.5)', async () => {
    const { code, token } = await mint()
    expect(code).toBe(0)
    expect(token.split('.')).toHaveLength(3)
    const { header, claims } = verifyActor(token)
    expect(header).toEqual({ typ: 'JWT', alg: 'RS256', x5t: partner.created.x5t })
    const nowSec = Math.floor(NOW_MS / 1000)
    expect(claims).toEqual({ aud: AUDIENCE, iss: ISSUER, nbf: nowSec - 300, exp: nowSec + 3600, nameid: ISSUER })
  })

  it('writes nbf and exp as strings with --date-format string, and honours --lifetime-sec', async () => {
    const { claims } = verifyActor((await mint(['--date-format', 'string', '--lifetime-sec', '86400'])).token)
    const nowSec = Math.floor(NOW_MS / 1000)
    expect(claims['nbf']).toBe(String(nowSec - 300))
    expect(claims['exp']).toBe(String(nowSec + 86_400))
  })

  it('wraps a delegating actor token in an unsigned outer token when a user flag is given (docs/PROTOCOL.md §3)', async () => {
    const { code, token } = await mint(['--user-upn', 'alice@contoso.com', '--user-smtp', 'alice@contoso.com', '--user-nameid', 's-1-5-21-1', '--user-nii', 'urn:office:idp:activedirectory'])
    expect(code).toBe(0)
    const [h = '', p = '', s] = token.split('.')
    expect(s).toBe('')
    expect(decode(h)).toEqual({ typ: 'JWT', alg: 'none' })
    const outer = decode(p)
    expect(outer).toMatchObject({
      aud: AUDIENCE,
      iss: ISSUER,
      upn: 'alice@contoso.com',
      smtp: 'alice@contoso.com',
      nameid: 's-1-5-21-1',
      nii: 'urn:office:idp:activedirectory',
    })
    expect(outer).not.toHaveProperty('sip')
    const actor = verifyActor(String(outer['actortoken']))
    expect(actor.claims).toMatchObject({ iss: ISSUER, nameid: ISSUER, aud: AUDIENCE, trustedfordelegation: 'true' })
    expect(outer['iss']).toBe(actor.claims['nameid'])
  })

  it('refuses a key that does not belong to the certificate (exit 1)', async () => {
    const { code, err } = await mint([], { key: other.key, cert: partner.cert })
    expect(code).toBe(1)
    expect(err).toContain(`${other.key} is not the key of ${partner.cert}`)
  })

  it('exits 1 when a file cannot be read', async () => {
    expect((await mint([], { key: `${temp.dir}/absent.key`, cert: partner.cert })).code).toBe(1)
  })

  it.each([
    [['--issuer', 'no-realm'], '--issuer must look like <id>@<realm>'],
    [['--audience', 'id@contoso.com'], '--audience must look like <id>/<host[:port]>@<realm>'],
    [['--lifetime-sec', '0'], '--lifetime-sec must be a whole number'],
    [['--date-format', 'iso'], '--date-format must be number or string'],
    [['--user-nii', 'urn:office:idp:activedirectory'], '--user-nii needs --user-nameid'],
    [['--user-email', 'a@b'], "Unknown option '--user-email'"],
  ])('%j is a usage error', async (args, message) => {
    const { code, err } = await mint(args)
    expect(code).toBe(2)
    expect(err).toContain(message)
  })
})
