import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { type AdapterStandInInfo, adapterStandIn, WORKBENCH_PLUGIN } from '../sdk/motiadev-packages'
import type { ApiRouteHandler, HttpMethod } from '../sdk/types'
import { provideZod, type ZodSource } from './builtin-modules'
import { type ConfigOverrides, type LoadedConfig, loadConfig } from './config/load-config'
import { rabbitLabel } from './config/rabbitmq-label'
import type { MotiaConfig } from './config/schema'
import { formatProblem, MotiaError } from './errors'
import type { StepDefinition } from './step'
import { normalizeStep } from './step-config'
import { describe, type TriggerRegistry } from './trigger-registry'

export const PROJECT_CONFIG_FILES = ['motia.config.ts', 'motia.config.js', 'motia.config.mts', 'motia.config.mjs']

/** A route a `motia.config.ts` plugin registered with `motia.registerApi(...)`. */
export interface PluginApi {
  plugin: string
  method: HttpMethod
  path: string
  handler: ApiRouteHandler<any, any, any>
}

/** A Workbench panel a local plugin declares; our console cannot show it, it lists it. */
export interface WorkbenchEntry {
  plugin: string
  label?: string
  packageName?: string
  componentName?: string
  position?: string
}

/** What `motia.config.ts` contributes, read once when the runtime starts. */
export interface ProjectConfig {
  /** The file read, relative to the project (none: no file). */
  file?: string
  /** 1.x named export and 0.x `streamAuth` / `authenticateStream` of the default export. */
  authenticateStream?: (...args: any[]) => unknown
  streamAuth?: { authenticate: (...args: any[]) => unknown; contextSchema?: unknown }
  pluginApis: PluginApi[]
  workbench: WorkbenchEntry[]
  /** The Workbench plugins (`@motiadev/plugin-*`) the console stands in for. */
  replacedPlugins: string[]
  /** `adapters: { state, streams, events, cron }` entries built from `@motiadev/adapter-*`. */
  adapters: AdapterStandInInfo[]
  /** Plugins' `onShutdown` hooks, run when the runtime stops. */
  shutdownHooks: (() => unknown)[]
  /** One line each: what was not understood or is not supported, naming the key. */
  warnings: string[]
  /** One line each: what was accepted but is handled differently here. */
  notes: string[]
}

/** What a project without `motia.config.ts` contributes: nothing. */
export function emptyProjectConfig(file?: string): ProjectConfig {
  return {
    ...(file ? { file } : {}),
    pluginApis: [],
    workbench: [],
    replacedPlugins: [],
    adapters: [],
    shutdownHooks: [],
    warnings: [],
    notes: [],
  }
}

const DEFAULT_KEYS: Record<string, string | null> = {
  plugins: null,
  adapters: null,
  streamAuth: null,
  authenticateStream: null,
  app: 'is an Express hook of Motia 0.x: this runtime has no Express app, so its routes and middleware are not served (move routes into API steps)',
  redis: 'configures the Redis of Motia 0.x: set `redis.url` and the adapters in config.yaml instead',
}
const NAMED_EXPORTS: Record<string, string | null> = {
  default: null,
  config: null,
  authenticateStream: null,
  otel: 'configures OpenTelemetry of Motia 1.x: set `observability.otlp` in config.yaml instead',
}

/**
 * Reads `<dir>/motia.config.ts|js` when there is one: 0.x default export of `defineConfig(...)`
 * (plugins, adapters, streamAuth), 1.x named exports (`authenticateStream`). Plugins run now,
 * with a plugin context whose `registerApi` routes are served like step routes. What is not
 * supported is a warning naming the key, never a silent drop and never a crash; a file that
 * cannot be imported, or a plugin that throws, is an error naming the file.
 */
