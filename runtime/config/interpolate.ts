import { type Document, isScalar, type LineCounter, visit } from 'yaml'

export interface ConfigProblem {
  line: number
  column: number
  path: string
  message: string
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g
const WHOLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::[^}]*)?\}$/

/**
 * Replaces `${VAR}` / `${VAR:default}` in string scalars of a parsed YAML document, in place.
 * A value that is one whole `${...}` and reads as a number or boolean becomes one, so
 * `port: ${PORT:3111}` is a number. A missing variable without default is a problem.
 */
export function interpolateEnv(
  doc: Document,
  env: Record<string, string | undefined>,
  lines: LineCounter,
): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return
      const text = node.value
      const whole = WHOLE.test(text)
      let missing = false
      const out = text.replace(VAR, (_m, name: string, dflt: string | undefined) => {
        const v = env[name]
        if (v !== undefined) return v
        if (dflt !== undefined) return dflt
        missing = true
        const pos = lines.linePos(node.range?.[0] ?? 0)
        problems.push({
          line: pos.line,
          column: pos.col,
          path: yamlPath(path),
          message: `environment variable ${name} is not set and has no default (write \${${name}:default})`,
        })
        return ''
      })
      if (missing) return
      node.value = whole ? coerce(out) : out
    },
  })
  return problems
}

function coerce(v: string): string | number | boolean {
  if (v === 'true') return true
  if (v === 'false') return false
  if (v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v)
  return v
}

function yamlPath(path: readonly unknown[]): string {
  const keys: string[] = []
  for (const p of path) {
    if (p && typeof p === 'object' && 'key' in p && isScalar((p as { key: unknown }).key)) {
      keys.push(String((p as { key: { value: unknown } }).key.value))
    }
  }
  return keys.join('.')
}
