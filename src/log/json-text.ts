// Log: the JSON pieces a flat log line is made of, and the string they are joined into where a line is not written
// straight into the batch's bytes (line-batch.ts): a destination that is not the batch (a test's stream, the primary
// of several workers).

/** Where a line's pieces go: the batch's bytes (LineBatch) or a string (LineText). */
export interface LineOut {
  /** Text known to be ASCII: the code's own names, punctuation and digits. */
  ascii(text: string): void
  /** Any text, as it is (UTF-8 in bytes). */
  text(text: string): void
  /** A JSON string, as JSON.stringify writes it. */
  quoted(text: string): void
  /** A JSON number, as String() writes it; null for what JSON cannot hold. */
  number(value: number): void
}

/** Printable ASCII but '"' and '\\': written between quotes as it is, as JSON.stringify would write it. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/** '', '.001' … '.999' without trailing zeros: the decimals of a number of thousandths, from a table. */
const THOUSANDTHS: readonly string[] = Array.from({ length: 1000 }, (_, i) => (i === 0 ? '' : `.${String(i).padStart(3, '0').replace(/0+$/, '')}`))

/** The decimals of a count of thousandths below 1000 ('' for 0). */
const decimalsOf = (thousandths: number): string => THOUSANDTHS[thousandths] ?? ''

/**
 * The count of thousandths `value` is exactly, when it is positive and the count below 1e12 (the access line's
 * durations, which are rounded to thousandths); else undefined. V8 writes such a double through its
 * general shortest-digits conversion; written from integers instead, it is the same text: a decimal of at most 12
 * significant digits is the shortest that reads back as its own nearest double.
 */
export function thousandthsOf(value: number): number | undefined {
  const thousandths = Math.round(value * 1000)
  return thousandths > 0 && thousandths < 1e12 && thousandths / 1000 === value ? thousandths : undefined
}

/** JSON text of a number, as `String(value)` writes it ('null' where JSON cannot hold it). */
export function numberText(value: number): string {
  if (Number.isInteger(value)) return `${value}`
  const thousandths = thousandthsOf(value)
  if (thousandths !== undefined) {
    const whole = Math.floor(thousandths / 1000)
    return `${whole}${decimalsOf(thousandths - whole * 1000)}`
  }
  return Number.isFinite(value) ? `${value}` : 'null'
}

/** A line's pieces joined into a string. */
export class LineText implements LineOut {
  line = ''

  ascii(text: string): void {
    this.line += text
  }

  text(text: string): void {
    this.line += text
  }

  quoted(text: string): void {
    this.line += PLAIN.test(text) ? `"${text}"` : JSON.stringify(text)
  }

  number(value: number): void {
    this.line += numberText(value)
  }
}
