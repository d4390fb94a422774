// Bench: where the gateway's CPU goes (`--profile`). Reads a V8 .cpuprofile written by `node --cpu-prof` and
// attributes every sample to the deepest frame that belongs to a library or to our code, so node-core work is
// charged to whoever asked for it (http-proxy writing to a socket counts as http-proxy). Samples with only
// node-core frames are node's own HTTP server (parser, sockets, timers).
import { readFileSync } from 'node:fs'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

interface CpuProfile {
  startTime: number
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileSummary {
  /** Non-idle sampled time, ms. */
  busyMs: number
  /** CPU µs per request of the profiled run (profiler on), to turn shares into µs. */
  cpuUsPerRequest?: number
  /** Category -> share of busy time, by attribution (see above). */
  attributed: Array<{ category: string; share: number }>
  /** Category -> share of busy time spent in that category's own frames. */
  self: Array<{ category: string; share: number }>
  /** The functions with the most self time. */
  top: Array<{ name: string; share: number }>
}

const CATEGORIES: ReadonlyArray<[RegExp, string]> = [
  [/\/node_modules\/(http-proxy|eventemitter3|requires-port|follow-redirects)\//, 'http-proxy'],
  [/\/node_modules\/undici\//, 'undici'],
  [/\/node_modules\/(pino|sonic-boom|thread-stream|fast-redact|@pinojs\/redact|quick-format-unescaped|atomic-sleep|on-exit-leak-free|safe-stable-stringify|fast-safe-stringify)/, 'logging (pino)'],
  [/\/node_modules\/(prom-client|tdigest|bintrees)\//, 'metrics (prom-client)'],
  [/\/node_modules\/lru-cache\//, 'token cache (lru-cache)'],
  [/\/src\/tokens\//, 'ours: tokens/'],
  [/\/src\/inbound\/access-log/, 'ours: access log'],
  [/\/src\/admin\//, 'ours: admin/metrics'],
  [/\/src\/inbound\//, 'ours: inbound/'],
  [/\/src\/upstream\//, 'ours: upstream/'],
  [/\/src\/log\//, 'ours: log/'],
  [/\/src\/identity\//, 'ours: identity/'],
  [/\/src\/partners\//, 'ours: partners/'],
  [/\/src\//, 'ours: other'],
  [/\/bench\//, 'bench harness'],
  [/\/node_modules\//, 'other dependencies'],
]

function categoryOf(frame: CallFrame): string | undefined {
  const { url, functionName } = frame
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC'
    if (functionName === '(idle)') return 'idle'
    if (functionName === '(program)') return 'native/(program)'
    return undefined // (root) and native functions without a script: node core
  }
  if (url.startsWith('node:')) return undefined
  for (const [pattern, name] of CATEGORIES) if (pattern.test(url)) return name
  return 'other'
}

function shares(map: Map<string, number>, total: number): Array<{ category: string; share: number }> {
  return [...map.entries()].map(([category, us]) => ({ category, share: us / total })).sort((a, b) => b.share - a.share)
}

/** A window on CLOCK_MONOTONIC in µs (process.hrtime), the clock V8 stamps samples with on Linux. */
export interface ProfileWindow {
  fromUs: number
  toUs: number
}

export function summariseProfile(file: string, window?: ProfileWindow): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  // Only the measured window: start-up (module compilation) and warm-up are not the hot path.
  const inWindow = (t: number): boolean => window === undefined || (t >= window.fromUs && t <= window.toUs)
  let clock = profile.startTime
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const attributed = new Map<string, number>()
  const self = new Map<string, number>()
  const fns = new Map<string, number>()
  const owner = new Map<number, string>()
  const ownerOf = (id: number): string => {
    const known = owner.get(id)
    if (known !== undefined) return known
    let cursor: number | undefined = id
    let found = 'node core (http server, sockets)'
    while (cursor !== undefined) {
      const category = categoryOf((byId.get(cursor) as ProfileNode).callFrame)
      if (category !== undefined) {
        found = category
        break
      }
      cursor = parent.get(cursor)
    }
    owner.set(id, found)
    return found
  }
  let busy = 0
  profile.samples.forEach((id, i) => {
    clock += profile.timeDeltas[i] ?? 0
    if (!inWindow(clock)) return
    const dt = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0
    const node = byId.get(id) as ProfileNode
    const frame = node.callFrame
    if (frame.functionName === '(idle)') return
    busy += dt
    const who = ownerOf(id)
    attributed.set(who, (attributed.get(who) ?? 0) + dt)
    const own = categoryOf(frame) ?? (frame.url === '' ? 'node core (native)' : `node core: ${frame.url.replace(/^node:(internal\/)?/, '').split('/')[0]}`)
    self.set(own, (self.get(own) ?? 0) + dt)
    const where = frame.url === '' ? '' : ` ${frame.url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${frame.lineNumber + 1}`
    const name = `${frame.functionName || '(anonymous)'}${where}`
    fns.set(name, (fns.get(name) ?? 0) + dt)
  })
  const total = Math.max(1, busy)
  return {
    busyMs: busy / 1000,
    attributed: shares(attributed, total),
    self: shares(self, total),
    top: [...fns.entries()].map(([name, us]) => ({ name, share: us / total })).sort((a, b) => b.share - a.share).slice(0, 25),
  }
}
