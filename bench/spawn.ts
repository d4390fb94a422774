// Bench: start the processes of a run. The process under test gets one CPU to itself (taskset), the load
// generator and the echo backend share the other; a free-port helper and a readiness poll.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process'
import { createServer } from 'node:net'
import { availableParallelism } from 'node:os'

export interface Pinning {
  /** CPU list for the proxy under test (taskset -c), or undefined when not pinning. */
  proxyCpus: string | undefined
  /** CPU list for the load generator and the echo backend. */
  loadCpus: string | undefined
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0
}

/** Pin when taskset exists and there are at least two CPUs, unless told not to. */
export function choosePinning(enabled: boolean, proxyCpus: string, loadCpus: string): Pinning {
  if (!enabled || !hasCommand('taskset') || availableParallelism() < 2) return { proxyCpus: undefined, loadCpus: undefined }
  return { proxyCpus, loadCpus }
}

/** Spawn `command args` pinned to `cpus` (taskset execs, so the pid is the command's own). */
export function spawnPinned(cpus: string | undefined, command: string, args: readonly string[], stdio: StdioOptions, env?: NodeJS.ProcessEnv): ChildProcess {
  const options = { stdio, env: env ?? process.env }
  return cpus === undefined ? spawn(command, args, options) : spawn('taskset', ['-c', cpus, command, ...args], options)
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Poll `url` until `accept(status, body)` is true; throws after `timeoutMs` or when `child` exits first. */
export async function waitForHttp(
  url: string,
  accept: (status: number, body: string) => boolean,
  opts: { timeoutMs: number; intervalMs?: number; child?: ChildProcess; headers?: Record<string, string> },
): Promise<void> {
  const deadline = performance.now() + opts.timeoutMs
  for (;;) {
    if (opts.child !== undefined && opts.child.exitCode !== null) throw new Error(`process exited (${opts.child.exitCode}) before ${url} was ready`)
    try {
      const res = await fetch(url, { headers: opts.headers ?? {}, signal: AbortSignal.timeout(1000) })
      const body = await res.text()
      if (accept(res.status, body)) return
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${url}`)
    await sleep(opts.intervalMs ?? 20)
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 3000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}
