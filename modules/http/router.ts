import type { Server } from 'bun'
import { Elysia } from 'elysia'
import type { HttpTriggerDef, StepDefinition } from '../../runtime/step'
import type { ProjectCheck } from '../../runtime/step-loader'
import { newTraceId, parseTraceparent } from '../../runtime/trace-id'
import type { ExecutionParent } from '../../runtime/tracing'
import type { HttpMethod } from '../../sdk/types'
import type { Cors } from './cors'
import { type EmitAccess, emitRoute } from './emit-route'
import { errorResponse } from './respond'
import type { RequestScope, RouteEnv } from './route-env'
import { renameParams, routerPath } from './route-params'
import { stepRoute } from './step-route'
import { HTTP_METHODS, routeKey } from './trigger-kind'

export interface RouterEnv extends Omit<RouteEnv, 'scopeOf' | 'load'> {
  cors: Cors
  /** `POST /emit`: undefined when off (emit-route.ts). */
  emit?: EmitAccess
}

export type FetchHandler = (request: Request) => Promise<Response> | Response
type NativeHandler = (
  request: Request & { params?: Record<string, string> },
  server: Server<any>,
) => Promise<Response> | Response

export interface Router {
  /** Elysia: every route, plus /emit, preflight and JSON 404s. `runtime.request()` uses it. */
  fetch: FetchHandler
  /**
   * The step routes as Bun.serve native `routes` (path → method → handler). Bun matches them in
   * native code and falls through to `fetch` for anything else; measured on the hello route
   * this avoids most of the per-request cost of going through Elysia's handler.
   */
  routes: Record<string, Record<string, NativeHandler>>
}

const TRACE_ID = /^[A-Za-z0-9_-]{8,64}$/

/**
 * Builds the Elysia app serving every HTTP trigger of the project, plus `POST /emit`,
 * CORS preflight and JSON 404s. Rebuilt whole on reload: routes are few. The native routes are
 * built at once; the Elysia app on its first request (it serves what they do not: 404s,
 * preflights, `runtime.request()`), so neither start-up nor a dev reload waits for it.
 */
export function buildRouter(steps: readonly StepDefinition[], env: RouterEnv): Router {
  const traceHeader = env.config.traceHeader.toLowerCase()

  const fixedCors = env.cors.fixedHeaders()
  const scopeOf = (request: Request): RequestScope => {
    const headers = request.headers
    const given = headers.get(traceHeader)
    let traceId: string
    let parentSpanId: string | undefined
    let parent: ExecutionParent = 'root'
    if (given && TRACE_ID.test(given)) traceId = given
    else {
      // A caller that traces (W3C Trace Context): this request's span becomes its child, and
      // its sampled flag holds for this request's trace (observability.sampling.parentBased).
      const caller = parseTraceparent(headers.get('traceparent'))
      if (caller) {
        traceId = caller.traceId
        parentSpanId = caller.spanId
        parent = caller.sampled ? 'sampled' : 'not-sampled'
      } else {
        traceId = newTraceId()
        parent = 'fresh'
      }
    }
    // A fresh object per request: responses add their content type to it in place.
    let base: Record<string, string>
    // Browsers send Origin on every cross-origin request; without it CORS headers do nothing.
    if (fixedCors) {
      base = headers.has('origin')
        ? { 'access-control-allow-origin': fixedCors, [traceHeader]: traceId }
        : { [traceHeader]: traceId }
    } else {
      const cors = env.cors.headersFor(request)
      base = cors ? { ...cors, [traceHeader]: traceId } : { [traceHeader]: traceId }
    }
    // `span` is in the literal: set later (tracing on), it would otherwise grow every request's object.
    return parentSpanId
      ? { traceId, base, parent, parentSpanId, span: undefined }
      : { traceId, base, parent, span: undefined }
  }

  const routeEnv: RouteEnv = { ...env, scopeOf, load: { inFlight: 0 } }
  const declared = new Set<string>()
  const routes: Router['routes'] = {}
  const served: [HttpTriggerDef, ReturnType<typeof stepRoute>][] = []
  for (const step of steps) {
    for (const def of step.triggers) {
      if (def.type !== 'http') continue
      declared.add(routeKey(def.method, def.path))
      const route = stepRoute(step, def as HttpTriggerDef, routeEnv)
      served.push([def as HttpTriggerDef, route])
      routes[def.path] ??= {}
      routes[def.path]![def.method] = nativeHandler(def as HttpTriggerDef, route)
    }
  }

  const emitServed = env.emit !== undefined && !declared.has(routeKey('POST', '/emit'))
  const emit =
    env.emit && emitServed
      ? emitRoute(env, env.emit, (request) => {
          // No other site may call /emit: no CORS headers on its answers.
          const scope = scopeOf(request)
          scope.base = { [traceHeader]: scope.traceId }
          return scope
        })
      : undefined
  if (emit) {
    // Natively too, where the client's address is known (http.pendingBodiesPerClient).
    routes['/emit'] ??= {}
    routes['/emit'].POST = emit
  }
  // Requests no route matched share one `http.route=""` series per method, whatever their path.
  const unmatched = new Map(HTTP_METHODS.map((m) => [m as string, env.engine.metrics?.unmatched(m)]))

  const preflight = (c: { request: Request }) =>
    // No other site may call /emit: its preflight gets no CORS headers, so the browser stops there.
    emitServed && pathOf(c.request.url) === '/emit'
      ? new Response(null, { status: 204, headers: { [traceHeader]: scopeOf(c.request).traceId } })
      : env.cors.preflight(c.request, scopeOf(c.request).base)
  const onError = (c: { code: unknown; request: Request; error: unknown }) => {
    const scope = scopeOf(c.request)
    if (c.code === 'NOT_FOUND') {
      unmatched.get(c.request.method)?.done(404, performance.now())
      return errorResponse(
        404,
        {
          error: `No route for ${c.request.method} ${pathOf(c.request.url)}`,
          code: 'E_ROUTE_NOT_FOUND',
          traceId: scope.traceId,
        },
        scope.base,
      )
    }
    env.log.error('request failed outside any handler', { error: c.error, traceId: scope.traceId })
    return errorResponse(
      500,
      { error: 'Internal server error', code: 'E_HANDLER_FAILED', traceId: scope.traceId },
      scope.base,
    )
  }
  let app: any
  const elysia = () => {
    if (app) return app
    app = new Elysia()
    for (const [def, route] of served) addElysiaRoute(app, def, route)
    if (emit) app.post('/emit', (c: { request: Request }) => emit(c.request), { parse: 'none' })
    app.options('/*', preflight)
    app.onError(onError)
    app.compile?.()
    return app
  }
  const fetch = (request: Request) =>
    SERVED_METHODS.has(request.method) ? elysia().fetch(request) : notImplemented(request, scopeOf(request))
  return { fetch, routes }
}

