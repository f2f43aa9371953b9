import type { Server } from 'bun'
import type { HealthConfig } from '../../runtime/config/schema'
import type { MotiaModule, RuntimeServices } from '../../runtime/module'
import { BodyReads } from './body-reads'
import { Cors } from './cors'
import { Deadlines } from './deadlines'
import { emitAccess } from './emit-route'
import { HealthEndpoints, requestsDone, reservedHealthRoutes, shuttingDown } from './health'
import { closeIfDraining, closeListenerAfterGrace, closeWhenDraining } from './keep-alive-drain'
import { routeConflicts } from './route-conflicts'
import { buildRouter, duplicateRoutes, type Router, type RouterEnv } from './router'
import { httpTriggerKind } from './trigger-kind'

/** What the streams module hands over to accept WebSocket upgrades on the API port. */
export interface UpgradeHook {
  upgrade(request: Request, server: Server<any>): boolean | Promise<boolean>
  websocket: import('bun').WebSocketHandler<any>
}

/** Upgrades a request; undefined when upgraded, else the refusal (e.g. 401) to send. */
type UpgradeFetch = (request: Request, server: Server<any>) => Promise<Response | undefined> | Response | undefined

/**
 * HTTP triggers on Elysia, behind a Bun.serve the module owns: owning the server lets the
 * streams module accept WebSockets on the API port and lets reload swap routes in place.
 */
export function httpModule(options: { listen?: boolean; health?: HealthConfig } = {}): MotiaModule {
  let rt: RuntimeServices
  let health: HealthEndpoints
  let env: RouterEnv
  let router: Router
  let server: Server<any> | undefined
  const deadlines = new Deadlines()

  /** Requests no native route takes: WebSocket upgrades (streams on the API port), then Elysia. */
  const fallback =
    (hook: UpgradeHook | undefined) =>
    async (request: Request, srv: Server<any>): Promise<Response | undefined> => {
      if (hook && request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
        // The streams module answers refusals itself (401 from stream auth), not the router's 404.
        const upgrade = rt.shared.get('streams.fetch') as UpgradeFetch | undefined
        if (upgrade) return upgrade(request, srv)
        if (await hook.upgrade(request, srv)) return undefined
      }
      // Routes registered at run time (iii workers' http triggers, modules/iii) before the 404.
      const dynamic = (rt.shared.get('http.dynamic') as ((r: Request) => Promise<Response> | undefined) | undefined)?.(
        request,
      )
      return closeIfDraining(await (dynamic ?? router.fetch(request)), rt.lifecycle.draining)
    }

  /** The step routes for Bun.serve; an answer completed while draining says Connection: close. */
  const nativeRoutes = (r: Router, hook: UpgradeHook | undefined) =>
    closeWhenDraining(upgradeRoutes(r, hook), () => rt.lifecycle.draining)
  /** With streams on the API port, an upgrade on a step's path must still reach the WebSocket server. */
  const upgradeRoutes = (r: Router, hook: UpgradeHook | undefined) => {
    if (!hook) return r.routes
    const out: Router['routes'] = {}
    for (const [path, methods] of Object.entries(r.routes)) {
      out[path] = {}
      for (const [method, handler] of Object.entries(methods)) {
        // A WebSocket handshake is always a GET (RFC 6455): other methods need no check.
        out[path]![method] =
          method !== 'GET'
            ? handler
            : (request, srv) =>
                request.headers.get('upgrade')
                  ? (fallback(hook)(request, srv) as Promise<Response>)
                  : handler(request, srv)
      }
    }
    return out
  }

  /**
   * Applies the routes to Bun.serve / reload. Should Bun's native router refuse a path the
   * load checks let through, the server still runs: Elysia (the fallback) serves every route.
   */
  const withRoutes = <T>(r: Router, apply: (routes: Router['routes']) => T): T => {
    const hook = rt.shared.get('streams.upgrade') as UpgradeHook | undefined
    try {
      return apply({ ...health.routes(), ...nativeRoutes(r, hook) })
    } catch (err) {
      const applied = apply(health.routes())
      rt.log.error("Bun's router refused the step routes; they are served by the fallback router", { error: err })
      return applied
    }
  }

  return {
    name: 'http',
    dependsOn: ['state', 'queue', 'streams', 'observability', 'metrics'],
    triggerKinds: [httpTriggerKind],
    // The probes' paths come from config.yaml, known when the composition root builds the module.
    checks: [duplicateRoutes, routeConflicts, ...(options.health ? [reservedHealthRoutes(options.health)] : [])],
    setup(services) {
      rt = services
      const http = services.config.http
      const dev = services.mode !== 'start'
      const emit = emitAccess(http.emit, dev)
      env = {
        engine: services.engine,
        config: http,
        dev,
        deadlines,
        log: services.log,
        cors: new Cors(http.cors),
        bodies: new BodyReads(http, deadlines),
        ...(emit ? { emit } : {}),
      }
      router = buildRouter(services.project().steps, env)
      health = new HealthEndpoints(services)
      services.shared.set(
        'http.fetch',
        (r: Request) =>
          health.answer(r) ??
          (services.lifecycle.draining
            ? shuttingDown()
            : ((services.shared.get('http.dynamic') as ((r: Request) => Promise<Response> | undefined) | undefined)?.(
                r,
              ) ?? router.fetch(r))),
      )
    },
    start() {
      if (options.listen === false) return
      const http = rt.config.http
      const hook = rt.shared.get('streams.upgrade') as UpgradeHook | undefined
      server = withRoutes(router, (routes) =>
        Bun.serve({
          port: http.port,
          hostname: http.host ?? rt.config.host,
          // Bun would answer bodies over its limit itself, bare (no JSON, code, trace id or CORS):
          // http.bodyLimit is enforced by the body reader instead (body.ts).
          maxRequestBodySize: Number.MAX_SAFE_INTEGER,
          development: false,
          routes,
          fetch: fallback(hook),
          ...(hook ? { websocket: hook.websocket } : {}),
        } as Parameters<typeof Bun.serve>[0]),
      )
      rt.shared.set('http.url', server.url.href)
      rt.shared.set('http.server', server)
      rt.log.info(`HTTP listening on ${server.url.href}`)
    },
    projectChanged(project) {
      router = buildRouter(project.steps, env)
      const hook = rt.shared.get('streams.upgrade') as UpgradeHook | undefined
      if (rt.lifecycle.draining) return
      const s = server
      if (s)
        withRoutes(router, (routes) =>
          s.reload({ routes, fetch: fallback(hook) } as Parameters<Server<any>['reload']>[0]),
        )
    },
    async drain(deadline) {
      const s = server
      if (!s) return
      // Requests get 503 with Connection: close from now on; the probes still answer (ready: 503).
      s.reload({ routes: health.routes(), fetch: () => shuttingDown() } as Parameters<Server<any>['reload']>[0])
      // Then no new connections: a proxy sends them to another instance. In-flight requests go
      // on. Not at once: kept-alive clients first learn to close their sockets (keep-alive-drain.ts).
      await closeListenerAfterGrace(s, deadline)
      const left = await requestsDone(s, deadline)
      if (left > 0) rt.log.warn(`${left} HTTP request(s) still running at the shutdown deadline are cut off`)
    },
    async stop() {
      deadlines.stop()
      await server?.stop(true)
      server = undefined
    },
  }
}
