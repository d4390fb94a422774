// Issue 15, defect 11: the README and package.json promise Node >= 20.19, so every package `npm ci` installs
// must accept 20.19 in its engines.node (cookie 2, pulled in by fastify's light-my-request, wants >= 22; the
// `overrides` in package.json pin cookie 1.1.1, which has the same stringifySetCookie). .ci/run also fails
// when `npm ci` prints EBADENGINE on the Node it runs on.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { REPO_DIR } from './deploy-files.js'

type Version = [number, number | undefined, number | undefined]

const readJson = (file: string): any => JSON.parse(readFileSync(join(REPO_DIR, file), 'utf8'))

function parseVersion(text: string): Version {
  const parts = text.replace(/^v/, '').split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : undefined))
  if (parts[0] === undefined) throw new Error(`unreadable version ${text}`)
  return [parts[0], parts[1], parts[2]]
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0)
  return 0
}

/** One comparator (`>=20.19`, `^22.13.0`, `~1.2`, `20`, `12.*`) against a full version. */
function satisfiesComparator(v: readonly number[], op: string, text: string): boolean {
  const want = parseVersion(text)
  const low = want.map((p) => p ?? 0)
  switch (op) {
    case '>=': return compare(v, low) >= 0
    case '>': return compare(v, low) > 0
    case '<=': return compare(v, low) <= 0
    case '<': return compare(v, low) < 0
    case '^': return compare(v, low) >= 0 && (want[0] > 0 ? v[0] === want[0] : v[1] === (want[1] ?? v[1]))
    case '~': return compare(v, low) >= 0 && v[0] === want[0] && (want[1] === undefined || v[1] === want[1])
    default: return want.every((p, i) => p === undefined || p === v[i]) // X-ranges: 20, 12.*, 10.x
  }
}

/** An npm engines range: `||` alternatives of space-separated comparators. */
function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version).map((p) => p ?? 0)
  return range.split('||').some((alt) => {
    const comparators = [...alt.trim().matchAll(/(>=|<=|>|<|\^|~|=)?\s*(v?[\dxX*]+(?:\.[\dxX*]+){0,2})/g)]
    if (comparators.length === 0) throw new Error(`unreadable range ${range}`)
    return comparators.every((m) => satisfiesComparator(v, m[1] ?? '', m[2] as string))
  })
}

describe('Node support', () => {
  const minimum = /^>=(\d+\.\d+(?:\.\d+)?)$/.exec(readJson('package.json').engines.node)?.[1]

  it('package.json states a minimum, and the README the same one', () => {
    expect(minimum).toMatch(/^20\./)
    expect(readFileSync(join(REPO_DIR, 'README.md'), 'utf8')).toContain(`Node.js >= ${minimum}`)
  })

  it('reads npm ranges the way npm does', () => {
    expect(satisfies('20.19.0', '>=22')).toBe(false)
    expect(satisfies('20.19.0', '^20.19.0 || ^22.13.0 || >=23.5.0')).toBe(true)
    expect(satisfies('20.18.0', '^20.19.0 || >=22.12.0')).toBe(false)
    expect(satisfies('20.19.0', '10.* || >= 12.*')).toBe(true)
    expect(satisfies('20.19.0', '^16 || ^18 || >=20')).toBe(true)
    expect(satisfies('21.0.0', '20 || >=22')).toBe(false)
  })

  it('every package in package-lock.json accepts the minimum Node version', () => {
    const packages = readJson('package-lock.json').packages as Record<string, { engines?: { node?: string } }>
    const refusing = Object.entries(packages)
      .filter(([, p]) => typeof p.engines?.node === 'string' && !satisfies(`${minimum}.0`, p.engines.node))
      .map(([name, p]) => `${name} wants node ${p.engines?.node}`)
    expect(refusing).toEqual([])
  })

  it('fastify.inject still sends cookies with the pinned cookie package', async () => {
    const app = Fastify()
    app.get('/', async (req) => ({ cookie: req.headers.cookie ?? null }))
    try {
      const res = await app.inject({ method: 'GET', url: '/', cookies: { session: 'a b', theme: 'dark' } })
      expect(res.json()).toEqual({ cookie: 'session=a%20b; theme=dark' })
    } finally {
      await app.close()
    }
  })
})
