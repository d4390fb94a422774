// Bench: the CPU one access decision costs in-process (issue 10), for app-warm-perms's policy: 50 permissions
// (matching one last) and 10 access.deny entries, with the method-override scan of a typical header list. A
// loaded shared machine moves whole-process CPU per request by far more than this costs; this figure does not.
// Run: npm run bench -- --help for the main runner; this one: tsc -p bench/tsconfig.json && node bench/.build/bench/access-decision.js
import { compilePolicy, decideAccess, parseMethodOverrides, type AccessRequest } from '../src/access/index.js'
import { median } from './report.js'
import { PERMISSIONS_BENCH } from './rows.js'

const policy = compilePolicy({ mode: 'enforce', caseInsensitivePaths: false, deny: PERMISSIONS_BENCH.deny }, [{ name: 'exchange', permissions: PERMISSIONS_BENCH.permissions }])
const rawHeaders = ['Host', '127.0.0.1:8443', 'Authorization', `Bearer ${'x'.repeat(900)}`, 'User-Agent', 'wrk', 'Accept', '*/*']
const request: AccessRequest = { partner: 'exchange', callType: 'app', method: 'GET', overrides: [], upgrade: false, path: '/api/items' }

function decide(n: number): number {
  let allowed = 0
  for (let i = 0; i < n; i++) {
    const overrides = parseMethodOverrides(rawHeaders)
    if ('methods' in overrides && decideAccess(policy, request).allowed) allowed++
  }
  return allowed
}

const N = 500_000
if (decide(200_000) !== 200_000) throw new Error('the bench policy must allow GET /api/items')
const samples: number[] = []
for (let r = 0; r < 9; r++) {
  const t0 = process.cpuUsage()
  decide(N)
  const d = process.cpuUsage(t0)
  samples.push((d.user + d.system) / N)
}
process.stdout.write(`access decision, app-warm-perms policy: ${median(samples).toFixed(2)} µs CPU per request (median of 9 × ${N}; ${Math.min(...samples).toFixed(2)}–${Math.max(...samples).toFixed(2)}), decided by "${decideAccess(policy, request).permission}"\n`)
