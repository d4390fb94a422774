// Bench: what each stage of the inbound path costs in the whole process (issue 11), by taking the stages away one
// at a time. In-process timings (hot-path-items.ts) measure a stage with warm caches; in the gateway every stage
// runs once per request between node core's own work, and costs several times as much. This writes cumulative
// copies of bench/.build, each with one more stage cut out of the compiled JavaScript, for `--build`:
//   node bench/.build/bench/ablate.js        -> bench/.variants/cut1 ... cut6, and the command line to measure them
// cut1 no metrics or status counters; cut2 also no access line; cut3 also no token work (the first identity is
// reused); cut4 also no upstream header rewrite and no forwarder listeners (timeouts, close, hop-by-hop on the
// answer, timing); cut5 also no handler (request straight to the forwarder: no InboundCall, request id, guards,
// access decision, limits); cut6 also no connection guard and no HTTP guards. cut6 is not a gateway any more: it
// shows what is left besides the engine. Each cut fails loudly when its anchor is no longer in the compiled code.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUILD, ROOT } from './paths.js'

type Edit = [file: string, anchor: string, replacement: string]

interface Cut {
  name: string
  what: string
  edits: Edit[]
}

const CUTS: Cut[] = [
  {
    name: 'cut1',
    what: 'no metrics or status counters',
    edits: [
      ['src/inbound/access-log.js', 'observer.onDone?.(record);', ''],
      ['src/inbound/inbound-handler.js', 'observer.onStart?.();', ''],
    ],
  },
  {
    name: 'cut2',
    what: 'no access line',
    edits: [['src/inbound/access-log.js', "record = accessRecordOf(call);\n        logFlatLine(log, record, 'request');", 'return;']],
  },
  {
    name: 'cut3',
    what: 'no token work (the first identity reused)',
    edits: [
      ['src/inbound/authenticate.js', 'export function authenticateCall(call) {', 'let cutIdentity;\nexport function authenticateCall(call) {\n    if (cutIdentity !== undefined) return cutIdentity;'],
      ['src/inbound/authenticate.js', 'return runtime.validator.validateNow(token);', 'const r = runtime.validator.validateNow(token); if (!(r instanceof Promise)) cutIdentity = r; return r;'],
    ],
  },
  {
    name: 'cut4',
    what: 'no upstream header rewrite, no forwarder listeners',
    edits: [
      ['src/inbound/upstream-headers.js', 'export function prepareUpstreamHeaders(req, identity, runtime, suspect = true) {', 'export function prepareUpstreamHeaders(req, identity, runtime, suspect = true) {\n    return;'],
      ['src/upstream/forward.js', "proxy.on('proxyReq',", "if (false) proxy.on('proxyReq',"],
      ['src/upstream/forward.js', "proxy.on('proxyRes',", "if (false) proxy.on('proxyRes',"],
    ],
  },
  {
    name: 'cut5',
    what: 'no handler: request straight to the forwarder',
    edits: [['src/inbound/inbound-handler.js', 'return function handleInbound(req, res) {', 'return function handleInbound(req, res) {\n        holder.current.forwarder.forward(req, res, () => { res.statusCode = 502; res.end(); }); return;']],
  },
  {
    name: 'cut6',
    what: 'no connection guard, no HTTP guards',
    edits: [
      ['src/lifecycle/build-gateway.js', 'guardConnections(inbound.server,', '(() => undefined)(inbound.server,'],
      ['src/inbound/inbound-listener.js', 'installHttpGuards(server, log);', ''],
    ],
  },
]

function apply(dir: string, [file, anchor, replacement]: Edit, cut: string): void {
  const path = join(dir, file)
  const text = readFileSync(path, 'utf8')
  if (!text.includes(anchor)) throw new Error(`${cut}: ${file} no longer contains ${JSON.stringify(anchor.slice(0, 60))}; update bench/ablate.ts`)
  writeFileSync(path, text.replace(anchor, replacement))
}

if (!existsSync(BUILD)) throw new Error('compile first: npx tsc -p bench/tsconfig.json --noCheck')
const builds: string[] = []
CUTS.forEach((cut, i) => {
  const dir = join(ROOT, 'bench', '.variants', cut.name)
  rmSync(dir, { recursive: true, force: true })
  cpSync(BUILD, dir, { recursive: true })
  for (const earlier of CUTS.slice(0, i + 1)) for (const edit of earlier.edits) apply(dir, edit, earlier.name)
  builds.push(`--build ${cut.name}=bench/.variants/${cut.name}`)
  process.stdout.write(`${cut.name}: ${CUTS.slice(0, i + 1).map((c) => c.what).join('; ')}\n`)
})
process.stdout.write(`\nnpm run bench -- --only bare,app-warm --repeats 5 --latency 0 ${builds.join(' ')}\n`)
