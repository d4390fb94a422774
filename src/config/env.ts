// Config: `${NAME}` references inside YAML string values, resolved from the environment cli/ passes down
// (secrets and paths stay out of the file). `$${` writes a literal `${`. Used by walk.ts on every string.

export type Env = Readonly<Record<string, string | undefined>>

export type Substituted = { ok: true; value: string } | { ok: false; message: string }

const REFERENCE = /\$\$\{|\$\{([^}]*)\}?/g
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Replace each `${NAME}` with env[NAME]. An unset variable, a malformed reference (`${}`, `${A-B}`) or an
 * unclosed `${` is an error; a variable set to '' is a value like any other.
 */
export function substituteEnv(text: string, env: Env): Substituted {
  if (!text.includes('${')) return { ok: true, value: text }
  const unset: string[] = []
  let malformed: string | undefined
  const value = text.replace(REFERENCE, (match: string, name: string | undefined) => {
    if (match === '$${') return '${'
    if (!match.endsWith('}')) {
      malformed ??= `unclosed environment reference "${match}"`
      return match
    }
    if (name === undefined || !NAME.test(name)) {
      malformed ??= `malformed environment reference "${match}" (expected \${NAME})`
      return match
    }
    const resolved = env[name]
    if (resolved === undefined) {
      unset.push(name)
      return match
    }
    return resolved
  })
  if (malformed !== undefined) return { ok: false, message: malformed }
  if (unset.length > 0) {
    const names = [...new Set(unset)]
    const noun = names.length > 1 ? 'environment variables' : 'environment variable'
    return { ok: false, message: `${noun} ${names.join(', ')} not set` }
  }
  return { ok: true, value }
}
