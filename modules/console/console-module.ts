import type { Server, ServerWebSocket } from 'bun'
import { buildInfo } from '../../runtime/build-info'
import { MotiaError } from '../../runtime/errors'
import type { MotiaModule, RuntimeServices } from '../../runtime/module'
import type { MetricsApi } from '../observability/metrics/metrics-module'
import type { QueueModuleApi } from '../queue/queue-module'
import type { StateModuleApi } from '../state/state-module'
import type { StreamsModuleApi } from '../streams/streams-module'
import { errorJson } from './api/respond'
import { apiRoutes } from './api/routes'
import { type ConsoleAccess, consoleAccess, refuse } from './auth'
import { frameGuard, guardRoutes, type RouteHandler } from './frame-guard'
import { frame, LiveFeed } from './live-feed'
import { LiveMetrics, METRICS_TOPIC } from './live-metrics'
import { LogBuffer } from './log-buffer'
import { MetricsHistory, MINUTE_MS } from './metrics-history'
import { normalizeSpan, type ObservabilityApi } from './traces'
import page from './ui/index.html'
import { UiAssets } from './ui-assets'

const TOPIC = 'live'
/** How often queue depths (and metrics, for a page showing them) are sampled while a console is open. */
const QUEUE_TICK_MS = 1000
const UI_MISSING =
  '<!doctype html><title>motia console</title><p>The console UI is not part of this executable. ' +
  'Its JSON API is served under <code>/api</code> (see docs/console.md).</p>'

export interface ConsoleModuleOptions {
  /** false: no console at all (in-process tests that open no sockets). */
  listen?: boolean
}

/** On by default in `dev`; `start` (and tests) only with `console.enabled: true`. */
export function consoleEnabled(rt: Pick<RuntimeServices, 'mode' | 'config'>): boolean {
  return rt.config.console.enabled ?? rt.mode === 'dev'
}

/**
 * The web console: its own Bun.serve on `console.port` serving the UI (bundled from ui/ by
 * Bun's HTML imports, embedded in the binary), the JSON API and one live WebSocket.
 */
