// CLI: edit the `partners` list of a configuration file in place with the yaml Document API, so comments, key
// order and flow/block styles elsewhere in the file survive. The result is checked with the real loader before
// it replaces the file (temp file + rename in the real file's directory: readers never see half a file).
import { chmodSync, chownSync, closeSync, fstatSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'
import { Document, isMap, isScalar, isSeq, parseDocument, YAMLSeq, type YAMLMap } from 'yaml'
import { ConfigError } from '../config/index.js'

/** Output options: no line folding, so long values stay on their line as the operator wrote them. */
const TO_STRING = { lineWidth: 0 } as const

export interface ConfigFileDocument {
  file: string
  /** The file as read: edits are spliced into it, so every byte outside the edited entry stays as it was. */
  text: string
  doc: Document
}

/** Parse a config file as an editable Document; YAML errors become a ConfigError (exit 78). */
export function readConfigDocument(file: string): ConfigFileDocument {
  const text = readFileSync(file, 'utf8')
  const doc = parseDocument(text, { keepSourceTokens: true })
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((e) => ({ path: '', message: `YAML error: ${e.message}` })))
  return { file, text, doc }
}

/** Index of the entry named `name` in `partners`, or -1. */
export function findPartnerIndex(doc: Document, name: string): number {
  const node = doc.get('partners', true)
  if (!isSeq(node)) return -1
  return node.items.findIndex((item) => isMap(item) && item.get('name') === name)
}

const lineStart = (text: string, at: number): number => text.lastIndexOf('\n', at - 1) + 1
/** Offset just past the line that starts at `from`. */
const endOfLine = (text: string, from: number): number => (text.indexOf('\n', from) === -1 ? text.length : text.indexOf('\n', from) + 1)
/** `at` when it is a line start, else the start of the next line. */
const lineEnd = (text: string, at: number): number => (at > 0 && text[at - 1] === '\n' ? at : text.indexOf('\n', at) === -1 ? text.length : text.indexOf('\n', at) + 1)

/** A block `partners` sequence with its items' source offsets, or undefined (absent, null, flow, empty). */
function blockPartners(doc: Document, text: string): { seq: YAMLSeq; indent: string } | undefined {
  const seq = doc.get('partners', true)
  if (!isSeq(seq) || seq.flow === true || seq.items.length === 0 || seq.range === undefined || seq.range === null) return undefined
  if (seq.items.some((item) => !isMap(item) || item.range === undefined || item.range === null)) return undefined
  const indent = text.slice(lineStart(text, seq.range[0]), seq.range[0])
  return /^ *$/.test(indent) && text[seq.range[0]] === '-' ? { seq, indent } : undefined
}

/** True when the line starting at `from` is blank (and exists). */
const blankLine = (text: string, from: number): boolean => from < text.length && text.slice(from, endOfLine(text, from)).trim() === ''

/** Offset of an entry's first line: its dash line, or the comment lines at the dash's indentation right above it. */
function entryStart(text: string, item: YAMLMap, indent: string): number {
  let start = lineStart(text, (item.range as [number, number, number])[0])
  while (start > 0 && text.slice(lineStart(text, start - 1), start).startsWith(`${indent}#`)) start = lineStart(text, start - 1)
  return start
}

/**
 * Offset just past an entry's own lines: its content, then the comment lines right below it that are indented
 * deeper than its dash (`    # trustLevel: full   # after the pilot`). Not range[2]: the parser hands the
 * comments after an entry's last value, blank lines and the next entry's or section's header comment included,
 * to that entry, and cutting or inserting there would take or split lines that are not the entry's.
 */
function entryEnd(text: string, item: YAMLMap, indent: string): number {
  let end = lineEnd(text, (item.range as [number, number, number])[1])
  const own = new RegExp(`^${indent} +#`)
  while (end < text.length && own.test(text.slice(end, endOfLine(text, end)))) end = endOfLine(text, end)
  return end
}

/** The entry as block YAML lines under `- `, indented like its siblings. */
function renderItem(entry: Record<string, unknown>, indent: string, comment: string): string {
  const lines = new Document(entry).toString(TO_STRING).replace(/\n$/, '').split('\n')
  const body = lines.map((line, i) => `${indent}${i === 0 ? '- ' : '  '}${line}`)
  return [`${indent}# ${comment}`, ...body].join('\n') + '\n'
}

