// Config: how the loader reports. Every check records problems here instead of throwing, so one ConfigError
// can list them all (path plus reason) and `check-config` / `serve` can print them together.

/** One thing wrong with the configuration, e.g. partners[2].metadataUrl: must be https (...). */
export interface ConfigProblem {
  /** Dotted path into the YAML, with [i] for list entries; '' for the file as a whole. */
  path: string
  message: string
}

export function formatProblem(problem: ConfigProblem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`
}

/** Thrown by loadConfigFile/loadConfigObject with every problem found; the message lists them one per line. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[]

  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'))
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** Collects problems and warnings while one configuration is checked. */
export class ProblemCollector {
  readonly problems: ConfigProblem[] = []
  readonly warnings: string[] = []
  readonly #invalid = new Set<string>()

  /** A value of the wrong shape (walk.ts). Checks of it, or of anything under it, are not reported again. */
  invalid(path: string, message: string): void {
    if (this.isInvalid(path)) return
    this.problems.push({ path, message })
    this.#invalid.add(path)
  }

  /** A well-shaped value that is still wrong. Skipped when the value was already reported as invalid. */
  problem(path: string, message: string): void {
    if (this.isInvalid(path)) return
    if (this.problems.some((p) => p.path === path && p.message === message)) return
    this.problems.push({ path, message })
  }

  warn(path: string, message: string): void {
    this.warnings.push(formatProblem({ path, message }))
  }

  /** True when path, or a path containing it, was reported as invalid: its value is a placeholder. */
  isInvalid(path: string): boolean {
    for (let p = path; p !== ''; p = parentPath(p)) if (this.#invalid.has(p)) return true
    return this.#invalid.has('')
  }
}

/** 'partners[2].tls.caFile' -> 'partners[2].tls' -> 'partners[2]' -> 'partners' -> ''. */
export function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['))
  return cut <= 0 ? '' : path.slice(0, cut)
}

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  return parent === '' ? key : `${parent}.${key}`
}
