import { Elysia } from 'elysia'
import type { CallOrigin } from '../../runtime/engine-client'
import type { LoadProblem } from '../../runtime/errors'
import { MotiaError } from '../../runtime/errors'
import type { HttpTriggerDef, StepDefinition } from '../../runtime/step'
import type { ProjectCheck } from '../../runtime/step-loader'
import { newTraceId, parseTraceparent } from '../../runtime/trace-id'
import { readBody } from './body'
import type { Cors } from './cors'
import { errorResponse } from './respond'
import { endServerSpan, type RequestScope, type RouteEnv, stepRoute } from './step-route'
import { routeKey } from './trigger-kind'

export interface RouterEnv extends Omit<RouteEnv, 'scopeOf' | 'load'> {
  cors: Cors
}

export type FetchHandler = (request: Request) => Promise<Response> | Response
type NativeHandler = (request: Request & { params?: Record<string, string> }) => Promise<Response> | Response

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
 * CORS preflight and JSON 404s. Rebuilt whole on reload: routes are few and building is cheap.
 */
export function buildRouter(steps: readonly StepDefinition[], env: RouterEnv): Router {
  const traceHeader = env.config.traceHeader.toLowerCase()

  const fixedCors = env.cors.fixedHeaders()
  const scopeOf = (request: Request): RequestScope => {
    const headers = request.headers
    const given = headers.get(traceHeader)
    let traceId: string
    let parentSpanId: string | undefined
    if (given && TRACE_ID.test(given)) traceId = given
    else {
      // A caller that traces (W3C Trace Context): this request's span becomes its child.
      const parent = parseTraceparent(headers.get('traceparent'))
      traceId = parent?.traceId ?? newTraceId()
      parentSpanId = parent?.spanId
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
    return parentSpanId ? { traceId, base, parentSpanId } : { traceId, base }
  }

  const routeEnv: RouteEnv = { ...env, scopeOf, load: { inFlight: 0 } }
  const app = new Elysia() as any
  const declared = new Set<string>()
  const routes: Router['routes'] = {}
  for (const step of steps) {
    for (const def of step.triggers) {
      if (def.type !== 'http') continue
      declared.add(routeKey(def.method, def.path))
      const route = stepRoute(step, def as HttpTriggerDef, routeEnv)
      app.route(
        def.method,
        def.path,
        (c: { request: Request; params?: Record<string, string> }) => route(c.request, c.params ?? {}),
        {
          parse: 'none',
        },
      )
      routes[def.path] ??= {}
      routes[def.path]![def.method] = (request) => route(request, request.params ?? {})
    }
  }

  if (!declared.has(routeKey('POST', '/emit'))) {
    app.post(
      '/emit',
      async (c: { request: Request }) => {
        const scope = scopeOf(c.request)
        const span = env.engine.tracer?.begin(scope.traceId, scope.parentSpanId, 'POST /emit', 'server', {
          'motia.step': '_system',
          'motia.trigger.type': 'http',
          'http.request.method': 'POST',
          'http.route': '/emit',
        })
        const origin = span
          ? { step: '_system', traceId: scope.traceId, spanId: span.spanId }
          : { step: '_system', traceId: scope.traceId }
        if (span) scope.span = span
        const response = await emitMessage(c.request, scope, origin, env)
        if (span) endServerSpan(span, response)
        return response
      },
      { parse: 'none' },
    )
  }

  app.options('/*', (c: { request: Request }) => env.cors.preflight(c.request, scopeOf(c.request).base))
  app.onError((c: { code: unknown; request: Request; error: unknown }) => {
    const scope = scopeOf(c.request)
    if (c.code === 'NOT_FOUND') {
      const url = new URL(c.request.url)
      return errorResponse(
        404,
        {
          error: `No route for ${c.request.method} ${url.pathname}`,
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
  })
  app.compile?.()
  return { fetch: (request: Request) => app.fetch(request), routes }
}

/** `POST /emit { topic, data }`: enqueues a message from outside any step (origin `_system`). */
async function emitMessage(
  request: Request,
  scope: RequestScope,
  origin: CallOrigin,
  env: RouterEnv,
): Promise<Response> {
  try {
    const { body } = await readBody(request, env.config.bodyLimit)
    const { topic, data, messageGroupId, idempotencyKey } = (body ?? {}) as Record<string, unknown>
    if (typeof topic !== 'string' || topic === '') {
      throw new MotiaError('E_BODY_INVALID', 'POST /emit expects { "topic": string, "data": any }')
    }
    await env.engine.enqueue(
      {
        topic,
        data,
        ...(typeof messageGroupId === 'string' ? { messageGroupId } : {}),
        ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}),
      },
      origin,
    )
    return new Response(JSON.stringify({ success: true, emitted: { topic, data } }), {
      headers: { ...scope.base, 'content-type': 'application/json' },
    })
  } catch (err) {
    const e = err instanceof MotiaError ? err : new MotiaError('E_HANDLER_FAILED', (err as Error).message)
    if (e.status >= 500) scope.span?.fail(e)
    return errorResponse(e.status, { error: e.message, code: e.code, traceId: scope.traceId }, scope.base)
  }
}

/** Two HTTP triggers on one method + path: the later file is rejected, naming the first. */
export const duplicateRoutes: ProjectCheck = (steps) => {
  const seen = new Map<string, StepDefinition>()
  const out: { step: StepDefinition; problem: LoadProblem }[] = []
  for (const step of steps) {
    for (const def of step.triggers) {
      if (def.type !== 'http') continue
      const key = routeKey(def.method, def.path)
      const first = seen.get(key)
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
