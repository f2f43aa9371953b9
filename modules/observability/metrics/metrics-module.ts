import type { Server } from 'bun'
import pkg from '../../../package.json' with { type: 'json' }
import { MotiaError } from '../../../runtime/errors'
import type { MotiaModule, RuntimeServices } from '../../../runtime/module'
import { type ConsoleAccess, isLoopbackHost, refuse } from '../../console/auth'
import { consoleEnabled } from '../../console/console-module'
import type { QueueModuleApi } from '../../queue/queue-module'
import { engineSink, registerMeterProvider, releaseMeterFallback } from './otel-meter'
import { metricsEndpointOf, OtlpMetricsExporter } from './otlp-metrics'
import { processMetrics } from './process-metrics'
import { OPENMETRICS_TYPE, PROMETHEUS_TYPE, renderPrometheus, wantsOpenMetrics } from './prometheus-text'
import type { MetricRegistry } from './registry'
import { RuntimeMetrics } from './runtime-metrics'

export const METRICS_KEY = 'metrics'
/** The scrape handler, when the console serves it on its port (`shared.get`). */
export const METRICS_ROUTE_KEY = 'metrics.route'

/** What tests, the console and other modules get from `shared.get('metrics')`. */
export interface MetricsApi {
  readonly registry: MetricRegistry
  readonly runtime: RuntimeMetrics
  /** The Prometheus text (OpenMetrics with exemplars when `openMetrics`). */
  scrape(openMetrics?: boolean): Promise<string>
  /** Where the endpoint listens (its own server), when it does. */
  readonly url?: string
}

export interface MetricsModuleOptions {
  /** false: no sockets (in-process tests); the scrape is still at `shared.get('metrics')`. */
  listen?: boolean
}

/**
 * Runtime and user metrics in one registry that lives as long as the runtime (a `motia dev`
 * reload keeps every count), exposed in Prometheus text at `observability.metrics.path`: on the
 * console's server when the console runs and no port of its own is set, else on its own server
 * (`observability.metrics.port`, default the console's port). Like the console it is closed
 * beyond loopback without a token.
 */
