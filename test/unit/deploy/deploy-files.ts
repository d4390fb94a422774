// Test helper for deploy/: list the artefacts, parse YAML (every document of a file) and JSON, and pick
// Kubernetes objects and metric names out of them. Reads files only: no Docker, no cluster.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'

export const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url))
export const DEPLOY_DIR = join(REPO_DIR, 'deploy')

/** A parsed manifest. Loosely typed on purpose: the tests navigate whatever each kind holds. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> } } & Record<string, any>

/** Folders deploy/.gitignore names (compose/certs: throw-away keys from make-certs.sh) are not artefacts. */
function ignoredDirs(): string[] {
  const lines = readFileSync(join(DEPLOY_DIR, '.gitignore'), 'utf8').split('\n').map((l) => l.trim())
  return lines.filter((l) => l !== '' && !l.startsWith('#') && l.endsWith('/')).map((l) => l.slice(0, -1))
}

/** Every file under deploy/ as a path relative to it, sorted. */
export function listDeployFiles(): string[] {
  const ignored = ignoredDirs()
  const found: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      const rel = relative(DEPLOY_DIR, path)
      if (entry.isDirectory() && !ignored.includes(rel)) walk(path)
      if (entry.isFile()) found.push(rel)
    }
  }
  walk(DEPLOY_DIR)
  return found.sort()
}

export function readDeployFile(rel: string): string {
  return readFileSync(join(DEPLOY_DIR, rel), 'utf8')
}

/** Every document of a YAML file, plus every error and warning the parser reported (empty when clean). */
export function parseYamlFile(rel: string): { docs: unknown[]; problems: string[] } {
  const docs = Array.from(parseAllDocuments(readDeployFile(rel), { uniqueKeys: true, prettyErrors: false }))
  const problems = docs.flatMap((doc) => [...doc.errors, ...doc.warnings].map((e) => `${e.code}: ${e.message}`))
  return { docs: docs.map((doc) => doc.toJS() as unknown), problems }
}

/** Every object in deploy/kubernetes/*.yaml (the kustomization included), with the file it came from. */
export function loadManifests(): Array<Manifest & { file: string }> {
  const files = listDeployFiles().filter((f) => f.startsWith('kubernetes/') && f.endsWith('.yaml'))
  return files.flatMap((file) => parseYamlFile(file).docs.map((doc) => ({ ...(doc as Manifest), file })))
}

/** The one object of that kind (and name): throws when missing or ambiguous, so a test fails saying which. */
export function pick(manifests: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name))
  if (found.length !== 1) throw new Error(`expected one ${kind}${name === undefined ? '' : ` ${name}`}, found ${found.length}`)
  return found[0] as Manifest
}

/** True when every label the selector asks for is among the labels. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const wanted = Object.entries(selector ?? {})
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value)
}

/** Metric names mentioned in a text (PromQL, JSON, YAML), unique and sorted. */
export function metricNamesIn(text: string): string[] {
  return [...new Set(text.match(/s2s_gateway_[a-z_]+/g) ?? [])].sort()
}