/**
 * The file with an entry appended to `partners`, with `comment` above it and a blank line before it when the
 * other entries are spaced out. A block list is edited by splicing text; otherwise (no list, `[]`, null) the
 * Document is edited and rendered, which keeps comments but may respace flow collections.
 */
export function addPartnerEntry(source: ConfigFileDocument, entry: Record<string, unknown>, comment: string): string {
  const { doc, text } = source
  const block = blockPartners(doc, text)
  if (block !== undefined) {
    const { seq, indent } = block
    // From the text, not spaceBefore: after an entry that ends in a comment the parser gives the blank line to it.
    const spaced = seq.items.slice(1).some((item) => {
      const start = entryStart(text, item as YAMLMap, indent)
      return start > 0 && blankLine(text, lineStart(text, start - 1))
    })
    const at = entryEnd(text, seq.items[seq.items.length - 1] as YAMLMap, indent)
    const before = text.slice(0, at)
    return `${before}${before.endsWith('\n') ? '' : '\n'}${spaced ? '\n' : ''}${renderItem(entry, indent, comment)}${text.slice(at)}`
  }
  const node = doc.get('partners', true)
  if (node !== undefined && !isSeq(node) && !(isScalar(node) && (node.value === null || node.value === undefined))) {
    throw new ConfigError([{ path: 'partners', message: 'must be a list of mappings' }])
  }
  const seq = isSeq(node) ? node : new YAMLSeq()
  seq.flow = false
  const item = doc.createNode(entry)
  item.commentBefore = ` ${comment}`
  seq.items.push(item)
  if (!isSeq(node)) doc.set('partners', seq)
  return doc.toString(TO_STRING)
}

/**
 * The file without the entry named `name` (and the comment lines right above it), or undefined when there is
 * none. Spliced out of the text while other entries remain; removing the last one renders `partners: []`.
 */
export function removePartnerEntry(source: ConfigFileDocument, name: string): string | undefined {
  const { doc, text } = source
  const index = findPartnerIndex(doc, name)
  if (index === -1) return undefined
  const block = blockPartners(doc, text)
  if (block === undefined || block.seq.items.length < 2) {
    doc.deleteIn(['partners', index])
    return doc.toString(TO_STRING)
  }
  const { seq, indent } = block
  const item = seq.items[index] as YAMLMap
  // Comment lines directly above, at the dash's indentation, belong to this entry.
  let start = entryStart(text, item, indent)
  let end = entryEnd(text, item, indent)
  if (index > 0 && start > 0 && blankLine(text, lineStart(text, start - 1))) {
    start = lineStart(text, start - 1) // the blank line that separated it from the entry before
  } else if (index === 0) {
    while (blankLine(text, end)) end = endOfLine(text, end) // the next entry comes first now: no blank line above it
  }
  return text.slice(0, start) + text.slice(end)
}

/**
 * Replace the file `file` names atomically with `text`, as the file it replaces was: a symbolic link is followed
 * (the link stays, its target changes, and the temporary file lies next to the target so the rename cannot cross
 * file systems), and the mode, owner and group are kept. A gateway running as another user reads this file: a
 * new owner or group could lock it out at the next reload, so when they cannot be kept (not root, not the
 * owner, or a group we are not in) nothing is written and the error says why.
 */
export function writeFileAtomic(file: string, text: string): void {
  const target = realpathSync(file)
  const was = statSync(target)
  const mode = was.mode & 0o777
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let fd: number | undefined = openSync(temp, 'wx', 0o600)
  try {
    writeFileSync(fd, text)
    fsyncSync(fd)
    const made = fstatSync(fd)
    closeSync(fd)
    fd = undefined
    if (made.uid !== was.uid || made.gid !== was.gid) {
      try {
        chownSync(temp, was.uid, was.gid)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error'
        throw new Error(`cannot keep the owner and group of ${target} (uid ${was.uid}, gid ${was.gid}): ${code}; run this as root or as the file's owner. The file was left unchanged`)
      }
    }
    chmodSync(temp, mode) // after the chown, which may clear set-id bits
    renameSync(temp, target)
  } catch (err) {
    if (fd !== undefined) closeSync(fd)
    try {
      unlinkSync(temp)
    } catch {
      // nothing was left behind
    }
    throw err
  }
}
