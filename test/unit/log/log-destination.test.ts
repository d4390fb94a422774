// Unit (issue 11): stdout behind the line batch (log/line-batch.ts has its own tests). What waits in the batch when
// the process exits must still reach stdout, whole and in order; and what waits for a stdout that does not keep up
// is bounded (logging.maxPendingBytes): past it lines are dropped, counted exactly, and reported once stdout takes
// lines again.
import { spawn, spawnSync } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { countingDrops } from '../../../src/log/log-destination.js'

const LOGGER = fileURLToPath(new URL('../../../dist/log/logger.js', import.meta.url))

/** A writer like sonic-boom with maxLength: a write that would take what waits past `limit` is dropped. */
class FakeSonic extends EventEmitter {
  waiting = 0
  taken: string[] = []
  readonly limit: number
  constructor(limit: number) {
    super()
    this.limit = limit
  }
  write(data: string): boolean {
    if (this.waiting + data.length > this.limit) this.emit('drop', data)
    else {
      this.waiting += data.length
      this.taken.push(data)
    }
    return true
  }
}

describe('countingDrops', () => {
  it('counts what the writer drops and reports it once, at the first write taken again', () => {
    const sonic = new FakeSonic(9)
    const reports: Array<[number, number, number]> = []
    const write = countingDrops<string>(sonic, (lines, bytes, total) => void reports.push([lines, bytes, total]))
    write('aaaa\n') // taken (5)
    write('bb\ncc\n') // 11 > 9: dropped, 2 lines, 6 bytes
    write('é\ndd\n') // dropped: 2 lines, 6 bytes (é is 2 bytes of UTF-8)
    expect(reports).toEqual([])
    sonic.waiting = 0 // stdout took what waited
    write('ee\n')
    expect(reports).toEqual([[4, 12, 4]])
    write('ff\n')
    expect(reports).toEqual([[4, 12, 4]]) // reported once
    sonic.waiting = 9 // stdout stalls again
    write('g'.repeat(20)) // dropped: no line end, 0 lines, 20 bytes
    write('hh\n') // dropped
    sonic.waiting = 0
    write('ii\n')
    expect(reports).toEqual([[4, 12, 4], [1, 23, 5]]) // the total goes on
    expect(sonic.taken).toEqual(['aaaa\n', 'ee\n', 'ff\n', 'ii\n'])
  })

  it('counts lines in dropped bytes as well', () => {
    const sonic = new EventEmitter() as EventEmitter & { write(data: Buffer): void }
    let full = true
    sonic.write = (data) => void (full && sonic.emit('drop', data))
    const reports: Array<[number, number, number]> = []
    const write = countingDrops<Buffer>(sonic, (lines, bytes, total) => void reports.push([lines, bytes, total]))
    write(Buffer.from('x\ny\nz\n'))
    full = false
    write(Buffer.from('w\n'))
    expect(reports).toEqual([[3, 6, 3]])
  })
})

describe('stdout with batching, in a real process', () => {
  it('every line reaches stdout, in order, when the process exits before a flush was due', () => {
    const script = `import(${JSON.stringify(LOGGER)}).then(({ createLogger }) => { const log = createLogger('info', undefined, { bufferBytes: 4096, maxPendingBytes: 1 << 20 }); for (let i = 0; i < 3; i++) log.info({ i }, 'line'); process.exit(0) })`
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
    expect(out.status).toBe(0)
    expect(out.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([0, 1, 2])
  })

  it.each([
    ['batched', 4096],
    ['every line at once', 0],
  ])('%s: a stdout nobody reads makes lines drop past maxPendingBytes, not memory grow; every line is written or counted', async (_label, bufferBytes) => {
    const LINES = 20_000
    // Log LINES lines in bursts (says so on stderr), then (stdout read again by then) one more line and a flush, and exit.
    const script = `import(${JSON.stringify(LOGGER)}).then(({ createLogger }) => {
      const log = createLogger('info', undefined, { bufferBytes: ${bufferBytes}, maxPendingBytes: 65536 })
      let i = 0
      const burst = () => {
        for (let k = 0; k < 500 && i < ${LINES}; k++) log.info({ i: i++ }, 'line')
        if (i < ${LINES}) setImmediate(burst)
        else { process.stderr.write('logged\\n'); setTimeout(finish, 1500) }
      }
      const finish = () => { log.info({ last: true }, 'done'); log.flush(() => log.flush(() => process.exit(0))) }
      burst()
    })`
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const closed = new Promise((resolve) => child.stdout.once('close', resolve))
    let errors = ''
    // Nobody reads stdout until every line is logged: the pipe fills, then what waits reaches the bound.
    await new Promise<void>((resolve) => child.stderr.setEncoding('utf8').on('data', (chunk: string) => ((errors += chunk), errors.includes('logged\n') && resolve())))
    let text = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    expect(await exited).toBe(0)
    await closed
    expect(errors).toBe('logged\n')
    type Line = { msg: string; i?: number; level: number; droppedLines?: number; droppedLinesTotal?: number }
    const lines = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Line)
    const written = lines.filter((line) => line.msg === 'line')
    const reports = lines.filter((line) => line.droppedLinesTotal !== undefined)
    expect(reports.length).toBeGreaterThan(0)
    expect(reports.every((line) => line.level === 40 && line.msg === 'log lines dropped: stdout did not take them fast enough')).toBe(true)
    expect(written.length).toBeLessThan(LINES)
    // Each line is written whole or counted. The last report's total counts every dropped line, reports included
    // (a report may be dropped in turn), so it exceeds the lost lines by at most the reports that were dropped.
    const total = reports.at(-1)?.droppedLinesTotal ?? 0
    const totals = reports.map((line) => line.droppedLinesTotal ?? 0)
    expect(totals.every((value, index) => index === 0 || value > (totals[index - 1] ?? 0))).toBe(true)
    expect(written.length + total).toBeGreaterThanOrEqual(LINES)
    expect(written.length + total - LINES).toBeLessThanOrEqual(total - reports.reduce((sum, line) => sum + (line.droppedLines ?? 0), 0))
    const order = written.map((line) => line.i ?? -1)
    expect(order.every((value, index) => index === 0 || value > (order[index - 1] ?? -1))).toBe(true)
    expect(lines.some((line) => line.msg === 'done')).toBe(true)
  }, 20_000)
})
