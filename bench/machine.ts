// Bench: a description of the machine and tools, written with every result (ratios only mean something on
// the machine they were measured on).
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import type { LoadGenerator } from './load/index.js'
import type { Pinning } from './spawn.js'

export interface MachineInfo {
  cpu: string
  cpus: number
  mhz: number
  memoryGb: number
  kernel: string
  node: string
  loadGenerator: string
  nginx: string | undefined
  haproxy: string | undefined
  pinning: string
}

function versionOf(command: string, args: string[], pattern: RegExp): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  if (result.error !== undefined) return undefined
  const match = pattern.exec(`${result.stdout}\n${result.stderr}`)
  return match?.[1]
}

export function describeMachine(generator: LoadGenerator, pinning: Pinning): MachineInfo {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    mhz: cpus[0]?.speed ?? 0,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadGenerator: generator === 'wrk' ? `wrk ${versionOf('wrk', ['-v'], /wrk ([\d.]+)/) ?? ''}`.trim() : 'autocannon 8 (wrk not installed)',
    nginx: versionOf('nginx', ['-v'], /nginx\/([\d.]+)/),
    haproxy: versionOf('haproxy', ['-v'], /version ([\d.]+[^ ]*)/),
    pinning: pinning.proxyCpus === undefined ? 'none (taskset missing, one CPU, or --no-pin)' : `proxy under test on CPU ${pinning.proxyCpus}; load generator and echo backend on CPU ${pinning.loadCpus}`,
  }
}

export function machineLine(m: MachineInfo): string {
  return `${m.cpus} × ${m.cpu}${m.mhz > 0 ? ` (${m.mhz} MHz)` : ''}, ${m.memoryGb} GiB, ${m.kernel}; Node ${m.node}; load: ${m.loadGenerator}; ${m.pinning}`
}
