// Log: the batch of lines waiting for stdout, kept as the bytes that will be written. A flat line (the access line)
// is written into it piece by piece (plain ASCII copied a character at a time, numbers as digits), so no string is
// built, joined or converted per line; pino's own lines are copied in as UTF-8. Once `bufferBytes` wait, or a second
// after the first of them, the whole lines are handed to the sink (sonic-boom in its buffer mode) in one write.
import { numberText, thousandthsOf, type LineOut } from './json-text.js'

/** What a batch is handed to: sonic-boom in production, a recorder in tests. It keeps the bytes it is given. */
export interface LineSink {
  write(bytes: Buffer): unknown
  /** Calls back once what it was given is written (sonic-boom's flush). */
  flush?(done: (err?: Error) => void): void
}

/** Lines wait at most this long before they are written (a quiet gateway's lines are not held back). */
export const FLUSH_AFTER_MS = 1000

/** Room beyond bufferBytes, so the line that crosses it usually fits where it started. */
const SLACK = 4096

const QUOTE = 0x22
const BACKSLASH = 0x5c
const EMPTY = Buffer.alloc(0)

export class LineBatch implements LineOut {
  readonly #sink: LineSink
  readonly #bufferBytes: number
  readonly #flushAfterMs: number
  #bytes: Buffer
  /** End of what is written. */
  #at = 0
  /** Start of the line being written: the bytes before it are whole lines. */
  #lineStart = 0
  #timer: NodeJS.Timeout | undefined
  readonly #flushLater = (): void => {
    this.flush()
  }

  constructor(sink: LineSink, bufferBytes: number, flushAfterMs = FLUSH_AFTER_MS) {
    this.#sink = sink
    this.#bufferBytes = bufferBytes
    this.#flushAfterMs = flushAfterMs
    this.#bytes = Buffer.allocUnsafe(bufferBytes + SLACK)
  }

  /** A whole line (pino's own lines): copied in as UTF-8. */
  write(line: string): void {
    this.text(line)
    this.endLine()
  }

  ascii(text: string): void {
    this.#room(text.length)
    const bytes = this.#bytes
    let at = this.#at
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i)
    this.#at = at
  }

  text(text: string): void {
    this.#room(text.length * 3) // a UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair: 4 for 2)
    const bytes = this.#bytes
    let at = this.#at
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c > 0x7f) {
        this.#at += bytes.write(text, this.#at) // UTF-8, written over the ASCII copy begun above
        return
      }
      bytes[at++] = c
    }
    this.#at = at
  }

  quoted(text: string): void {
    this.#room(text.length + 2)
    const bytes = this.#bytes
    let at = this.#at
    bytes[at++] = QUOTE
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        this.text(JSON.stringify(text)) // written over the copy begun above
        return
      }
      bytes[at++] = c
    }
    bytes[at++] = QUOTE
    this.#at = at
  }

  number(value: number): void {
    if (Number.isSafeInteger(value) && value >= 0) {
      this.#digits(value) // statuses, and pino's epoch time without a string per line
      return
    }
    const thousandths = thousandthsOf(value)
    if (thousandths === undefined) {
      this.ascii(numberText(value))
      return
    }
    const whole = Math.floor(thousandths / 1000)
    this.#digits(whole)
    this.#decimals(thousandths - whole * 1000)
  }

  /** The line written since the last one ended is whole (it ends with its own '\n'). */
  endLine(): void {
    this.#lineStart = this.#at
    if (this.#at >= this.#bufferBytes) this.flush()
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#flushLater, this.#flushAfterMs)
      this.#timer.unref()
    }
  }

  /** Forget the line written since the last one ended. */
  dropLine(): void {
    this.#at = this.#lineStart
  }

  /** Hand every whole line to the sink now; `done` (pino's `logger.flush(cb)`) once the sink has written them. */
  flush(done?: (err?: Error) => void): void {
    const whole = this.take()
    if (whole.length > 0) this.#sink.write(whole)
    if (done === undefined) return
    if (this.#sink.flush === undefined) done()
    else this.#sink.flush(done)
  }

  /** Every whole line, no longer waiting (empty when none): for a write the caller makes itself. */
  take(): Buffer {
    return this.#moveOn(0)
  }

  /** The whole lines, taken out; the line being written (if any) moved to a new buffer with `extra` bytes free. */
  #moveOn(extra: number): Buffer {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    const partial = this.#at - this.#lineStart
    if (this.#lineStart === 0 && partial + extra <= this.#bytes.length) return EMPTY
    const whole = this.#bytes.subarray(0, this.#lineStart)
    const next = Buffer.allocUnsafe(Math.max(this.#bufferBytes + SLACK, partial + extra))
    this.#bytes.copy(next, 0, this.#lineStart, this.#at)
    this.#bytes = next
    this.#at = partial
    this.#lineStart = 0
    return whole
  }

  #room(bytes: number): void {
    if (this.#at + bytes <= this.#bytes.length) return
    const whole = this.#moveOn(bytes)
    if (whole.length > 0) this.#sink.write(whole)
  }

  /** '.001' … '.999' without trailing zeros for 1 … 999 thousandths, nothing for 0 (as decimalsOf, without its table). */
  #decimals(thousandths: number): void {
    if (thousandths === 0) return
    this.#room(4)
    const bytes = this.#bytes
    const first = (thousandths / 100) | 0
    const rest = thousandths - first * 100
    const second = (rest / 10) | 0
    const third = rest - second * 10
    let at = this.#at
    bytes[at++] = 0x2e
    bytes[at++] = 0x30 + first
    if (rest !== 0) bytes[at++] = 0x30 + second
    if (third !== 0) bytes[at++] = 0x30 + third
    this.#at = at
  }

  /** A non-negative integer below 2^53, as digits. */
  #digits(value: number): void {
    let width = 1
    for (let power = 10; power <= value; power *= 10) width++
    this.#room(width)
    const bytes = this.#bytes
    let rest = value
    for (let at = this.#at + width - 1; at >= this.#at; at--) {
      const next = Math.floor(rest / 10)
      bytes[at] = 0x30 + (rest - next * 10)
      rest = next
    }
    this.#at += width
  }
}