/**
 * One step route on Elysia, under positional parameter names (route-params.ts) so that routes
 * naming a parameter differently at one place can live together; the handler gets its own names.
 * Bun's native routes (the fast path) take the step's own path as is: they accept such pairs.
 */
export function addElysiaRoute(
  app: { route(method: string, path: string, handler: (c: any) => unknown, hook: { parse: 'none' }): unknown },
  def: Pick<HttpTriggerDef, 'method' | 'path'>,
  serve: (request: Request, params: Record<string, string>) => Response | Promise<Response>,
): void {
  const { path, names } = routerPath(def.path)
  const rename = renameParams(names)
  app.route(
    def.method,
    path,
    (c: { request: Request; params?: Record<string, string> }) => serve(c.request, rename(c.params)),
    {
      parse: 'none',
    },
  )
}

/**
 * A step route as Bun calls it. Only a body's reader needs the server (the client's address),
 * and only a path with `:name` segments or a `*` has `request.params` to read: a static GET
 * skips both (Bun's `params` getter is a native call per request).
 */
function nativeHandler(def: HttpTriggerDef, route: ReturnType<typeof stepRoute>): NativeHandler {
  const bodyless = def.method === 'GET' || def.method === 'HEAD'
  if (def.path.includes(':') || def.path.includes('*'))
    return bodyless
      ? (request) => route(request, request.params ?? {})
      : (request, server) => route(request, request.params ?? {}, server)
  return bodyless ? (request) => route(request, {}) : (request, server) => route(request, {}, server)
}

const SERVED_METHODS: ReadonlySet<string> = new Set<HttpMethod>(HTTP_METHODS)

/**
 * Methods Bun parses but no step can declare (CONNECT, TRACE, PROPFIND, ...): 501. CONNECT's
 * target is `host:port`, not a path, and made Elysia's error handler throw (a plain-text 500).
 * Lower-case and unknown methods never get here: Bun closes the connection without running any
 * JS (oven-sh/bun#6556), which docs/http.md states.
 */
function notImplemented(request: Request, scope: RequestScope): Response {
  const r = errorResponse(
    501,
    {
      error: `Method ${request.method} is not implemented (methods: ${HTTP_METHODS.join(', ')})`,
      code: 'E_METHOD_NOT_IMPLEMENTED',
      traceId: scope.traceId,
    },
    scope.base,
  )
  // A CONNECT client may go on sending its tunnel's bytes: they are not requests.
  r.headers.set('connection', 'close')
  return r
}

/** The path of a request URL; an authority-form target (`CONNECT host:443`) is returned as is. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return url
  }
}

/**
 * Two HTTP triggers on one method + path: the later file is rejected, naming the first. A file
 * repeating both the name and the route of an earlier step is a copy of it (ai-health-fitness has
 * one): Motia 0.x loaded both and the first answered (Express: first route wins), so the copy is
 * left out with a warning rather than failing `start`.
 */
export const duplicateRoutes: ProjectCheck = (steps) => {
  const seen = new Map<string, StepDefinition>()
  const out: ReturnType<ProjectCheck> = []
  for (const step of steps) {
    for (const def of step.triggers) {
      if (def.type !== 'http') continue
      const key = routeKey(def.method, def.path)
      const first = seen.get(key)
      if (first && first !== step && declaredName(first) === declaredName(step)) {
        out.push({
          step,
          warning: `${step.relFile}: repeats step "${declaredName(step)}" of ${first.relFile} with the same route ${def.method} ${def.path}; not loaded: ${first.relFile} serves the route, as under Motia 0.x (the first file's route answered)`,
        })
        break
      }
      if (first && first !== step) {
        out.push({
          step,
          problem: {
            file: step.relFile,
            field: def.index === 0 && step.generation === 'legacy' ? 'path' : `triggers[${def.index}].path`,
            message: `route ${def.method} ${def.path} is already served by step "${first.name}" (${first.relFile})`,
            code: 'E_ROUTE_DUPLICATE',
          },
        })
      } else seen.set(key, step)
    }
  }
  return out
}

/** The name a step's config gives (a later file with the same name is told apart, step-loader.ts). */
function declaredName(step: StepDefinition): string | undefined {
  return typeof step.config.name === 'string' ? step.config.name.trim() : undefined
}