export async function loadProjectConfig(dir: string): Promise<ProjectConfig> {
  const name = PROJECT_CONFIG_FILES.find((f) => existsSync(join(dir, f)))
  if (!name) return emptyProjectConfig()
  let mod: Record<string, unknown>
  try {
    mod = (await import(join(dir, name))) as Record<string, unknown>
  } catch (err) {
    throw new MotiaError('E_STEP_LOAD', `${name} could not be imported: ${(err as Error).message}`, { cause: err })
  }
  const out = emptyProjectConfig(name)
  for (const key of Object.keys(mod)) {
    if (!(key in NAMED_EXPORTS))
      out.warnings.push(`${name}: export "${key}" is not a motia.config export; it is ignored`)
    else if (NAMED_EXPORTS[key]) out.warnings.push(`${name}: export "${key}" ${NAMED_EXPORTS[key]}; it is ignored`)
  }
  const conf = (mod.default ?? mod.config ?? {}) as Record<string, unknown>
  if (typeof conf !== 'object' || conf === null) {
    out.warnings.push(`${name}: the default export should be an object (defineConfig({...})), got ${describe(conf)}`)
    return out
  }
  for (const key of Object.keys(conf)) {
    if (!(key in DEFAULT_KEYS)) out.warnings.push(`${name}: "${key}" is not a motia.config key; it is ignored`)
    else if (DEFAULT_KEYS[key]) out.warnings.push(`${name}: "${key}" ${DEFAULT_KEYS[key]}; it is ignored`)
  }

  const named = mod.authenticateStream ?? conf.authenticateStream
  if (typeof named === 'function') out.authenticateStream = named as ProjectConfig['authenticateStream']
  const streamAuth = conf.streamAuth as ProjectConfig['streamAuth'] | undefined
  if (streamAuth !== undefined) {
    if (typeof streamAuth?.authenticate === 'function') out.streamAuth = streamAuth
    else
      out.warnings.push(
        `${name}: streamAuth.authenticate should be a function, got ${describe(streamAuth?.authenticate)}`,
      )
  }
  readAdapters(name, conf.adapters, out)
  await runPlugins(name, dir, conf.plugins, out)
  return out
}

function readAdapters(file: string, adapters: unknown, out: ProjectConfig): void {
  if (adapters === undefined || adapters === null) return
  if (typeof adapters !== 'object') {
    out.warnings.push(
      `${file}: adapters should be an object { state, streams, events, cron }, got ${describe(adapters)}`,
    )
    return
  }
  for (const [role, value] of Object.entries(adapters as Record<string, unknown>)) {
    const info = adapterStandIn(value)
    if (info) out.adapters.push(info)
    else
      out.warnings.push(
        `${file}: adapters.${role} is a custom adapter object; this runtime keeps its own ${role} adapter (config.yaml) and ignores it`,
      )
  }
}

async function runPlugins(file: string, dir: string, plugins: unknown, out: ProjectConfig): Promise<void> {
  if (plugins === undefined || plugins === null) return
  if (!Array.isArray(plugins)) {
    out.warnings.push(`${file}: plugins should be an array of plugin functions, got ${describe(plugins)}`)
    return
  }
  for (const [i, entry] of plugins.entries()) {
    // `require('@motiadev/plugin-x/plugin')` gives the module object, `import` its default.
    const fn = typeof entry === 'function' ? entry : (entry as { default?: unknown } | null)?.default
    if (typeof fn !== 'function') {
      out.warnings.push(
        `${file}: plugins[${i}] should be a plugin function (motia) => ({ workbench }), got ${describe(entry)}`,
      )
      continue
    }
    const replaced = (fn as { [WORKBENCH_PLUGIN]?: string })[WORKBENCH_PLUGIN]
    if (replaced) {
      out.replacedPlugins.push(replaced)
      continue
    }
    const label = fn.name || `plugins[${i}]`
    let result: Record<string, unknown> | undefined
    try {
      result = (await fn(pluginContext(label, out))) as Record<string, unknown> | undefined
    } catch (err) {
      throw new MotiaError('E_STEP_LOAD', `${file}: plugin ${label} failed: ${(err as Error).message}`, { cause: err })
    }
    readPluginResult(file, dir, label, result, out)
  }
}

function readPluginResult(
  file: string,
  dir: string,
  label: string,
  result: Record<string, unknown> | undefined,
  out: ProjectConfig,
): void {
  if (!result || typeof result !== 'object') return
  const workbench = Array.isArray(result.workbench) ? result.workbench : []
  for (const w of workbench as Record<string, unknown>[]) {
    const entry: WorkbenchEntry = { plugin: label }
    for (const k of ['label', 'packageName', 'componentName', 'position'] as const) {
      if (typeof w?.[k] === 'string') entry[k] = w[k] as string
    }
    out.workbench.push(entry)
  }
  if (typeof result.onShutdown === 'function') out.shutdownHooks.push(result.onShutdown as () => unknown)
  if (Array.isArray(result.steps) && result.steps.length > 0) {
    const where = typeof result.dirname === 'string' ? ` under ${result.dirname.replace(`${dir}/`, '')}` : ''
    out.warnings.push(
      `${file}: plugin ${label} lists step files${where} (steps: ${JSON.stringify(result.steps)}); only steps under steps/ and src/ are loaded`,
    )
  }
}

