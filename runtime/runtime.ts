import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ConfigOverrides } from './config/load-config'
import type { MotiaConfig } from './config/schema'
import { Engine } from './engine'
import { formatProblem, type LoadProblem, MotiaError } from './errors'
import { createStreamSink } from './log-format'
import { createLogHub, type LogHub, type LogSink, StructuredLogger } from './logger'
import {
  type MotiaModule,
  orderModules,
  type Project,
  type RunMode,
  type RuntimeLifecycle,
  type RuntimeServices,
} from './module'
import { forgetProjectModules, ProjectModuleGraph } from './module-graph'
import { adapterReport, loadProjectSettings, pluginApiSteps } from './project-config'
import { checkReadiness } from './readiness'
import { loadProject, type ModuleImporter } from './step-loader'
import { TriggerRegistry } from './trigger-registry'

export interface RuntimeOptions {
  dir: string
  mode: RunMode
  /** The modules to run; the composition root (`cmd/default-modules.ts`) builds the list. */
  modules: (services: { mode: RunMode; config: MotiaConfig }) => MotiaModule[]
  env?: Record<string, string | undefined>
  overrides?: ConfigOverrides
  /** Replaces the terminal sink (tests capture logs this way). */
  logSinks?: LogSink[]
  importer?: ModuleImporter
}

