import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { isAbsolute, resolve } from 'node:path'
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import { MotiaError } from '../errors'
import { startsWith, translateIiiModules } from './iii-modules'
import { type ConfigPath, interpolateEnv } from './interpolate'
import {
  type AdapterName,
  deepFreeze,
  defaultConfig,
  type MotiaConfig,
  type ParsedConfig,
  parseConfig,
  type QueueAdapterName,
} from './schema'

/** What CLI flags may override: applied after validation, before freezing. Flags beat the file. */
export interface ConfigOverrides {
  /** Bind address of HTTP and streams, over `host`, `http.host` and `streams.host` from the file. */
  host?: string
  http?: { port?: number; host?: string }
  /** Where a relative `sqlite.path` is resolved (default: the project dir; compiled apps: the cwd). */
  dataRoot?: string
  /**
   * Settings from elsewhere (the `adapters` of a 0.x `motia.config.ts`) that apply only where
   * the file says nothing: unlike flags, the file beats them.
   */
  unlessSet?: {
    state?: { adapter: AdapterName }
    streams?: { adapter: AdapterName }
    queue?: { adapter: QueueAdapterName }
    redis?: { url?: string; prefix?: string }
    rabbitmq?: { url?: string; prefix?: string }
  }
}

export interface LoadConfigOptions {
  /** The project directory, where `config.yaml` is looked for. */
  dir: string
  /** Variables for `${VAR}` interpolation; the only environment the loader reads. */
  env: Record<string, string | undefined>
  /** CPU count of the machine, for the default `queue.workers`. */
  cpus: number
  overrides?: ConfigOverrides
}

export interface LoadedConfig {
  /** Resolved and deep-frozen. */
  config: MotiaConfig
  /** Absolute path of the file read, when there was one. */
  file?: string
  /** `file:line:col: message` lines worth logging (ignored iii modules and the like). */
  warnings: string[]
}

/** One problem in the file, as listed in the message and in `details.problems` of the error. */
export interface ConfigProblem {
  file: string
  line: number
  column: number
  path: string
  message: string
}

const FILE_NAMES = ['config.yaml', 'config.yml']

/**
 * Reads `config.yaml` (or `config.yml`) from `dir` once: `${VAR}` interpolation from `env`,
 * validation of the whole file (every problem listed at its line:column, E_CONFIG_INVALID),
 * defaults, then `overrides`, then a deep-frozen result. No file or an empty one → defaults.
 * Unreadable or malformed YAML → E_CONFIG_READ.
 */
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig> {
  const warnings: string[] = []
  const found = FILE_NAMES.filter((f) => existsSync(resolve(opts.dir, f)))
  const name = found[0]
  if (found.length > 1) warnings.push(`${found[1]} is ignored: ${name} is read instead`)
  const file = name === undefined ? undefined : resolve(opts.dir, name)
  const read = file && name ? await readConfigFile(file, name, opts.env, warnings) : undefined
  const parsed = read?.parsed ?? defaultConfig()
  const config = deepFreeze(resolveConfig(parsed, { ...opts, given: read?.given ?? (() => false) }))
  return file ? { config, file, warnings } : { config, warnings }
}

/**
 * A validated file → the MotiaConfig the modules read: overrides applied, hosts inherited from
 * `host`, `queue.workers` from the CPU count, `sqlite.path` absolute. Not frozen.
 *
 * @example resolveConfig(defaultConfig(), { dir: '/app', cpus: 4 }).queue.workers // 3
 */