export function metricsModule(options: MetricsModuleOptions = {}): MotiaModule {
  // Before any step file loads: a meter a file gets at its top level from @opentelemetry/api
  // is bound to the provider registered then (the API has no proxy for meters).
  registerMeterProvider(engineSink())
  let rt: RuntimeServices
  let runtime: RuntimeMetrics | undefined
  let server: Server<unknown> | undefined
  let otlp: OtlpMetricsExporter | undefined
  let access: ConsoleAccess
  const stops: (() => void)[] = []

  const resource = () => ({
    'service.name': rt.config.observability.otlp?.serviceName ?? 'motia',
    'service.instance.id': rt.config.instanceId,
    'service.version': pkg.version,
  })

  const scrape = async (openMetrics = false) =>
    renderPrometheus(await runtime!.registry.collect(), resource(), openMetrics)

  /** The endpoint's answer (access already checked). */
  const answer = async (request: Request): Promise<Response> => {
    const om = wantsOpenMetrics(request.headers.get('accept'))
    return new Response(await scrape(om), { headers: { 'content-type': om ? OPENMETRICS_TYPE : PROMETHEUS_TYPE } })
  }

  const guarded = (request: Request) => refuse(access, request, new URL(request.url)) ?? answer(request)

  /** Queue depths and pool figures are read at each scrape (the store is asked, not the hot path). */
  const watchQueue = (m: RuntimeMetrics) => {
    const depth = m.registry.gauge('motia.queue.depth', {
      unit: '{message}',
      description: 'Messages waiting (ready or delayed), by topic and subscription.',
    })
    const inFlight = m.registry.gauge('motia.queue.in_flight', {
      unit: '{message}',
      description: 'Messages being handled.',
    })
    const dead = m.registry.gauge('motia.queue.dead_letters', {
      unit: '{message}',
      description: 'Messages in dead letters.',
    })
    const oldest = m.registry.gauge('motia.queue.oldest.age', {
      unit: 's',
      description: 'Age of the oldest message waiting for a handler (0: none waits), by subscription (sqlite queue).',
    })
    const busy = m.registry.gauge('motia.workers.busy', {
      unit: '{job}',
      description: 'Jobs running in the step worker threads (pool=workers) and Python processes (pool=python).',
    })
    const restarts = m.registry.gauge('motia.workers.restarts', {
      unit: '{restart}',
      description: 'Workers or Python processes replaced (timeout, crash), by pool.',
    })
    stops.push(
      m.registry.onCollect(async () => {
        const queue = rt.shared.get('queue') as QueueModuleApi | undefined
        if (!queue) return
        busy.with({ pool: 'workers' }).set(queue.pool.inFlight)
        restarts.with({ pool: 'workers' }).set(queue.pool.restarts)
        const python = rt.shared.get('queue.pool.python') as { inFlight: number; restarts: number } | undefined
        if (python) {
          busy.with({ pool: 'python' }).set(python.inFlight)
          restarts.with({ pool: 'python' }).set(python.restarts)
        }
        const stats = await queue.adapter.stats().catch(() => [])
        for (const s of stats) {
          const labels = { 'motia.topic': s.topic, 'motia.subscription': s.subscription }
          // null: a figure this backend cannot know (docs/queue.md, Inspection); never a false 0.
          depth.with(labels).set(s.ready + (s.delayed ?? 0))
          if (s.inFlight !== null) inFlight.with(labels).set(s.inFlight)
          dead.with(labels).set(s.dead)
          if (s.oldestReadyAgeMs !== undefined) oldest.with(labels).set(s.oldestReadyAgeMs / 1000)
        }
      }),
    )
  }

  return {
    name: 'metrics',
    dependsOn: ['storage'],
    setup(services) {
      rt = services
      const cfg = rt.config.observability.metrics
      if (!cfg.enabled) return
      // The registry outlives reloads: it belongs to the runtime, set once.
      runtime = rt.engine.metrics ?? new RuntimeMetrics()
      rt.engine.metrics = runtime
      stops.push(processMetrics(runtime.registry))
      // metrics.getMeter(...) on the engine thread records here; workers post their batches here.
      registerMeterProvider(engineSink(), runtime.registry)
      const registry = runtime.registry
      stops.push(() => releaseMeterFallback(registry))
      watchQueue(runtime)
      const api: MetricsApi = {
        registry: runtime.registry,
        runtime,
        scrape,
        get url() {
          return server?.url.href
        },
      }
      rt.shared.set(METRICS_KEY, api)
      if (options.listen === false) return
      const served = ownServer(rt)
      // On the console's server the console's own start-up check applies (and names console.*).
      access = served.own
        ? metricsAccess(served.host, served.token)
        : { loopback: isLoopbackHost(served.host), ...(served.token ? { token: served.token } : {}) }
      if (!served.own) rt.shared.set(METRICS_ROUTE_KEY, { path: cfg.path, handle: guarded })
    },
    start() {
      if (!runtime) return
      const o = rt.config.observability.otlp
      if (o?.metrics) {
        otlp = new OtlpMetricsExporter(runtime.registry, {
          endpoint: o.metricsEndpoint ?? metricsEndpointOf(o.endpoint),
          headers: o.headers,
          resource: resource(),
          scopeVersion: pkg.version,
          intervalMs: o.metricsInterval,
          log: rt.log,
        })
        otlp.start()
      }
      if (options.listen === false) return
      const served = ownServer(rt)
      if (!served.own) return
      const path = rt.config.observability.metrics.path
      server = Bun.serve({
        port: served.port,
        hostname: served.host,
        development: false,
        routes: { [path]: guarded },
        fetch: () => Response.json({ error: 'not found', code: 'E_ROUTE_NOT_FOUND' }, { status: 404 }),
      } as Parameters<typeof Bun.serve>[0]) as Server<unknown>
      rt.shared.set('metrics.url', new URL(path, server.url).href)
      rt.log.info(`Metrics on ${new URL(path, server.url).href}`)
      if (served.defaulted)
        rt.log.info(
          `Metrics stay on 127.0.0.1: console.host (${served.defaulted}) is beyond loopback and no token is set ` +
            '(set observability.metrics.host and observability.metrics.token to serve them there)',
        )
    },
    async stop() {
      // The final figures go out before the collect hooks (queue depths) are removed.
      await otlp?.stop()
      otlp = undefined
      for (const s of stops.splice(0)) s()
      await server?.stop(true)
      server = undefined
      if (rt?.engine.metrics === runtime) rt.engine.metrics = undefined
      rt?.shared.delete(METRICS_KEY)
      rt?.shared.delete(METRICS_ROUTE_KEY)
    },
  }
}

/**
 * Where the endpoint is served: the console's server, or its own (a port set, or no console).
 * Its own server takes the console's host only where the console's rule allows it (loopback, or
 * a token): a `console.host` opened for a console that is not even running (`motia start`) must
 * not stop start-up through a default, so the endpoint then stays on 127.0.0.1 (`defaulted`).
 * An `observability.metrics.host` set beyond loopback without a token is still refused.
 */
function ownServer(rt: RuntimeServices): {
  own: boolean
  port: number
  host: string
  token?: string
  defaulted?: string
} {
  const m = rt.config.observability.metrics
  const c = rt.config.console
  const token = m.token ?? c.token
  const own = m.port !== undefined || !consoleEnabled(rt)
  let host = m.host ?? c.host
  let defaulted: string | undefined
  if (own && m.host === undefined && !token && !isLoopbackHost(host)) {
    defaulted = host
    host = '127.0.0.1'
  }
  return { own, port: m.port ?? c.port, host, ...(token ? { token } : {}), ...(defaulted ? { defaulted } : {}) }
}

/** As the console's rule (modules/console/auth.ts): beyond loopback only with a token. */
function metricsAccess(host: string, token: string | undefined): ConsoleAccess {
  const loopback = isLoopbackHost(host)
  if (!loopback && !token) {
    throw new MotiaError(
      'E_CONFIG_INVALID',
      `config.yaml: observability.metrics is served on "${host}", which is reachable beyond this machine: set ` +
        'observability.metrics.token (or console.token), or bind it to 127.0.0.1 (observability.metrics.host)',
    )
  }
  return token ? { loopback, token } : { loopback }
}
