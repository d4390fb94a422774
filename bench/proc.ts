// Bench: what the kernel says about a process under test. CPU time from /proc/<pid>/stat (utime + stime, in
// clock ticks), peak and current resident memory from /proc/<pid>/status (VmHWM, VmRSS).
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

let ticksPerSec: number | undefined

/** CLK_TCK (almost always 100). */
export function clockTicksPerSec(): number {
  if (ticksPerSec === undefined) {
    try {
      ticksPerSec = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSec = 100
    }
  }
  return ticksPerSec
}

/** User + system CPU time of a process so far, in microseconds. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return ((utime + stime) * 1e6) / clockTicksPerSec()
}

/** The process and every live descendant (workers: N forks its workers), from /proc/<pid>/stat's ppid field. */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // gone since readdir
    }
  }
  const tree = [root]
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid)
  return tree
}

/** User + system CPU time of a process and its live descendants so far, in microseconds. */
export function treeCpuMicros(root: number): number {
  return processTree(root).reduce((sum, pid) => {
    try {
      return sum + cpuMicros(pid)
    } catch {
      return sum // exited between the listing and the read
    }
  }, 0)
}

function statusField(pid: number, name: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)
  return match === null ? NaN : Number(match[1]) * 1024
}

/** Peak resident set size in bytes (VmHWM). */
export function peakRssBytes(pid: number): number {
  return statusField(pid, 'VmHWM')
}

/** Current resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  return statusField(pid, 'VmRSS')
}

/**
 * Busy time (everything but idle and iowait) of the given CPUs (a taskset list of single CPUs, "1" or "1,3"),
 * in microseconds, from /proc/stat; 0 when not pinned. Minus the process's own time, it shows how much of "its"
 * CPU something else took: on a shared machine, that is what makes a run noisy.
 */
export function cpuBusyMicros(cpus: string | undefined): number {
  if (cpus === undefined) return 0
  const wanted = new Set(cpus.split(',').map((c) => `cpu${c.trim()}`))
  let ticks = 0
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const [name, ...values] = line.split(' ').filter((v) => v !== '')
    if (name === undefined || !wanted.has(name)) continue
    const n = values.map(Number)
    ticks += n.reduce((a, b) => a + b, 0) - (n[3] ?? 0) - (n[4] ?? 0) - (n[8] ?? 0) - (n[9] ?? 0) // minus idle, iowait, guest (counted in user)
  }
  return (ticks * 1e6) / clockTicksPerSec()
}