export function consoleModule(options: ConsoleModuleOptions = {}): MotiaModule {
  let rt: RuntimeServices
  let enabled = false
  let access: ConsoleAccess
  let server: Server<unknown> | undefined
  let ui: UiAssets | undefined
  let tick: ReturnType<typeof setInterval> | undefined
  let lastStats = ''
  let history: MetricsHistory | undefined
  let minuteTick: ReturnType<typeof setInterval> | undefined
  const logs = new LogBuffer(2000)
  const cleanups: (() => void)[] = []
  const live = new LiveFeed(
    (f) => server?.publish(TOPIC, f),
    () => (server?.subscriberCount(TOPIC) ?? 0) > 0,
  )

  const liveMetrics = new LiveMetrics(
    () => history,
    () => (rt.shared.get('metrics') as MetricsApi | undefined)?.registry,
    (f) => server?.publish(METRICS_TOPIC, f),
    () => server?.subscriberCount(METRICS_TOPIC) ?? 0,
  )

  /** Sends the queues' stats when they changed; whether they did. */
  const sampleQueues = async (): Promise<boolean> => {
    const queue = rt.shared.get('queue') as QueueModuleApi | undefined
    if (!queue || !live.active) return false
    const stats = await queue.adapter.stats()
    const text = JSON.stringify(stats)
    if (text === lastStats) return false
    lastStats = text
    live.push({ type: 'queues', stats })
    return true
  }

  const listenToModules = () => {
    const state = rt.shared.get('state') as StateModuleApi | undefined
    if (state) {
      cleanups.push(
        state.onChange((c) => {
          if (!live.active) return
          live.push({
            type: 'state',
            groupId: c.group_id,
            key: c.item_id,
            event:
              c.event_type === 'state:deleted' ? 'deleted' : c.event_type === 'state:created' ? 'created' : 'updated',
            value: c.new_value,
            step: c.origin.step,
            traceId: c.origin.traceId,
          })
        }),
      )
    }
    const streams = rt.shared.get('streams') as StreamsModuleApi | undefined
    if (streams) {
      cleanups.push(
        streams.onChange((c) => {
          if (!live.active) return
          live.push({
            type: 'stream',
            streamName: c.streamName,
            groupId: c.groupId,
            ...(c.id !== undefined ? { id: c.id } : {}),
            event: c.event,
          })
        }),
      )
    }
    const obs = rt.shared.get('observability') as ObservabilityApi | undefined
    if (obs) cleanups.push(obs.onSpan((s) => live.active && live.push({ type: 'span', span: normalizeSpan(s) })))
  }

  const liveRoute = (request: Request, srv: Server<unknown>) => {
    const refusal = refuse(access, request, new URL(request.url))
    if (refusal) return refusal
    if (srv.upgrade(request, { data: undefined })) return undefined
    return errorJson(426, 'E_CONSOLE_BAD_REQUEST', '/api/live is a WebSocket')
  }

  const serve = (assets: UiAssets) => {
    const cfg = rt.config.console
    const ctx = { rt, logs, version: buildInfo().version, metrics: () => history }
    const notFound = () => errorJson(404, 'E_CONSOLE_NOT_FOUND', 'not found')
    const routes: Record<string, RouteHandler | Partial<Record<string, RouteHandler>>> = {
      '/api/live': liveRoute,
      ...apiRoutes(ctx, access),
    }
    // The Prometheus endpoint rides on the console's port unless it has its own (metrics-module.ts).
    const metrics = rt.shared.get('metrics.route') as { path: string; handle: RouteHandler } | undefined
    if (metrics && !(metrics.path in routes)) routes[metrics.path] = metrics.handle
    return Bun.serve({
      port: cfg.port,
      hostname: cfg.host,
      development: false,
      // Every answer carries the frame guard; the page and its chunks come from the bundle.
      routes: guardRoutes(routes),
      fetch: async (request: Request) => {
        const path = new URL(request.url).pathname
        const res = await assets.answer(request, path).then(
          (r) => r ?? notFound(),
          (err: unknown) => {
            rt.log.error('console: the page could not be read from its bundle', { error: err, path })
            return errorJson(500, 'E_CONSOLE_INTERNAL', 'the console page could not be read (see the server log)')
          },
        )
        return frameGuard(res)
      },
      websocket: {
        open(ws: ServerWebSocket<unknown>) {
          ws.subscribe(TOPIC)
          ws.send(frame([{ type: 'hello', tracing: rt.shared.has('observability'), mode: rt.mode }]))
          lastStats = ''
          sampleQueues().catch((err) => rt.log.debug('console: queue stats failed', { error: err }))
        },
        message(ws: ServerWebSocket<unknown>, data: string | Buffer) {
          liveMetrics
            .message(ws, data)
            .catch((err) => rt.log.debug('console: metrics for the live socket failed', { error: err }))
        },
      },
    } as Parameters<typeof Bun.serve>[0]) as Server<unknown>
  }

  /** The UI when this build carries it, else a page saying it is missing. */
  const openUi = (): UiAssets => {
    try {
      return new UiAssets(page)
    } catch (err) {
      if (!/Bundled file .* not found/.test(String((err as Error)?.message))) throw err
      // An executable whose bundle lost the page's files must still run: API only, said loudly.
      rt.log.warn('console: the web UI is not embedded in this executable; its JSON API is served (docs/console.md)')
      return new UiAssets(() => new Response(UI_MISSING, { headers: { 'content-type': 'text/html;charset=utf-8' } }))
    }
  }

  /** Bun.serve, with the UI when this build carries it; undefined when the port is taken in dev. */
  const open = (): Server<unknown> | undefined => {
    const cfg = rt.config.console
    ui = openUi()
    try {
      return serve(ui)
    } catch (err) {
      ui.stop()
      ui = undefined
      if ((err as { code?: string }).code !== 'EADDRINUSE') throw err
      const message = `console.port ${cfg.port} on ${cfg.host} is in use: set console.port (0 picks a free port)`
      // In dev the console is a convenience: the app still runs. Asked for in start, it is an error.
      if (rt.mode === 'dev' && rt.config.console.enabled === undefined) {
        rt.log.warn(`${message}; running without the console`)
        return undefined
      }
      throw new MotiaError('E_CONFIG_INVALID', message, { cause: err })
    }
  }

  /** The hour of metrics: a snapshot now and every minute, while the console runs. */
  const keepHistory = () => {
    const metrics = rt.shared.get('metrics') as MetricsApi | undefined
    if (!metrics) return
    const queueStats = async () => (rt.shared.get('queue') as QueueModuleApi | undefined)?.adapter.stats() ?? []
    const obs = rt.shared.get('observability') as ObservabilityApi | undefined
    // Without a trace store (tracing off) there is no trace to open: no exemplars.
    const h = new MetricsHistory(metrics.registry, queueStats, (time) => obs?.traceGone?.(time) ?? true)
    history = h
    rt.shared.set('console.metrics', h)
    const take = () =>
      void h.snapshot().catch((err) => rt.log.debug('console: metrics snapshot failed', { error: err }))
    take()
    minuteTick = setInterval(take, MINUTE_MS)
    minuteTick.unref?.()
  }

  const listen = () => {
    server = open()
    if (!server) return
    const url = server.url.href
    rt.shared.set('console.url', url)
    rt.log.info(`Console on ${url}${access.token ? ' (open it with ?token=<console.token>)' : ''}`)
    tick = setInterval(() => {
      sampleQueues()
        .then((moved) => liveMetrics.tick(moved))
        .catch((err) => rt.log.debug('console: queue stats or metrics failed', { error: err }))
    }, QUEUE_TICK_MS)
    tick.unref?.()
  }

  return {
    name: 'console',
    dependsOn: ['http', 'state', 'queue', 'streams', 'observability'],
    setup(services) {
      rt = services
      enabled = options.listen !== false && consoleEnabled(rt)
      if (!enabled) return
      access = consoleAccess(rt.config.console)
      cleanups.push(rt.logs.addSink((r) => live.push({ type: 'log', record: logs.push(r) })))
    },
    start() {
      if (!enabled) return
      listenToModules()
      listen()
      if (server) keepHistory()
    },
    projectChanged() {
      live.push({ type: 'project' })
    },
    async stop() {
      if (tick) clearInterval(tick)
      if (minuteTick) clearInterval(minuteTick)
      history = undefined
      rt?.shared.delete('console.metrics')
      for (const c of cleanups.splice(0)) c()
      live.close()
      await server?.stop(true)
      server = undefined
      ui?.stop()
      ui = undefined
    },
  }
}
