// Which build is running: the version from package.json, the commit recorded by `npm run build`
// (scripts/build-info.mjs writes dist/build-info.json next to this module's compiled file) and the Node version.
// Shown by `--version`, the start-up log line, /status and the s2s_gateway_build_info gauge. Read once.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface BuildInfo {
  version: string
  /** Short git commit ("-dirty" when built with uncommitted changes), or "unknown" (run from src/, no git). */
  commit: string
  /** process.version, e.g. "v20.19.0". */
  node: string
}

function readJson(url: URL): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(fileURLToPath(url), 'utf8'))
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

const text = (value: unknown): string => (typeof value === 'string' && value !== '' ? value : 'unknown')

/** Read the build facts; `base` is the folder of the compiled module (dist/), whose parent holds package.json. */
export function readBuildInfo(base: URL = new URL('.', import.meta.url)): BuildInfo {
  return {
    version: text(readJson(new URL('../package.json', base))?.['version']),
    commit: text(readJson(new URL('build-info.json', base))?.['commit']),
    node: process.version,
  }
}

let cached: BuildInfo | undefined

export function buildInfo(): BuildInfo {
  cached ??= readBuildInfo()
  return cached
}

/** "s2s-gateway 0.1.0 (commit 1a2b3c4d5e6f, node v20.19.0)": the --version line. */
export function versionLine(info: BuildInfo = buildInfo()): string {
  return `s2s-gateway ${info.version} (commit ${info.commit}, node ${info.node})`
}
