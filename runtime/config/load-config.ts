import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { type Document, LineCounter, parseDocument } from 'yaml'
import { MotiaError } from '../errors'
import { type ConfigProblem, interpolateEnv } from './interpolate'
import { configSchema, type MotiaConfig } from './schema'

/** What CLI flags may override, applied after validation. */
export interface ConfigOverrides {
  host?: string
  http?: { port?: number; host?: string }
  /** Where a relative `sqlite.path` is resolved (default: the project dir; compiled apps: the cwd). */
  dataRoot?: string
}

export interface LoadConfigOptions {
  dir: string
  env: Record<string, string | undefined>
  cpus: number
  overrides?: ConfigOverrides
}

export interface LoadedConfig {
  config: MotiaConfig
  /** Absolute path of the file read, when there was one. */
  file?: string
  warnings: string[]
}

/**
 * Reads `config.yaml` (or `config.yml`) once: environment interpolation, validation of the
 * whole file with every problem listed at its line:column, defaults, CLI overrides, then a
 * deep-frozen result. No file → defaults.
 */
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig> {
  const file = ['config.yaml', 'config.yml'].map((f) => join(opts.dir, f)).find((f) => existsSync(f))
  const name = file ? file.slice(opts.dir.length + 1) : 'config.yaml'
  const warnings: string[] = []
  let raw: unknown = {}
  let doc: Document | undefined
  const lines = new LineCounter()
  if (file) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (err) {
      throw new MotiaError('E_CONFIG_READ', `${name} could not be read: ${(err as Error).message}`)
    }
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false })
    if (doc.errors.length > 0) {
      const list = doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0])
        return `${name}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`
      })
      throw new MotiaError('E_CONFIG_READ', `${name} is not valid YAML:\n  ${list.join('\n  ')}`)
    }
    const envProblems = interpolateEnv(doc, opts.env, lines)
    if (envProblems.length > 0) throw invalid(name, envProblems)
    raw = doc.toJS() ?? {}
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      throw invalid(name, [{ line: 1, column: 1, path: '(root)', message: 'expected a mapping of settings' }])
    }
    raw = translateIiiModules(raw as Record<string, unknown>, doc, lines, name, warnings)
  }

  const parsed = configSchema.safeParse(raw)
  if (!parsed.success) {
    throw invalid(
      name,
      parsed.error.issues.flatMap((issue) => {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined]
        return keys.map((extra) => {
          const path = extra === undefined ? issue.path : [...issue.path, extra]
          const pos = position(doc, lines, path)
          const message =
            extra === undefined ? issue.message : `unknown key (expected one of: ${allowedKeys(issue.path).join(', ')})`
          return { ...pos, path: path.map(String).join('.') || '(root)', message }
        })
      }),
    )
  }

  const config = parsed.data as MotiaConfig
  // One core stays with the engine thread (HTTP, the queue store): CPU-heavy jobs must not starve it.
  config.queue.workers ??= Math.max(1, opts.cpus - 1)
  const o = opts.overrides
  if (!isAbsolute(config.sqlite.path)) config.sqlite.path = resolve(o?.dataRoot ?? opts.dir, config.sqlite.path)
  if (o?.host !== undefined) config.host = o.host
  if (o?.http?.port !== undefined) config.http.port = o.http.port
  if (o?.http?.host !== undefined) config.http.host = o.http.host
  return { config: deepFreeze(config), ...(file ? { file } : {}), warnings }
}

function invalid(name: string, unsorted: ConfigProblem[]): MotiaError {
  const problems = [...unsorted].sort((a, b) => a.line - b.line || a.column - b.column)
  const lines = problems.map((p) => `${name}:${p.line}:${p.column}: ${p.path}: ${p.message}`)
  return new MotiaError('E_CONFIG_INVALID', `${name} is invalid:\n  ${lines.join('\n  ')}`, {
    details: { problems: problems.map((p) => ({ file: name, ...p })) },
  })
}

/** Where a path points in the file: the node itself, else its nearest existing parent. */
function position(doc: Document | undefined, lines: LineCounter, path: readonly PropertyKey[]) {
  if (!doc) return { line: 1, column: 1 }
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined
    if (node?.range) {
      // For an unknown key, point at the key: find the pair in the parent map.
      const p = lines.linePos(node.range[0])
      return { line: p.line, column: p.col }
    }
  }
  return { line: 1, column: 1 }
}

function allowedKeys(path: readonly PropertyKey[]): string[] {
  let shape: any = configSchema
  for (const key of path) {
    shape = unwrap(shape)?.shape?.[key as string]
    if (!shape) return []
  }
  return Object.keys(unwrap(shape)?.shape ?? {})
}

function unwrap(s: any): any {
  let cur = s
  for (let i = 0; i < 5 && cur && !cur.shape; i++) cur = cur._zod?.def?.innerType ?? cur._zod?.def?.in
  return cur
}

const III_CLASSES: Record<string, 'http' | 'streams'> = {
  'modules::api::RestApiModule': 'http',
  'modules::stream::StreamModule': 'streams',
}

/**
 * Motia 1.x projects carry an iii engine `config.yaml` (a `modules:` list). Its REST and
 * stream ports/hosts map onto `http` and `streams`; every other module is ignored, with a warning.
 */
function translateIiiModules(
  raw: Record<string, unknown>,
  doc: Document,
  lines: LineCounter,
  name: string,
  warnings: string[],
): Record<string, unknown> {
  if (!Array.isArray(raw.modules)) return raw
  const { modules, ...rest } = raw
  const out: Record<string, any> = { ...rest }
  ;(modules as Record<string, any>[]).forEach((m, i) => {
    const target = III_CLASSES[m?.class]
    const pos = position(doc, lines, ['modules', i])
    if (!target) {
      warnings.push(
        `${name}:${pos.line}:${pos.column}: modules[${i}] (${m?.class ?? 'no class'}) is ignored: motia serves this itself`,
      )
      return
    }
    const c = m.config ?? {}
    out[target] = {
      ...out[target],
      ...(c.port !== undefined ? { port: c.port } : {}),
      ...(c.host !== undefined ? { host: c.host } : {}),
    }
  })
  return out
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v)
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k])
  }
  return v
}