/** What a 0.x plugin function receives (`MotiaPluginContext`); `registerApi` is what plugins use. */
function pluginContext(label: string, out: ProjectConfig): Record<string, unknown> {
  // Destructuring the context works; using a part this runtime lacks says which and what instead.
  const unsupported = (key: string) =>
    new Proxy(
      {},
      {
        get() {
          throw new MotiaError(
            'E_STEP_CONFIG_INVALID',
            `plugin ${label}: motia.${key} is not available to plugins in this runtime; use ctx.${key === 'eventAdapter' ? 'enqueue' : key} inside a registerApi handler`,
          )
        },
      },
    )
  const note = (...args: unknown[]) => out.notes.push(`plugin ${label}: ${args.map(String).join(' ')}`)
  return {
    registerApi(route: { method?: string; path?: string }, handler: unknown) {
      const method = String(route?.method ?? 'GET').toUpperCase() as HttpMethod
      if (typeof route?.path !== 'string' || typeof handler !== 'function') {
        throw new MotiaError(
          'E_STEP_CONFIG_INVALID',
          `plugin ${label}: registerApi({ method, path }, handler) expects a path string and a handler function`,
        )
      }
      out.pluginApis.push({ plugin: label, method, path: route.path, handler: handler as PluginApi['handler'] })
    },
    printer: new Proxy({}, { get: () => note }),
    state: unsupported('state'),
    lockedData: unsupported('lockedData'),
    tracerFactory: unsupported('tracerFactory'),
    eventAdapter: unsupported('eventAdapter'),
  }
}

type AdapterModule = 'state' | 'streams' | 'queue'

/** The config.yaml module a 0.x adapter stands for, when this build has its counterpart. */
function adapterModule(a: AdapterStandInInfo): AdapterModule | undefined {
  if (a.role === 'state' || a.role === 'streams') return a.role
  if (a.role === 'events' && (a.backend === 'bullmq' || a.backend === 'rabbitmq')) return 'queue'
  return undefined
}

/** The adapter a stand-in selects for its module. */
function adapterOf(a: AdapterStandInInfo): 'redis' | 'rabbitmq' {
  return a.backend === 'rabbitmq' ? 'rabbitmq' : 'redis'
}

/**
 * The settings the `@motiadev/adapter-*` objects of `motia.config.ts` ask for: the module on
 * Redis, and the connection and key prefix from their constructor arguments. They apply where
 * config.yaml says nothing (`ConfigOverrides.unlessSet`).
 */
export function adapterOverrides(project: ProjectConfig): NonNullable<ConfigOverrides['unlessSet']> {
  const out: NonNullable<ConfigOverrides['unlessSet']> = {}
  for (const a of project.adapters) {
    const module = adapterModule(a)
    if (a.backend === 'rabbitmq') {
      // The first events adapter of the file picks the queue's backend.
      if (module === 'queue' && !out.queue) out.queue = { adapter: 'rabbitmq' }
      const { url, prefix } = rabbitConnection(a.args)
      if (url && !out.rabbitmq?.url) out.rabbitmq = { ...out.rabbitmq, url }
      if (prefix && !out.rabbitmq?.prefix) out.rabbitmq = { ...out.rabbitmq, prefix }
      continue
    }
    if (module && !(module === 'queue' && out.queue)) out[module] = { adapter: 'redis' }
    const { url, prefix } = redisConnection(a.args)
    if (url && !out.redis?.url) out.redis = { ...out.redis, url }
    if (prefix && !out.redis?.prefix) out.redis = { ...out.redis, prefix }
  }
  return out
}

/**
 * `new RabbitMQEventAdapter({ url, exchangeName, exchangeType, durable, prefetch })`: the URL, and
 * the exchange name as the prefix of every name (so its exchanges start with what the app chose).
 */
function rabbitConnection(args: readonly unknown[]): { url?: string; prefix?: string } {
  const first = args[0]
  const options = (typeof first === 'object' && first !== null ? first : {}) as Record<string, unknown>
  const url = typeof first === 'string' ? first : typeof options.url === 'string' ? options.url : undefined
  const prefix =
    typeof options.exchangeName === 'string' && options.exchangeName !== '' ? options.exchangeName : undefined
  return { ...(url ? { url } : {}), ...(prefix ? { prefix } : {}) }
}

