import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { QueueModuleApi } from '../../modules/queue/queue-module'
import type { RunMode } from '../../runtime/module'
import { copyFixture, fixtureRuntime } from '../support/runtime'

/**
 * The starter template (templates/starter) in a temp copy, served for real on free ports:
 * API, streams and the console, all on 127.0.0.1.
 */
export async function consoleApp(config = 'console:\n  port: 0\n', mode: RunMode = 'dev') {
  const app = copyFixture(join('..', '..', 'templates', 'starter'))
  writeFileSync(
    join(app.path, 'config.yaml'),
    `http:\n  port: 0\n  host: 127.0.0.1\nstreams:\n  port: 0\n  host: 127.0.0.1\n${config}`,
  )
  const rt = await fixtureRuntime(app.path, { listen: true, mode }).catch((err) => {
    app.dispose()
    throw err
  })
  const url = rt.services.shared.get('console.url') as string | undefined
  return {
    rt,
    url: url?.replace(/\/$/, '') ?? '',
    /** Resolves when no message is ready, in flight or waiting for a retry. */
    drain: () => (rt.services.shared.get('queue') as QueueModuleApi).idle({ delayed: true }),
    async [Symbol.asyncDispose]() {
      await rt.stop()
      app.dispose()
    },
  }
}
