import type { MotiaModule, Project, RuntimeServices } from '../../runtime/module'
import type { QueueTriggerDef } from '../../runtime/step'
import { CRON_CLAIM_KEY, type CronClaim } from '../cron/cron-module'
import { QUEUE_KEY, type QueueModuleApi } from '../queue/queue-module'
import type { StateModuleApi } from '../state/state-module'
import type { StreamsModuleApi } from '../streams/streams-module'
import { BridgeClient } from './bridge-client'
import { registerBuiltins } from './builtins'
import { ChannelManager } from './channels'
import { HttpTriggers } from './http-triggers'
import { IiiEngine, type TriggerEntry } from './iii-engine'
import { IiiQueues } from './queues'
import { registerStreamTrigger } from './streams'
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
  let queues: IiiQueues | undefined
  let server: WorkerServer | undefined
  let stopTypes: (() => void) | undefined
  let stopStreamTrigger: (() => void) | undefined
  let channels: ChannelManager
  let bridges: BridgeClient[] = []
  return {
    name: 'iii',
    dependsOn: ['state', 'queue', 'streams', 'http'],
    setup(services) {
      rt = services
      const cfg = rt.config.iii
      iii = new IiiEngine(rt.logs, cfg.invocationTimeout, () => rt.engine.tracer)
      const bridge = {
        ...(cfg.bridge.state ? { state: new BridgeClient(cfg.bridge.state, cfg.invocationTimeout) } : {}),
        ...(cfg.bridge.streams ? { streams: new BridgeClient(cfg.bridge.streams, cfg.invocationTimeout) } : {}),
      }
      bridges = Object.values(bridge)
      const streams = rt.shared.get('streams') as StreamsModuleApi | undefined
      registerBuiltins(iii, rt.engine, rt.logs, streams, bridge)
      stopStreamTrigger = streams && registerStreamTrigger(iii, streams, traceparentOf)
      if (cfg.enabled) streams?.openUndeclared()
      const types = registerTriggerTypes(
        iii,
        rt.engine,
        rt.shared.get('state') as StateModuleApi | undefined,
        () => rt.shared.get(CRON_CLAIM_KEY) as CronClaim | undefined,
      )
      stopTypes = types.stop
      routeEnqueues(rt, iii, types.queueTargets)
      channels = new ChannelManager(cfg.maxMessageBytes)
      iii.builtin('engine::channels::create', () => {
        const { writer, reader } = channels.create()
        return { writer, reader }
      })
      const http = new HttpTriggers(iii, channels)
      iii.triggerType({ id: 'http', description: 'an HTTP request on the API port', register: http.register })
      rt.shared.set('http.dynamic', http.fetch)
      rt.shared.set(III_KEY, { engine: iii, url: () => server?.url } satisfies IiiModuleApi)
      // Off (no worker port): no named queues in the store, no calls from steps.
      if (!cfg.enabled) return
      const named = new IiiQueues(iii, rt.shared.get(QUEUE_KEY) as QueueModuleApi, rt.config)
      queues = named
      rt.engine.functionService = {
        async trigger(req, origin) {
          const traceparent = traceparentOf(origin)
          if (req.action?.type === 'enqueue') {
            if (!iii.functions.has(req.function_id)) throw new Error(`Function ${req.function_id} not found`)
            return named.enqueue(req.action.queue, req.function_id, req.payload ?? null, traceparent)
          }
          const call = iii.invoke(req.function_id, req.payload ?? null, {
            ...(traceparent ? { traceparent } : {}),
            ...(typeof req.timeoutMs === 'number' ? { timeoutMs: req.timeoutMs } : {}),
          })
          if (req.action?.type !== 'void') return call
          call.catch(() => {})
          return null
        },
      }
    },
    start() {
      const cfg = rt.config.iii
      if (!cfg.enabled || !queues || options.listen === false) return
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
        { tracer: () => rt.engine.tracer, logs: rt.logs, registry: () => rt.engine.metrics?.registry },
      )
      server.start()
      rt.log.info(`iii worker port listening on ${server.url}`)
    },
    async stop() {
      for (const b of bridges) b.close()
      channels?.stop()
      stopTypes?.()
      stopStreamTrigger?.()
      await server?.stop()
      server = undefined
    },
  }
}

/**
 * Every enqueue (steps' `ctx.enqueue`, TS or Python, and workers' `enqueue`) also reaches the
 * workers' `queue` triggers on that topic. Steps subscribed to it get it from the queue as
 * before; a topic only workers take does not go to the queue (nor warn that nobody takes it).
 */
function routeEnqueues(
  rt: RuntimeServices,
  iii: IiiEngine,
  targets: (topic: string) => ReadonlySet<TriggerEntry> | undefined,
): void {
  const inner = rt.engine.queueService
  if (!inner) return
  let project: Project | undefined
  let stepTopics = new Set<string>()
  const subscribed = (topic: string) => {
    const now = rt.project()
    if (now !== project) {
      project = now
      stepTopics = new Set(
        now.steps.flatMap((s) => s.triggers.flatMap((t) => (t.type === 'queue' ? [(t as QueueTriggerDef).topic] : []))),
      )
    }
    return stepTopics.has(topic)
  }
  rt.engine.queueService = {
    enqueue(message, origin) {
      const workers = targets(message.topic)
      // No iii worker takes the topic (the common case): the queue's own promise, no wrapper.
      if (!workers || workers.size === 0) return inner.enqueue(message, origin)
      return (async () => {
        if (subscribed(message.topic)) await inner.enqueue(message, origin)
        const traceparent = traceparentOf(origin)
        for (const t of workers) void iii.fire(t, message.data, traceparent ? { traceparent } : {}).catch(() => {})
      })()
    },
  }
}

/** The W3C traceparent of a step's call, when its trace and span ids have that shape (tracing on). */
function traceparentOf(origin: { traceId: string; spanId?: string }): string | undefined {
  if (!/^[0-9a-f]{32}$/.test(origin.traceId) || !origin.spanId || !/^[0-9a-f]{16}$/.test(origin.spanId))
    return undefined
  return `00-${origin.traceId}-${origin.spanId}-01`
}
