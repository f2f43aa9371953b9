import type { MotiaModule, RuntimeServices } from '../../runtime/module'
import type { StateModuleApi } from '../state/state-module'
import { registerBuiltins } from './builtins'
import { ChannelManager } from './channels'
import { HttpTriggers } from './http-triggers'
import { IiiEngine } from './iii-engine'
import { IiiQueues } from './queues'
import { registerTriggerTypes } from './trigger-types'
import { WorkerServer } from './worker-server'

/** What tests and other modules get from `shared.get('iii')`. */
export interface IiiModuleApi {
  engine: IiiEngine
  /** The worker port's address once listening (`ws://host:port`). */
  url(): string | undefined
}

export const III_KEY = 'iii'

/**
 * iii's worker protocol on its own port (`iii:` in config.yaml, or iii's top-level `port:`):
 * iii SDK workers in any language attach, register functions and triggers, and call the
 * engine's functions (state, streams, logs, queues, pub/sub) under iii's ids. docs/iii.md.
 */
export function iiiModule(options: { listen?: boolean } = {}): MotiaModule {
  let rt: RuntimeServices
  let iii: IiiEngine
  let queues: IiiQueues
  let server: WorkerServer | undefined
  let stopTypes: (() => void) | undefined
  let channels: ChannelManager
  return {
    name: 'iii',
    dependsOn: ['state', 'queue', 'streams', 'http'],
    setup(services) {
      rt = services
      const cfg = rt.config.iii
      iii = new IiiEngine(rt.logs, cfg.invocationTimeout)
      registerBuiltins(iii, rt.engine, rt.logs)
      stopTypes = registerTriggerTypes(iii, rt.shared.get('state') as StateModuleApi | undefined)
      channels = new ChannelManager(cfg.maxMessageBytes)
      iii.builtin('engine::channels::create', () => {
        const { writer, reader } = channels.create()
        return { writer, reader }
      })
      const http = new HttpTriggers(iii, channels)
      iii.triggerType({ id: 'http', description: 'an HTTP request on the API port', register: http.register })
      rt.shared.set('http.dynamic', http.fetch)
      queues = new IiiQueues(
        iii,
        Object.fromEntries(
          Object.entries(cfg.queues).map(([name, q]) => [
            name,
            {
              maxRetries: q.max_retries,
              concurrency: q.concurrency,
              type: q.type,
              ...(q.message_group_field ? { groupField: q.message_group_field } : {}),
            },
          ]),
        ),
      )
      rt.shared.set(III_KEY, { engine: iii, url: () => server?.url } satisfies IiiModuleApi)
    },
    start() {
      const cfg = rt.config.iii
      if (!cfg.enabled || options.listen === false) return
      server = new WorkerServer(
        iii,
        queues,
        channels,
        {
          port: cfg.port,
          host: cfg.host,
          maxMessageBytes: cfg.maxMessageBytes,
          ...(cfg.token ? { token: cfg.token } : {}),
        },
        (msg, fields) => rt.log.warn(msg, fields),
      )
      server.start()
      rt.log.info(`iii worker port listening on ${server.url}`)
    },
    async stop() {
      queues?.stop()
      channels?.stop()
      stopTypes?.()
      await server?.stop()
      server = undefined
    },
  }
}