export function resolveConfig(
  parsed: ParsedConfig,
  opts: {
    dir: string
    cpus: number
    overrides?: ConfigOverrides
    env?: Record<string, string | undefined>
    /** Whether the file itself set a key (`['state', 'adapter']`); `unlessSet` yields to it. */
    given?: (path: readonly string[]) => boolean
  },
): MotiaConfig {
  const o = opts.overrides ?? {}
  const host = o.host ?? parsed.host
  const given = opts.given ?? (() => false)
  const unless = o.unlessSet ?? {}
  const adapter = (m: 'state' | 'streams') =>
    unless[m] && !given([m, 'adapter']) ? { adapter: unless[m].adapter } : {}
  const queueAdapter = unless.queue && !given(['queue', 'adapter']) ? { adapter: unless.queue.adapter } : {}
  const redisKey = (k: 'url' | 'prefix') =>
    unless.redis?.[k] !== undefined && !given(['redis', k]) ? { [k]: unless.redis[k] } : {}
  const rabbitKey = (k: 'url' | 'prefix') =>
    unless.rabbitmq?.[k] !== undefined && !given(['rabbitmq', k]) ? { [k]: unless.rabbitmq[k] } : {}
  return {
    ...parsed,
    state: { ...parsed.state, ...adapter('state') },
    redis: { ...parsed.redis, ...redisKey('url'), ...redisKey('prefix') },
    rabbitmq: { ...parsed.rabbitmq, ...rabbitKey('url'), ...rabbitKey('prefix') },
    host,
    http: {
      ...parsed.http,
      port: o.http?.port ?? parsed.http.port,
      host: o.http?.host ?? o.host ?? parsed.http.host ?? host,
    },
    streams: { ...parsed.streams, ...adapter('streams'), host: o.host ?? parsed.streams.host ?? host },
    // Workers yield the CPU to the engine thread (queue.workerPriority), so every core can run jobs.
    queue: { ...parsed.queue, ...queueAdapter, workers: parsed.queue.workers ?? Math.max(1, opts.cpus) },
    sqlite: { ...parsed.sqlite, path: dataPath(parsed.sqlite.path, o.dataRoot ?? opts.dir) },
    // Stable for the process's life, distinct between processes of one host (systemd %i, compose replicas).
    instanceId: parsed.instanceId ?? (opts.env?.MOTIA_INSTANCE_ID || `${hostname()}-${process.pid}`),
    iii: { ...parsed.iii, enabled: parsed.iii.enabled ?? given(['iii', 'port']) },
  }
}

function dataPath(path: string, root: string): string {
  return path === ':memory:' || isAbsolute(path) ? path : resolve(root, path)
}

async function readConfigFile(
  path: string,
  name: string,
  env: Record<string, string | undefined>,
  warnings: string[],
): Promise<{ parsed: ParsedConfig; given: (path: readonly string[]) => boolean }> {
  let source: string
  try {
    source = await readFile(path, 'utf8')
  } catch (err) {
    throw new MotiaError('E_CONFIG_READ', `${name} could not be read: ${(err as Error).message}`, { cause: err })
  }
  const lineCounter = new LineCounter()
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, merge: true })
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset)
    return { line: p.line, column: p.col }
  }
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({ file: name, ...at(e.pos[0]), path: '', message: firstLine(e.message) }))
    throw new MotiaError('E_CONFIG_READ', `${name} is not valid YAML:\n  ${problems.map(format).join('\n  ')}`, {
      details: { problems },
    })
  }
  for (const w of doc.warnings) warnings.push(`${name}:${pos(at(w.pos[0]))}: ${firstLine(w.message)}`)

  const locate = (p: ConfigPath, part: 'key' | 'value') => at(offsetOf(doc, p, part))
  const envProblems = interpolateEnv(doc, { env, lineCounter, source })
  const problems: ConfigProblem[] = envProblems.map((p) => ({ file: name, ...p, path: formatPath(p.path) }))
  const raw = withoutNulls(toPlain(doc, name, at) ?? {})
  if (!isRecord(raw)) {
    throw invalid(name, [
      { file: name, ...locate([], 'value'), path: '(root)', message: 'expected a mapping of settings' },
    ])
  }
  const iii = translateIiiModules(raw, (p, message) => warnings.push(`${name}:${pos(locate(p, 'key'))}: ${message}`))
  if (iii.problem) problems.push({ file: name, ...locate(['modules'], 'value'), ...iii.problem })

  const result = parseConfig(iii.config)
  if (result.success && problems.length === 0) {
    const written = iii.config as Record<string, unknown>
    const given = (path: readonly string[]) => {
      let v: unknown = written
      for (const k of path) v = isRecord(v) ? v[k] : undefined
      return v !== undefined
    }
    return { parsed: result.data, given }
  }
  for (const issue of result.error?.issues ?? []) {
    const base = issue.path.map((k) => (typeof k === 'number' ? k : String(k)))
    const targets: [ConfigPath, 'key' | 'value'][] =
      issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [[...base, k], 'key']) : [[base, 'value']]
    for (const [zodPath, part] of targets) {
      const p = iii.sourcePath(zodPath)
      // A value whose variable is missing was reported as such; its type problem would be noise.
      if (envProblems.some((e) => startsWith(p, e.path))) continue
      problems.push({ file: name, ...locate(p, part), path: formatPath(p), message: issue.message })
    }
  }
  throw invalid(name, problems)
}

