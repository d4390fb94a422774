// Unit (issue 11): the line batcher in front of stdout. Lines must reach the sink whole, in order, once enough
// bytes wait or a second after the first of them, and nothing may be left behind by take().
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createLineBatcher } from '../../../src/log/log-destination.js'

function recorder(): { writes: string[]; write(text: string): void } {
  const writes: string[] = []
  return { writes, write: (text) => void writes.push(text) }
}

describe('createLineBatcher', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('writes once bufferBytes wait, as one text, lines whole and in order', () => {
    const sink = recorder()
    const batcher = createLineBatcher(sink, 10)
    batcher.write('aaaa\n')
    expect(sink.writes).toEqual([])
    batcher.write('bbbb\n')
    expect(sink.writes).toEqual(['aaaa\nbbbb\n'])
    batcher.write('cc\n')
    expect(sink.writes).toEqual(['aaaa\nbbbb\n'])
  })

  it('writes what waits one flush interval after the first line, and not before', () => {
    const sink = recorder()
    const batcher = createLineBatcher(sink, 4096, 1000)
    batcher.write('one\n')
    vi.advanceTimersByTime(600)
    batcher.write('two\n')
    vi.advanceTimersByTime(399)
    expect(sink.writes).toEqual([])
    vi.advanceTimersByTime(1)
    expect(sink.writes).toEqual(['one\ntwo\n'])
    vi.advanceTimersByTime(5000)
    expect(sink.writes).toEqual(['one\ntwo\n'])
  })

  it('take() hands over every waiting line and leaves nothing for the timer', () => {
    const sink = recorder()
    const batcher = createLineBatcher(sink, 4096, 1000)
    batcher.write('x\n')
    batcher.write('y\n')
    expect(batcher.take()).toBe('x\ny\n')
    expect(batcher.take()).toBe('')
    vi.advanceTimersByTime(2000)
    expect(sink.writes).toEqual([])
  })
})

describe('stdout with batching, in a real process', () => {
  it('every line reaches stdout, in order, when the process exits before a flush was due', async () => {
    const { spawnSync } = await import('node:child_process')
    const { fileURLToPath } = await import('node:url')
    const logger = fileURLToPath(new URL('../../../dist/log/logger.js', import.meta.url))
    const script = `import(${JSON.stringify(logger)}).then(({ createLogger }) => { const log = createLogger('info', undefined, 4096); for (let i = 0; i < 3; i++) log.info({ i }, 'line'); process.exit(0) })`
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
    expect(out.status).toBe(0)
    expect(out.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([0, 1, 2])
  })
})
