import type { Server } from 'bun'
import type { CallOrigin } from '../../runtime/engine-client'
import { MotiaError } from '../../runtime/errors'
import type { MotiaModule, Project, RuntimeServices } from '../../runtime/module'
import { probe } from '../../runtime/readiness'
import { type StepDefinition, type StreamDefinition, syntheticStep } from '../../runtime/step'
import { newTraceId } from '../../runtime/trace-id'
import type { StreamSubscription } from '../../sdk/types'
import type { UpgradeHook } from '../http/http-module'
import { type BackgroundRunner, RUNNER_KEY } from '../queue/runner'
import { sharedSqlite } from '../storage/storage-module'
import type { StreamAdapter, StreamChange } from './adapter'
import { MemoryStreamAdapter } from './adapters/memory'
import { SqliteStreamAdapter } from './adapters/sqlite'
import type { StreamAuthHooks } from './auth'
import { streamLimits } from './limits'
import { projectStreamHooks } from './project-hooks'
import { Clock } from './protocol'
import { Publisher } from './publisher'
import { Rooms, type SocketData } from './rooms'
import { StreamService } from './stream-service'
import { StreamTriggers } from './stream-triggers'
import { streamTriggerKind } from './trigger-kind'
import { createUpgrader, websocketHandler } from './ws-server'

export type StreamChangeListener = (change: StreamChange, origin: CallOrigin) => void

/** What other modules (console, tests) get from `shared.get('streams')`. */
export interface StreamsModuleApi {
  adapter: StreamAdapter
  /** Every change this process makes, after it is stored and published. */
  onChange(listener: StreamChangeListener): () => void
  /**
   * Makes `name` a stream if no `*.stream.ts` declares it (iii workers create streams on first
   * write): `ctx.streams`, stream clients and triggers then serve it like a declared one.
   */
  declare(name: string): void
  /** Stream clients may join any stream name, declared or not (iii: its streams exist unasked). */
  openUndeclared(): void
}

export interface StreamsModuleOptions {
  /** false: no stream port (in-process tests); the API-port hook is still offered. */
  listen?: boolean
  /** Replaces the adapter `streams.adapter` names (tests). */
  adapter?: StreamAdapter
  /** Replaces the hooks read from `motia.config.ts` (tests). */
  hooks?: StreamAuthHooks
}

export function createStreamAdapter(rt: RuntimeServices): StreamAdapter | Promise<StreamAdapter> {
  const kind = rt.config.streams.adapter
  if (kind === 'memory') return new MemoryStreamAdapter()
  if (kind === 'sqlite') return new SqliteStreamAdapter(sharedSqlite(rt))
  // ioredis loads only when configured (queue-module.ts says why).
  if (kind === 'redis') return import('./adapters/redis').then((m) => m.RedisStreamAdapter.connect(rt.config.redis))
  throw new MotiaError(
    'E_ADAPTER_UNKNOWN',
    `streams.adapter "${kind}" is not available in this build (use sqlite, memory or redis)`,
  )
}

/**
 * Real-time streams: `ctx.streams.<name>` for every step, the WebSocket server Motia's stream
 * clients connect to (its own port, and the API port for 0.x clients), stream auth of both
 * generations, and `stream` triggers.
 */
