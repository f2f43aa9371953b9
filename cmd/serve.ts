import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { MotiaError } from '../runtime/errors'
import type { RunMode } from '../runtime/module'
import { loadProjectEnv } from '../runtime/project-env'
import { createRuntime, type Runtime } from '../runtime/runtime'
import { writeTypesIfChanged } from '../runtime/type-gen'
import { defaultModules } from './default-modules'
import { writeTestRuntime } from './project-tooling'

export interface ServeOptions {
  dir: string
  port?: number
  host?: string
  /** Compiled apps keep their data in the working directory, not next to the unpacked code. */
  dataRoot?: string
}

/** `motia dev` / `motia start`: run until SIGINT/SIGTERM, then stop every module in order. */
export async function runServer(mode: RunMode, opts: ServeOptions): Promise<void> {
  loadProjectEnv(opts.dir)
  const overrides = {
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.port !== undefined ? { http: { port: opts.port } } : {}),
    ...(opts.dataRoot !== undefined ? { dataRoot: opts.dataRoot } : {}),
  }
  let watcher: { ready: Promise<void>; close(): Promise<void> } | undefined
  // Printed whatever logging.level is: with --port 0 it is the only place the ports are told.
  const announce = (rt: Runtime) => {
    // The executable starts with the JIT's tier-up thresholds raised (build.ts `jitPolicy`), so
    // run-once start-up code stays interpreted; the code that serves gets the normal ones.
    Bun.unsafe.setJITPolicy(1)
    // Most of what start-up compiled and allocated (config and step loading) never runs again:
    // JavaScriptCore drops that code and hands free heap pages back at its next idle moment (hello
    // project idle RSS -2 MB). Asked for once the boot's frames are gone: at once, it often freed
    // nothing.
    setTimeout(() => Bun.shrink(), SHRINK_AFTER_READY_MS).unref()
    const shared = rt.services.shared
    rt.services.log.notice(`motia ${mode} ready`, {
      url: shared.get('http.url'),
      ...(shared.has('streams.url') ? { streams: shared.get('streams.url') } : {}),
      ...(shared.has('console.url') ? { console: shared.get('console.url') } : {}),
      steps: rt.project().steps.length,
      problems: rt.problems.length,
    })
  }
  const boot = async (o: typeof overrides) => {
    const rt = await createRuntime({ dir: opts.dir, mode, modules: defaultModules(), overrides: o })
    // Dev restarts announce here; the first boot once the signals are handled (below).
    if (watcher) announce(rt)
    return rt
  }
  let runtime: Runtime
  try {
    runtime = await boot(overrides)
  } catch (err) {
    if (err instanceof MotiaError) {
      process.stderr.write(`motia ${mode}: ${err.message}\n`)
      process.exit(1)
    }
    throw err
  }

  // Signals are handled before "ready" is printed: a supervisor that stops the process as soon as
  // it reads that line gets a drain, never the default action (exit 143, no clean-up at exit).
  let stopping = false
  const shutdown = async (signal: NodeJS.Signals) => {
    const log = runtime.services.log
    if (stopping) {
      log.warn(`${signal} again: exiting without waiting for in-flight work`)
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15))
    }
    stopping = true
    const timeout = runtime.config.shutdownTimeout
    log.info(`${signal}: draining, up to ${timeout} ms (${signal} again exits at once)`)
    // A module that hangs past its deadline must not keep the process alive.
    setTimeout(() => {
      log.error(`shutdown still not done ${timeout + SHUTDOWN_GRACE_MS} ms after ${signal}: exiting`)
      process.exit(1)
    }, timeout + SHUTDOWN_GRACE_MS).unref()
    const t0 = performance.now()
    await runtime.drain(timeout)
    log.info(`drained in ${Math.round(performance.now() - t0)} ms`)
    await watcher?.close()
    await runtime.stop()
    process.exit(0)
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  // The last line of defence: a rejection nobody handled is a bug to log, never a reason for the
  // server (and every request in flight) to die. Modules catch their own; this catches the rest.
  process.on('unhandledRejection', (reason) => {
    runtime.services.log.error(`unhandled rejection: ${(reason as Error)?.message ?? String(reason)}`, {
      error: reason,
    })
  })

  // In dev, "ready" waits for the file watcher, so an edit right after it is never missed.
  if (mode !== 'dev') announce(runtime)
  if (mode === 'dev') refreshTestRuntime(runtime)
  if (mode === 'dev') {
    // The watcher (chokidar) loads in dev only: `start` keeps a smaller heap.
    const { watchProject } = await import('../runtime/dev-watcher')
    const w = watchProject({
      dir: runtime.dir,
      log: runtime.services.log,
      onReload: async (files) => {
        const t0 = performance.now()
        const { problems } = await runtime.reload(files)
        writeTypesIfChanged(runtime.dir, runtime.project())
        runtime.services.log.info(`reloaded in ${Math.round(performance.now() - t0)} ms`, {
          changed: capList(files.map((f) => relative(runtime.dir, f))),
          problems: problems.length,
        })
      },
      onRestart: async (file) => {
        runtime.services.log.info(`${relative(runtime.dir, file)} changed: restarting`)
        // Keep the port the process is known on, even when it was picked with --port 0.
        const port = Number(new URL(String(runtime.services.shared.get('http.url'))).port)
        await runtime.stop()
        try {
          runtime = await boot({ ...overrides, http: { ...overrides.http, port } })
        } catch (err) {
          // Nothing serves until the file is fixed; the next save retries.
          runtime.services.log.error(`restart failed: ${(err as Error).message}\nfix the file and save again`)
        }
      },
    })
    // Editors type handlers from types.d.ts; dev keeps it current (motia generate-types does it once).
    writeTypesIfChanged(runtime.dir, runtime.project())
    await w.ready
    watcher = w
    announce(runtime)
  }
}

/** How long after "ready" the process gives start-up's memory back (a full collection, ~20 ms). */
const SHRINK_AFTER_READY_MS = 100

/** After the drain deadline, the time modules get to stop (close sockets, release, checkpoint). */
const SHUTDOWN_GRACE_MS = 10_000

/** One reload's log line lists a few files, not thousands (a checkout, a linked folder). */
function capList(items: string[], max = 10): string[] {
  return items.length <= max ? items : [...items.slice(0, max), `… and ${items.length - max} more`]
}

/** After an upgrade of the binary, `dev` brings a project's `.motia/runtime` (plain `bun test`) along. */
function refreshTestRuntime(rt: Runtime): void {
  if (!existsSync(join(rt.dir, '.motia', 'runtime', 'motia-test.js'))) return
  try {
    writeTestRuntime(rt.dir)
  } catch (err) {
    rt.services.log.warn(`.motia/runtime could not be refreshed: ${(err as Error).message}`)
  }
}
