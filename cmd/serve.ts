import { defaultModules } from '../modules/default-modules'
import { MotiaError } from '../runtime/errors'
import type { RunMode } from '../runtime/module'
import { createRuntime } from '../runtime/runtime'

export interface ServeOptions {
  dir: string
  port?: number
  host?: string
}

/** `motia dev` / `motia start`: run until SIGINT/SIGTERM, then stop every module in order. */
export async function runServer(mode: RunMode, opts: ServeOptions): Promise<void> {
  const overrides = {
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.port !== undefined ? { http: { port: opts.port } } : {}),
  }
  let runtime: Awaited<ReturnType<typeof createRuntime>>
  try {
    runtime = await createRuntime({ dir: opts.dir, mode, modules: defaultModules(), overrides })
  } catch (err) {
    if (err instanceof MotiaError) {
      process.stderr.write(`motia ${mode}: ${err.message}\n`)
      process.exit(1)
    }
    throw err
  }
  const steps = runtime.project().steps.length
  runtime.services.log.info(`motia ${mode} ready`, {
    url: runtime.services.shared.get('http.url'),
    steps,
    problems: runtime.problems.length,
  })
  let stopping = false
  const shutdown = async () => {
    if (stopping) return
    stopping = true
    await runtime.stop()
    process.exit(0)
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}
