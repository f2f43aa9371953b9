import { type Document, isPair, isScalar, isSeq, type LineCounter, type Scalar, visit } from 'yaml'

/** Keys from the document root to a value: map keys and list indexes. */
export type ConfigPath = (string | number)[]

/** A `${VAR}` that could not be replaced, at the line:column of its `${`. */
export interface EnvProblem {
  path: ConfigPath
  line: number
  column: number
  message: string
}

export interface InterpolateOptions {
  /** The variables to read; the caller decides where they come from (usually `process.env`). */
  env: Record<string, string | undefined>
  /** The counter the document was parsed with, to turn offsets into line:column. */
  lineCounter: LineCounter
  /** The text the document was parsed from, to point at the `${` itself inside a scalar. */
  source: string
}

// `$${` is a literal `${`; `${NAME}` / `${NAME:default}`; anything else starting `${` is malformed.
const TOKEN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}|\$\{[^}]*\}?/g
const WHOLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::[^}]*)?\}$/

/**
 * Replaces `${VAR}` / `${VAR:default}` in the string values of a parsed YAML document, in
 * place. A value that is one whole `${...}` and reads back as a number or `true`/`false`
 * becomes one, so `port: ${PORT:3111}` is a number. Quoted values too: inside `{ }` and `[ ]`
 * YAML requires the quotes (`{ port: "${PORT}" }`). Keys are left alone. Returns one problem
 * per variable that is unset and has no default, and per malformed `${`.
 */
export function interpolateEnv(doc: Document, opts: InterpolateOptions): EnvProblem[] {
  const problems: EnvProblem[] = []
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return
      const text = node.value
      const start = node.range?.[0] ?? 0
      const raw = node.range ? opts.source.slice(start, node.range[1]) : ''
      let searchFrom = 0
      const problem = (token: string, message: string) => {
        const at = raw.indexOf(token, searchFrom)
        if (at >= 0) searchFrom = at + token.length
        const pos = opts.lineCounter.linePos(start + Math.max(at, 0))
        problems.push({ path: pathOf(ancestors, node), line: pos.line, column: pos.col, message })
        return token
      }
      const out = text.replace(TOKEN, (token, name: string | undefined, fallback: string | undefined) => {
        if (token === '$${') return '${'
        if (name === undefined) {
          return problem(token, `malformed ${JSON.stringify(token)}: write \${NAME} or \${NAME:default}`)
        }
        const value = opts.env[name] ?? fallback
        if (value !== undefined) return value
        return problem(token, `environment variable ${name} is not set and has no default (write \${${name}:default})`)
      })
      node.value = WHOLE.test(text) ? coerce(out) : out
    },
  })
  return problems
}

/** `"3111"` → 3111, `"true"` → true; only when the text is the value's own spelling (`"0123"` stays text). */
function coerce(value: string): string | number | boolean {
  if (value === 'true') return true
  if (value === 'false') return false
  const n = Number(value)
  return value !== '' && String(n) === value ? n : value
}

function pathOf(ancestors: readonly unknown[], node: Scalar): ConfigPath {
  const chain = [...ancestors, node]
  const path: ConfigPath = []
  chain.forEach((n, i) => {
    if (isPair(n)) path.push(isScalar(n.key) ? String(n.key.value) : String(n.key))
    else if (isSeq(n)) path.push(n.items.indexOf(chain[i + 1] as never))
  })
  return path
}