/** `new RedisStateAdapter({ url } | { host, port, password, username, db }, { keyPrefix })`, BullMQ's `{ connection, prefix }`. */
function redisConnection(args: readonly unknown[]): { url?: string; prefix?: string } {
  const first = args[0]
  const options = (typeof first === 'object' && first !== null ? first : {}) as Record<string, any>
  const conn = (typeof options.connection === 'object' && options.connection) || options
  let url = typeof first === 'string' ? first : typeof conn.url === 'string' ? conn.url : undefined
  if (!url && typeof conn.host === 'string') {
    const auth = conn.password ? `${encodeURIComponent(conn.username ?? '')}:${encodeURIComponent(conn.password)}@` : ''
    url = `redis://${auth}${conn.host}:${conn.port ?? 6379}${conn.db ? `/${conn.db}` : ''}`
  }
  const second = (typeof args[1] === 'object' && args[1] !== null ? args[1] : {}) as Record<string, unknown>
  const raw = second.keyPrefix ?? options.keyPrefix ?? options.prefix
  const prefix = typeof raw === 'string' && raw.replace(/:+$/, '') !== '' ? raw.replace(/:+$/, '') : undefined
  return { ...(url ? { url } : {}), ...(prefix ? { prefix } : {}) }
}

/**
 * What became of each `@motiadev/adapter-*` object: the Redis adapter it maps to (an info line)
 * or why it was not used (a warning): config.yaml names another adapter for that module, or this
 * build has no counterpart.
 */
export function adapterReport(project: ProjectConfig, config: MotiaConfig): { info: string[]; warnings: string[] } {
  const info: string[] = []
  const warnings: string[] = []
  const redis = `${config.redis.url.replace(/\/\/([^@/]*):([^@/]*)@/, '//$1:***@')}, prefix "${config.redis.prefix}"`
  const anyRedis = [config.state.adapter, config.streams.adapter, config.queue.adapter].includes('redis')
  for (const a of project.adapters) {
    const what = `${project.file}: adapters.${a.role} = new ${a.className}(...)`
    const module = adapterModule(a)
    if (module) {
      const key = `${module}.adapter`
      const chosen = config[module].adapter
      const rabbit = `${rabbitLabel(config.rabbitmq.url)}, prefix "${config.rabbitmq.prefix}"`
      if (chosen === adapterOf(a)) info.push(`${what} → ${key}: ${chosen} (${chosen === 'rabbitmq' ? rabbit : redis})`)
      else {
        const winner = project.adapters.find((b) => adapterModule(b) === module && adapterOf(b) === chosen)
        warnings.push(
          winner
            ? `${what} is ignored: new ${winner.className}(...) before it sets ${key}: ${chosen}`
            : `${what} is ignored: config.yaml sets ${key}: ${chosen}`,
        )
      }
    } else if (a.role === 'cron' && a.backend === 'redis') {
      if (anyRedis) info.push(`${what} → cron ticks take a lock in Redis (${redis})`)
      else
        warnings.push(`${what} is ignored: cron takes its Redis lock when a state, streams or queue adapter is redis`)
    } else {
      warnings.push(
        `${what} from ${a.packageName} is ignored: this build has no ${a.backend} ${a.role} adapter; ${a.role === 'events' ? `the queue uses ${config.queue.adapter} (queue.adapter)` : 'the embedded default is used'}`,
      )
    }
  }
  return { info, warnings }
}

/** Routes `motia.config.ts` plugins registered: served like 0.x API steps of that file. */
export function pluginApiSteps(dir: string, pc: ProjectConfig, registry: TriggerRegistry): StepDefinition[] {
  if (!pc.file) return []
  const ref = { file: resolve(dir, pc.file), relFile: pc.file }
  return pc.pluginApis.flatMap((api) => {
    const config = {
      type: 'api',
      name: `${api.plugin} ${api.method} ${api.path}`,
      method: api.method,
      path: api.path,
      emits: [],
    }
    const { step, problems } = normalizeStep({ config, handler: api.handler }, ref, registry)
    if (!step) throw new MotiaError('E_STEP_CONFIG_INVALID', problems.map(formatProblem).join('; '))
    return [step]
  })
}

/**
 * What every entry point reads before any module exists (`createRuntime`, `motia build`): the
 * step files' zod chosen (before anything of the project is imported), `motia.config.ts` loaded,
 * then `config.yaml` with that file's 0.x adapters where config.yaml names none.
 */
export async function loadProjectSettings(opts: {
  dir: string
  env: Record<string, string | undefined>
  overrides?: ConfigOverrides
}): Promise<{ zod: ZodSource; projectConfig: ProjectConfig } & LoadedConfig> {
  const zod = provideZod(opts.dir)
  const projectConfig = await loadProjectConfig(opts.dir)
  const loaded = await loadConfig({
    dir: opts.dir,
    env: opts.env,
    cpus: availableParallelism(),
    overrides: { ...opts.overrides, unlessSet: adapterOverrides(projectConfig) },
  })
  return { zod, projectConfig, ...loaded }
}