export interface Runtime extends AsyncDisposable {
  readonly dir: string
  readonly mode: RunMode
  readonly config: MotiaConfig
  readonly logs: LogHub
  readonly engine: Engine
  readonly services: RuntimeServices
  /** Load problems (in `dev` the affected files are skipped; `start` refuses to run with any). */
  readonly problems: readonly LoadProblem[]
  project(): Project
  /** Sends a request through the HTTP module without a socket, like Elysia's `app.handle`. */
  request(path: string, init?: RequestInit): Promise<Response>
  /** Replaces the loaded project (dev reload) and tells every module. */
  replaceProject(project: Project): Promise<void>
  /**
   * Dev reload: re-imports the `changed` files and every project module that imports one of them
   * (all project modules when `changed` is not given), keeps the previous version of any file
   * that now fails to load, and swaps the project in place: ports, sockets, queued messages and
   * state stay.
   */
  reload(changed?: readonly string[]): Promise<{ problems: LoadProblem[] }>
  readonly modules: readonly MotiaModule[]
  /**
   * Graceful shutdown (SIGTERM): readiness turns 503 at once, every module stops taking work and
   * finishes what it has until `timeoutMs` (default `shutdownTimeout`) has passed, then hands
   * back the rest (unfinished queue messages are released). `stop()` follows.
   */
  drain(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

/**
 * Loads config and the project, sets up and starts every module. In `start` mode any load
 * problem stops start-up with all problems listed; in `dev` and `test` they are logged and the
 * rest is served.
 */
export async function createRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const dir = resolve(opts.dir)
  const env = opts.env ?? process.env
  const {
    zod,
    projectConfig,
    config,
    warnings: configWarnings,
  } = await loadProjectSettings({ dir, env, ...(opts.overrides ? { overrides: opts.overrides } : {}) })
  const logs = createLogHub(config.logging.level, opts.logSinks ?? [terminalSink(config.logging.format)])
  const log = new StructuredLogger(logs)
  for (const w of configWarnings) log.warn(w)

  if (zod.kind === 'project') log.debug(`steps use the project's zod (${zod.path.replace(`${dir}/`, '')})`)

  const adapters = adapterReport(projectConfig, config)
  for (const w of [...projectConfig.warnings, ...adapters.warnings]) log.warn(w)
  for (const n of [...adapters.info, ...projectConfig.notes]) log.info(n)
  if (projectConfig.replacedPlugins.length > 0 || projectConfig.workbench.length > 0) {
    const panels = projectConfig.workbench.map((w) => w.label ?? w.componentName ?? w.plugin)
    log.info(
      `${projectConfig.file}: Workbench plugins are not loaded; the console (port ${config.console.port}) replaces them`,
      { plugins: projectConfig.replacedPlugins, ...(panels.length > 0 ? { panels } : {}) },
    )
  }

  const engine = new Engine(logs)
  const modules = orderModules(opts.modules({ mode: opts.mode, config }))
  const registry = new TriggerRegistry()
  for (const m of modules) for (const k of m.triggerKinds ?? []) registry.register(k)
  const pluginSteps = pluginApiSteps(dir, projectConfig, registry)

  const checks = modules.flatMap((m) => m.checks ?? [])
  const sources = modules.flatMap((m) => (m.stepSource ? [m.stepSource] : []))
  const load = (importer?: ModuleImporter) =>
    loadProject({
      dir,
      registry,
      checks,
      extraSteps: pluginSteps,
      sources,
      sourceContext: { config, mode: opts.mode, log, logs },
      ...((importer ?? opts.importer) ? { importer: importer ?? opts.importer } : {}),
    })
  const loaded = await load()
  for (const w of loaded.warnings) log.warn(w)
  if (loaded.problems.length > 0) {
    const lines = loaded.problems.map(formatProblem)
    if (opts.mode === 'start') {
      await Promise.all(sources.map((s) => s.close?.()))
      throw new MotiaError(
        'E_PROJECT_INVALID',
        `the project has ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n  ${lines.join('\n  ')}`,
        { details: { problems: loaded.problems } },
      )
    }
    for (const p of loaded.problems) log.error(formatProblem(p), { code: p.code })
  }

  let project: Project = { steps: loaded.steps, streams: loaded.streams }
  let lastProblems = loaded.problems
  const graph = new ProjectModuleGraph(dir)
  const started: MotiaModule[] = []
  let draining = false
  const lifecycle: RuntimeLifecycle = {
    get draining() {
      return draining
    },
    async readiness() {
      const report = await checkReadiness(started, draining)
      if (started.length === modules.length) return report
      const runtime = { ok: false, detail: started.length === 0 ? 'stopped' : 'starting' }
      return { ...report, ok: false, modules: { ...report.modules, runtime } }
    },
  }
  const services: RuntimeServices = {
    dir,
    mode: opts.mode,
    config,
    logs,
    log,
    engine,
    project: () => project,
    projectConfig,
    shared: new Map(),
    lifecycle,
  }

  const stop = async () => {
    for (const m of [...started].reverse()) {
      try {
        await m.stop?.()
      } catch (err) {
        log.error(`module ${m.name} failed to stop`, { error: err })
      }
    }
    started.length = 0
    for (const hook of projectConfig.shutdownHooks) {
      try {
        await hook()
      } catch (err) {
        log.error(`${projectConfig.file}: a plugin's onShutdown failed`, { error: err })
      }
    }
  }
  try {
    for (const m of modules) await m.setup?.(services)
    for (const m of modules) {
      await m.start?.()
      started.push(m)
    }
  } catch (err) {
    await stop()
    await Promise.all(sources.map((s) => s.close?.()))
    throw err
  }

  let stopped = false
  let drained: Promise<void> | undefined
  const runtime: Runtime = {
    dir,
    mode: opts.mode,
    config,
    logs,
    engine,
    services,
    modules,
    problems: loaded.problems,
    project: () => project,
    async request(path, init) {
      const fetch = services.shared.get('http.fetch') as ((r: Request) => Promise<Response>) | undefined
      if (!fetch) throw new Error('the http module is not running')
      return fetch(new Request(new URL(path, 'http://localhost').href, init))
    },
    async replaceProject(next) {
      project = next
      for (const m of modules) await m.projectChanged?.(next)
    },
    async reload(changed) {
      // Files that failed last time are retried whatever changed (a helper they import may be fixed).
      const retry = lastProblems.map((p) => resolve(dir, p.file))
      if (changed) forgetProjectModules(dir, graph.reachedBy([...changed.map((f) => resolve(dir, f)), ...retry]))
      else {
        forgetProjectModules(dir)
        forgetProjectModules(dir, retry) // not among the cache's keys (module-graph.ts)
      }
      const next = await load()
      lastProblems = next.problems
      for (const w of next.warnings) log.warn(w)
      for (const p of next.problems) log.error(formatProblem(p), { code: p.code })
      // A file that now fails keeps serving its previous version until it is fixed.
      const failing = new Set(next.problems.map((p) => p.file))
      const keep = <T extends { relFile: string; file: string }>(old: readonly T[], fresh: T[]) => {
        const have = new Set(fresh.map((x) => x.relFile))
        return [...fresh, ...old.filter((x) => failing.has(x.relFile) && !have.has(x.relFile) && existsSync(x.file))]
      }
      await runtime.replaceProject({
        steps: keep(project.steps, next.steps),
        streams: keep(project.streams, next.streams),
      })
      return { problems: next.problems }
    },
    drain(timeoutMs = config.shutdownTimeout) {
      if (drained) return drained
      draining = true
      const deadline = Date.now() + timeoutMs
      drained = Promise.all(
        started.map((m) =>
          m.drain?.(deadline).catch((err) => log.error(`module ${m.name} failed to drain`, { error: err })),
        ),
      ).then(() => undefined)
      return drained
    },
    async stop() {
      if (stopped) return
      stopped = true
      await stop()
    },
    [Symbol.asyncDispose]() {
      return runtime.stop()
    },
  }
  return runtime
}

function terminalSink(format: 'auto' | 'pretty' | 'json'): LogSink {
  const tty = Boolean(process.stdout.isTTY)
  const f = format === 'auto' ? (tty ? 'pretty' : 'json') : format
  return createStreamSink(f, process.stdout, tty)
}