export function streamsModule(options: StreamsModuleOptions = {}): MotiaModule {
  let rt: RuntimeServices
  let adapter: StreamAdapter
  let hooks: StreamAuthHooks = {}
  let server: Server<SocketData> | undefined
  let unsubscribe: (() => void) | undefined
  let streams = new Map<string, StreamDefinition>()
  /** Streams no file declares, created by a write (iii workers) here or on another instance. */
  const implicit = new Map<string, StreamDefinition>()
  let stopping = false
  let triggers: StreamTriggers | undefined
  const hookSteps = new WeakMap<StreamDefinition, StepDefinition>()
  const listeners = new Set<StreamChangeListener>()
  // fanOut adapters keep one clock for every instance (see StreamAdapter.now).
  const clock = new Clock(() => adapter?.now?.() ?? Date.now())

  const indexStreams = (project: Project) => {
    streams = new Map(project.streams.map((s) => [s.name, s]))
  }
  const lookup = (name: string) => streams.get(name) ?? implicit.get(name)
  const undeclared = (name: string): StreamDefinition => ({
    name,
    file: '',
    relFile: '(created on first write)',
    config: { name },
  })
  const declare = (name: string) => {
    if (!lookup(name)) implicit.set(name, undeclared(name))
  }
  let open = false
  const streamNames = () => [...new Set([...streams.keys(), ...implicit.keys()])].sort()
  const apiServer = () =>
    rt.config.streams.onApiPort ? (rt.shared.get('http.server') as Server<any> | undefined) : undefined
  const publisher = new Publisher(
    () => [server, apiServer()],
    () => rt.engine.metrics,
  )

  return {
    name: 'streams',
    dependsOn: ['storage', 'queue'],
    triggerKinds: [streamTriggerKind],
    async setup(services) {
      rt = services
      adapter = options.adapter ?? (await createStreamAdapter(rt))
      hooks = options.hooks ?? projectStreamHooks(rt.projectConfig)
      indexStreams(rt.project())
      triggers = new StreamTriggers(() => rt.shared.get(RUNNER_KEY) as BackgroundRunner | undefined, rt.log)
      triggers.index(rt.project().steps)

      const changed = (change: StreamChange, origin: CallOrigin) => {
        // fanOut adapters deliver this change back through subscribe, in store order.
        if (!adapter.capabilities.fanOut) publisher.publish(change)
        triggers?.fire(change, origin)
        adapter.announce?.(change).catch((err) => rt.log.error('streams: announcing a change failed', { error: err }))
        for (const l of listeners) l(change, origin)
      }
      rt.engine.streamsService = new StreamService({
        adapter,
        clock,
        log: rt.log,
        validate: rt.mode === 'dev',
        stream: lookup,
        streamNames,
        changed,
      })
      // Every change of every process (fanOut adapters), in store order: sockets only; triggers
      // ran in the process that made the change.
      unsubscribe = adapter.subscribe?.((change) => {
        declare(change.streamName)
        publisher.publish(change)
      })

      const rooms = new Rooms({
        adapter,
        clock,
        log: rt.log,
        // A client joining an undeclared name (open) stores nothing: the write creates the stream.
        stream: (name) => lookup(name) ?? (open ? undeclared(name) : undefined),
        hookContext: (def, sub) => hookContext(def, sub),
        stopping: () => stopping,
        limits: streamLimits(rt.config.streams),
        metrics: () => rt.engine.metrics,
      })
      const websocket = websocketHandler(rooms, { ...rt.config.streams, metrics: () => rt.engine.metrics })
      const upgrade = createUpgrader(() => hooks, rt.log)
      rt.shared.set('streams.websocket', websocket)
      rt.shared.set('streams.fetch', upgrade)
      if (rt.config.streams.onApiPort) {
        const hook: UpgradeHook = {
          // The http module answers a refused upgrade itself (see docs/streams.md, API port).
          upgrade: async (request, srv) => (await upgrade(request, srv)) === undefined,
          websocket,
        }
        rt.shared.set('streams.upgrade', hook)
      }
      const api: StreamsModuleApi = {
        adapter,
        onChange(l) {
          listeners.add(l)
          return () => listeners.delete(l)
        },
        declare,
        openUndeclared: () => {
          open = true
        },
      }
      rt.shared.set('streams', api)
    },
    start() {
      if (options.listen === false) return
      const cfg = rt.config.streams
      const websocket = rt.shared.get('streams.websocket') as ReturnType<typeof websocketHandler>
      const upgrade = rt.shared.get('streams.fetch') as ReturnType<typeof createUpgrader>
      server = Bun.serve<SocketData>({
        port: cfg.port,
        hostname: cfg.host ?? rt.config.host,
        development: false,
        fetch: upgrade,
        websocket,
      })
      const url = `ws://${server.url.host}/`
      rt.shared.set('streams.url', url)
      rt.log.info(`Streams listening on ${url}`)
    },
    projectChanged(project) {
      indexStreams(project)
      triggers?.index(project.steps)
    },
    ready: () => probe(adapter),
    async stop() {
      stopping = true
      unsubscribe?.()
      await server?.stop(true)
      server = undefined
      await adapter?.close()
    },
  }

  /** onJoin / onLeave get a ctx like a step's: logger, state, streams, enqueue, traceId. */
  function hookContext(def: StreamDefinition, subscription: StreamSubscription) {
    let step = hookSteps.get(def)
    if (!step) {
      step = syntheticStep(
        `stream:${def.name}`,
        def.file,
        def.relFile,
        def.config as unknown as Record<string, unknown>,
      )
      hookSteps.set(def, step)
    }
    return rt.engine.context(step, { type: 'stream', index: 0, streamName: def.name }, newTraceId(), subscription)
  }
}
