// Unit (issue 11): the batch of log lines kept as the bytes stdout gets. Lines must reach the sink whole, in order,
// as UTF-8, once enough bytes wait or a second after the first of them, whatever their length, and nothing may be
// left behind by take(); the JSON pieces must be what JSON.stringify and String() write.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LineBatch } from '../../../src/log/line-batch.js'

function recorder(): { writes: string[]; write(bytes: Buffer): void } {
  const writes: string[] = []
  return { writes, write: (bytes) => void writes.push(bytes.toString('utf8')) }
}

describe('LineBatch', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('writes once bufferBytes wait, as one write, lines whole and in order', () => {
    const sink = recorder()
    const batch = new LineBatch(sink, 10)
    batch.write('aaaa\n')
    expect(sink.writes).toEqual([])
    batch.write('bbbb\n')
    expect(sink.writes).toEqual(['aaaa\nbbbb\n'])
    batch.write('cc\n')
    expect(sink.writes).toEqual(['aaaa\nbbbb\n'])
  })

  it('counts bytes of UTF-8, not characters', () => {
    const sink = recorder()
    const batch = new LineBatch(sink, 10)
    batch.write('éééé\n') // 9 bytes
    expect(sink.writes).toEqual([])
    batch.write('\n')
    expect(sink.writes).toEqual(['éééé\n\n'])
  })

  it('writes what waits one flush interval after the first line, and not before', () => {
    const sink = recorder()
    const batch = new LineBatch(sink, 4096, 1000)
    batch.write('one\n')
    vi.advanceTimersByTime(600)
    batch.write('two\n')
    vi.advanceTimersByTime(399)
    expect(sink.writes).toEqual([])
    vi.advanceTimersByTime(1)
    expect(sink.writes).toEqual(['one\ntwo\n'])
    vi.advanceTimersByTime(5000)
    expect(sink.writes).toEqual(['one\ntwo\n'])
  })

  it('take() hands over every waiting line and leaves nothing for the timer', () => {
    const sink = recorder()
    const batch = new LineBatch(sink, 4096, 1000)
    batch.write('x\n')
    batch.write('y\n')
    expect(batch.take().toString()).toBe('x\ny\n')
    expect(batch.take().length).toBe(0)
    vi.advanceTimersByTime(2000)
    expect(sink.writes).toEqual([])
  })

  it('flush(done), as pino\'s logger.flush(cb) calls it, hands the lines over and calls back once the sink has written them', () => {
    const writes: string[] = []
    const pending: Array<() => void> = []
    const sink = { write: (bytes: Buffer) => void writes.push(bytes.toString()), flush: (done: () => void) => void pending.push(done) }
    const batch = new LineBatch(sink, 4096, 1000)
    batch.write('a\n')
    let called = 0
    batch.flush(() => called++)
    expect(writes).toEqual(['a\n'])
    expect(called).toBe(0) // the sink has not written yet
    pending.forEach((done) => done())
    expect(called).toBe(1)
    const bare = new LineBatch(recorder(), 4096, 1000)
    bare.flush(() => called++) // a sink without flush: at once
    expect(called).toBe(2)
  })

  it('keeps a line whole when it outgrows the buffer: the lines before it go, it moves, none is cut', () => {
    const sink = recorder()
    const batch = new LineBatch(sink, 100, 1000)
    batch.write('first\n')
    const long = `${'a'.repeat(3000)}é${'b'.repeat(9000)}`
    batch.ascii('{"p":')
    batch.quoted(long) // not plain: JSON.stringify's text, UTF-8
    batch.ascii('}\n')
    expect(sink.writes).toEqual(['first\n']) // handed over when the long line needed the room
    batch.endLine()
    expect(sink.writes).toEqual(['first\n', `{"p":${JSON.stringify(long)}}\n`])
    batch.write(`${'c'.repeat(20_000)}\n`)
    batch.write('last\n')
    expect(sink.writes.slice(2)).toEqual([`${'c'.repeat(20_000)}\n`])
    batch.flush()
    expect(sink.writes.slice(3)).toEqual(['last\n'])
  })

  it('drops a line begun and abandoned, even after it moved to a new buffer', () => {
    const sink = recorder()
    const batch = new LineBatch(sink, 100, 1000)
    batch.write('kept\n')
    batch.ascii('x'.repeat(5000))
    batch.dropLine()
    batch.write('next\n')
    batch.flush()
    expect(sink.writes.join('')).toBe('kept\nnext\n')
  })

  it('writes strings as JSON.stringify and numbers as String() (null where JSON has none)', () => {
    const sink = recorder()
    const batch = new LineBatch(sink, 1 << 20, 1000)
    const strings = ['', 'plain /api/items?x=1', 'quote " only', 'back\\slash only', 'tab\there', '\u0000\u001f\u007f', 'ünïcödé', '\u2028', 'emoji 😀', 'lone \ud800 surrogate', 'x'.repeat(5000)]
    const numbers = [0, -0, 1, 30, 200, 504, 0.001, 0.008, 2.017, 10.5, 999_999_999.999, 1e9, 123_456.789, 1_764_700_000_000, Number.MAX_SAFE_INTEGER, -0.5, 1e-7, 0.1 + 0.2, 2 ** 53, 1e21]
    for (const text of strings) {
      batch.quoted(text)
      batch.ascii('\n')
      batch.endLine()
    }
    for (const value of numbers) {
      batch.number(value)
      batch.ascii('\n')
      batch.endLine()
    }
    for (const value of [Number.NaN, Infinity, -Infinity]) {
      batch.number(value)
      batch.ascii('\n')
      batch.endLine()
    }
    batch.flush()
    const lines = sink.writes.join('').split('\n').slice(0, -1)
    expect(lines).toEqual([...strings.map((text) => JSON.stringify(text)), ...numbers.map(String), 'null', 'null', 'null'])
  })

  it('writes every duration in thousandths up to 200 ms, and a spread of larger ones, as String() does', () => {
    const sink = recorder()
    const batch = new LineBatch(sink, 1 << 22, 1000)
    const values: number[] = []
    for (let t = 0; t <= 200_000; t++) values.push(t / 1000)
    for (let t = 1; t < 1e12; t = t * 7 + 3) values.push(t / 1000, Math.round(t * 1.37) / 1000)
    for (const value of values) {
      batch.number(value)
      batch.ascii('\n')
      batch.endLine()
    }
    batch.flush()
    const lines = sink.writes.join('').split('\n').slice(0, -1)
    const wrong = values.filter((value, i) => lines[i] !== String(value)).map((value) => `${value}`)
    expect(lines).toHaveLength(values.length)
    expect(wrong).toEqual([])
  })

  it('copies text as it is, ASCII or not', () => {
    const sink = recorder()
    const batch = new LineBatch(sink, 1 << 20, 1000)
    for (const text of ['{"service":"s2s-gateway"}', ',"name":"Zoë"', '😀 and é']) batch.write(`${text}\n`)
    batch.flush()
    expect(sink.writes).toEqual(['{"service":"s2s-gateway"}\n,"name":"Zoë"\n😀 and é\n'])
  })
})
