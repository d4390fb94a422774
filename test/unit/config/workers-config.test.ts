// Config (issue 12): `workers: 1 | N | auto`.
import { availableParallelism } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfigObject, workerCount } from '../../../src/config/index.js'
import { makeTempDir, problemsOf, validRaw, writeCertFiles } from './fixtures.js'

const temp = makeTempDir()
beforeAll(() => writeCertFiles(temp.dir, 'gateway').then(() => writeCertFiles(temp.dir, 'partner')))
afterAll(temp.remove)

const load = (workers: unknown, env: Record<string, string> = {}) => loadConfigObject({ ...validRaw(), workers }, { baseDir: temp.dir, env })
const messages = (workers: unknown) => problemsOf({ ...validRaw(), workers }, temp.dir).map((p) => `${p.path}: ${p.message}`)

describe('workers', () => {
  it('is 1 by default; a number or auto (one per core) otherwise, also from ${NAME}', () => {
    expect(loadConfigObject(validRaw(), { baseDir: temp.dir, env: {} }).config.workers).toBe(1)
    expect(load(2).config.workers).toBe(2)
    expect(load('auto').config.workers).toBe('auto')
    expect(load('${WORKERS}', { WORKERS: '3' }).config.workers).toBe(3)
    expect(load('${WORKERS}', { WORKERS: 'auto' }).config.workers).toBe('auto')
    expect(workerCount('auto')).toBe(availableParallelism())
    expect(workerCount(4)).toBe(4)
  })

  it('refuses zero, fractions and other words', () => {
    expect(messages(0)).toEqual(['workers: must be between 1 and 1024'])
    expect(messages(1.5)).toEqual(['workers: must be an integer or auto'])
    expect(messages('all')).toEqual(['workers: must be an integer or auto'])
  })

  it('warns when there are more workers than cores', () => {
    const { warnings } = load(availableParallelism() + 1)
    expect(warnings.some((w) => w.startsWith('workers:') && w.includes('cores'))).toBe(true)
    expect(load(1).warnings.some((w) => w.startsWith('workers:'))).toBe(false)
  })
})