/** yaml's own limit on alias expansion; a document past it is refused, not expanded. */
const MAX_ALIAS_COUNT = 100

/**
 * The document as plain values. Aliases that expand past MAX_ALIAS_COUNT (yaml counts the uses
 * of an anchor times the aliases inside it: a "billion laughs" file nests `*alias` lists that
 * grow exponentially) and aliases without an anchor are E_CONFIG_READ at the top-level key whose
 * value holds them (a per-key retry finds which).
 */
function toPlain(doc: Document, name: string, at: (offset: number) => { line: number; column: number }): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (err) {
    const pairs = isMap(doc.contents) ? doc.contents.items : []
    const culprit = pairs.find((p) => {
      try {
        if (isNode(p.value)) p.value.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT })
        return false
      } catch {
        return true
      }
    })
    const key = culprit && isScalar(culprit.key) ? String(culprit.key.value) : ''
    const node = culprit?.key ?? doc.contents
    const message = firstLine((err as Error).message).startsWith('Excessive alias count')
      ? `aliases (*name) expand past the limit of ${MAX_ALIAS_COUNT}, refused as a "billion laughs" document (write the values out, or nest fewer aliases)`
      : firstLine((err as Error).message)
    const problem = { file: name, ...at(isNode(node) ? (node.range?.[0] ?? 0) : 0), path: key, message }
    throw new MotiaError('E_CONFIG_READ', `${name} is not valid YAML:\n  ${format(problem)}`, {
      details: { problems: [problem] },
      cause: err,
    })
  }
}

function invalid(name: string, found: ConfigProblem[]): MotiaError {
  // One value can fail several checks (not an integer, too big): its first problem says enough.
  const byPlace = new Map(found.map((p) => [`${p.line}:${p.column}:${p.path}`, p] as const).reverse())
  const problems = [...byPlace.values()].sort((a, b) => a.line - b.line || a.column - b.column)
  return new MotiaError('E_CONFIG_INVALID', `${name} is invalid:\n  ${problems.map(format).join('\n  ')}`, {
    details: { problems },
  })
}

const pos = (p: { line: number; column: number }) => `${p.line}:${p.column}`
const format = (p: ConfigProblem) => `${p.file}:${pos(p)}: ${p.path ? `${p.path}: ` : ''}${p.message}`
const firstLine = (s: string) => s.split('\n')[0] ?? s

/** `['http', 'cors', 'origin', 0]` → `http.cors.origin[0]`. */
function formatPath(path: ConfigPath): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '') || '(root)'
}

/**
 * Where `path` is in the file: the key or the value when it exists; for a missing value, the
 * key of its nearest existing parent (its mapping is where the value belongs).
 */
function offsetOf(doc: Document, path: ConfigPath, part: 'key' | 'value'): number {
  let node: unknown = doc.contents
  let key: unknown
  let depth = 0
  for (const k of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(k))
      if (!pair) break
      key = pair.key
      node = pair.value
    } else if (isSeq(node) && typeof k === 'number' && node.items[k] !== undefined) {
      node = node.items[k]
      key = node
    } else break
    depth++
  }
  const target = depth === path.length && part === 'value' && isNode(node) ? node : (key ?? node)
  return (isNode(target) ? (target as Node).range?.[0] : undefined) ?? 0
}

/** YAML's empty value (`port:`) means unset: the default applies. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls)
  if (!isRecord(value)) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  )
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
