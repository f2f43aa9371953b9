import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultModules } from '../../cmd/default-modules'
import type { QueueModuleApi } from '../../modules/queue/queue-module'
import type { LogRecord } from '../../runtime/logger'
import type { MotiaModule, RunMode } from '../../runtime/module'
import { createRuntime } from '../../runtime/runtime'
import { copyFixture } from '../support/runtime'

export interface ConsoleAppOptions {
  /** config.yaml lines after the http and streams sections. */
  config?: string
  mode?: RunMode
  /** Replace default modules of the same name, or add to them. */
  modules?: MotiaModule[]
  /** Files added to the project (path under it → text), e.g. extra steps. */
  files?: Record<string, string>
}

/**
 * The starter template (templates/starter) in a temp copy, served for real on free ports:
 * API, streams and the console, all on 127.0.0.1.
 */
export async function consoleApp(opts: ConsoleAppOptions = {}) {
  const app = copyFixture(join('..', '..', 'templates', 'starter'))
  writeFileSync(
    join(app.path, 'config.yaml'),
    `http:\n  port: 0\n  host: 127.0.0.1\nstreams:\n  port: 0\n  host: 127.0.0.1\n${opts.config ?? 'console:\n  port: 0\n'}`,
  )
  for (const [file, text] of Object.entries(opts.files ?? {})) writeFileSync(join(app.path, file), text)
  const records: LogRecord[] = []
  const extra = opts.modules ?? []
  const rt = await createRuntime({
    dir: app.path,
    mode: opts.mode ?? 'dev',
    modules: (ctx) => [
      ...defaultModules({ listen: true })(ctx).filter((m) => !extra.some((x) => x.name === m.name)),
      ...extra,
    ],
    logSinks: [(r) => records.push(r)],
  }).catch((err) => {
    app.dispose()
    throw err
  })
  const url = rt.services.shared.get('console.url') as string | undefined
  return {
    rt,
    records,
    url: url?.replace(/\/$/, '') ?? '',
    /** Resolves when no message is ready, in flight or waiting for a retry. */
    drain: () => (rt.services.shared.get('queue') as QueueModuleApi).idle({ delayed: true }),
    async [Symbol.asyncDispose]() {
      await rt.stop()
      app.dispose()
    },
  }
}
