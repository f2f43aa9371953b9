import type { Server } from 'bun'
import type { MotiaConfig } from '../../runtime/config/schema'
import type { StepContext } from '../../runtime/context'
import { MotiaError } from '../../runtime/errors'
import { callHandler, conditionPasses, triggerInfo } from '../../runtime/invoke'
import { type HttpTriggerDef, remoteHttpOf, type StepDefinition } from '../../runtime/step'
import { epochMs, keptTraceOf, type SpanAttributes } from '../../runtime/tracing'
import type { ApiResponse } from '../../sdk/types'
import { NO_BODY, type ParsedBody } from './body'
import { HttpRequest, headersRecord, parseQuery } from './http-request'
import { errorResponse, jsonTextResponse, toResponse } from './respond'
import { StreamingResponseWriter } from './response-writer'
import { bodyRefused, conditionNotMet, failure, overloaded } from './route-answers'
import type { RequestScope, RouteEnv } from './route-env'
import { endServerSpan } from './server-span'

const BODYLESS = new Set(['GET', 'HEAD'])

/**
 * Serves one HTTP trigger of one step: body, validation, condition, middleware, handler,
 * timeout, response. Runs inline on the engine thread (the latency path), so it is written to
 * allocate little: one outer promise settles with the response, the handler's result, a
 * streamed response or the timeout, whichever comes first.
 */
export function stepRoute(step: StepDefinition, def: HttpTriggerDef, env: RouteEnv) {
  const info = triggerInfo(def)
  const timeoutMs = step.handlerTimeoutMs ?? env.config.timeout
  const bodyless = BODYLESS.has(def.method)
  const validate = def.bodySchema !== undefined && !bodyless && validatesBody(env.config.validateBody, step)
  const chain = def.middleware
  const limit = env.config.concurrency
  const load = env.load
  const spanName = `${def.method} ${def.path}`
  // A literal of one shape per request (the status code is set in place when the span ends).
  const stepName = step.name
  const { method, path } = def
  const spanAttributes = (): SpanAttributes => ({
    'motia.step': stepName,
    'motia.trigger.type': 'http',
    'http.request.method': method,
    'http.route': path,
    'http.response.status_code': 0,
  })

  /**
   * A handler's result → the Response: the streamed one when it started before the handler
   * returned (Motia 1.x's engine took whichever came first, the first chunk or the result),
   * else the result (as is, or built from `{ status, body }`). Undefined: the handler returned
   * nothing and the stream it set up has not started yet.
   */
  const respond = (
    result: unknown,
    scope: RequestScope,
    ctx: StepContext | undefined,
    writer?: StreamingResponseWriter,
  ): Response | undefined => {
    if (writer?.response) return writer.response
    if (result === undefined && writer) return undefined
    writer?.abandon()
    if (result instanceof Response) return result
    if (env.dev && def.responseSchema && ctx) checkResponse(def, result as ApiResponse, ctx)
    return toResponse(result as ApiResponse, scope.base)
  }

  const pipeline = async (
    request: Request,
    params: Record<string, string>,
    parsed: ParsedBody,
    scope: RequestScope,
    onStream: (r: Response) => void,
  ): Promise<Response> => {
    const { base, traceId, span } = scope
    let ctx: StepContext | undefined
    let writer: StreamingResponseWriter | undefined
    try {
      let input = parsed.body
      if (validate) {
        const r = def.bodySchema!.validate(input ?? {})
        if (!r.ok) {
          return errorResponse(
            400,
            { error: 'Invalid request body', code: 'E_BODY_INVALID', issues: r.issues, traceId },
            base,
          )
        }
        input = r.value
      }
      const req = new HttpRequest(
        request,
        params,
        input ?? {},
        parsed.rawBody,
        def.method,
        () => {
          writer = new StreamingResponseWriter(base)
          writer.started.then(onStream)
          return writer
        },
        parsed.bytes,
      )
      ctx = env.engine.context(step, info, traceId, req, span?.spanId)
      if (def.condition && !(await conditionPasses(def, ctx, req))) return conditionNotMet(base)
      const result = await (chain.length === 0 ? callHandler(step, ctx, req) : runChain(step, ctx, req))
      return respond(result, scope, ctx, writer) ?? (await writer!.started)
    } catch (err) {
      return failure(err, step, env, scope, ctx, writer)
    }
  }

  // Steps with no body to read, no validation, no middleware and no condition (the common GET)
  // skip the general pipeline's async frame.
  const simple = bodyless && !validate && chain.length === 0 && !def.condition

  /**
   * Waits for a response still being computed, failing it with 504 past the handler timeout.
   * `start` runs the work and hands each outcome (the response, or a stream that started) to
   * `settle`, which takes the first.
   */
  const awaitResponse = (
    scope: RequestScope,
    start: (settle: (r: Response | Promise<Response>) => void) => void,
  ): Promise<Response> =>
    new Promise<Response>((resolve) => {
      let done = false
      const settle = (r: Response | Promise<Response>) => {
        if (done) return
        done = true
        load.inFlight--
        env.deadlines.unwatch(watched)
        if (scope.span) endServerSpan(scope.span, r)
        resolve(r)
      }
      const watched = {
        at: performance.now() + timeoutMs,
        fail: () => {
          const err = new MotiaError(
            'E_HANDLER_TIMEOUT',
            `handler of step "${step.name}" did not answer within ${timeoutMs} ms`,
          )
          settle(failure(err, step, env, scope))
        },
      }
      env.deadlines.watch(watched)
      start(settle)
    })

  /**
   * The simple route. A handler that finishes without waiting on anything (an async function
   * that never awaits a pending promise) is answered in the same tick: `Bun.peek` reads its
   * settled promise, so there is no promise to resolve, no deadline to watch and Bun writes
   * the response at once. Measured on the hello route, returning a Promise from a Bun route
   * costs ~15% of throughput; everything else waits through `awaitResponse`.
   */
  const simpleRoute = (request: Request, params: Record<string, string>, scope: RequestScope) => {
    let writer: StreamingResponseWriter | undefined
    let onStream: ((r: Response) => void) | undefined
    const req = new HttpRequest(
      request,
      params,
      {},
      '',
      def.method,
      () => {
        writer = new StreamingResponseWriter(scope.base)
        writer.started.then((r) => onStream?.(r))
        return writer
      },
      NO_BODY.bytes,
    )
    const ctx = env.engine.context(step, info, scope.traceId, req, scope.span?.spanId)
    const out = callHandler(step, ctx, req)
    if (Bun.peek.status(out) === 'fulfilled') {
      let r: Response | undefined
      try {
        r = respond(Bun.peek(out), scope, ctx, writer)
      } catch (err) {
        r = failure(err, step, env, scope, ctx, writer)
      }
      if (r) {
        load.inFlight--
        if (scope.span) endServerSpan(scope.span, r)
        return r
      }
    }
    // Still running, or returned having set up a stream that has not started: the stream
    // starting (`onStream`), the result or the deadline settles the request.
    return awaitResponse(scope, (settle) => {
      onStream = settle
      if (Bun.peek.status(out) === 'fulfilled') return
      out.then(
        (result) => {
          try {
            const res = respond(result, scope, ctx, writer)
            if (res) settle(res)
          } catch (err) {
            settle(failure(err, step, env, scope, ctx, writer))
          }
        },
        (err) => settle(failure(err, step, env, scope, ctx, writer)),
      )
    })
  }

  // A handler in another process (a Python step's) takes a simple request as plain data,
  // straight from here: none of the in-process pipeline, which cost more than the trip there.
  // A responseSchema to check in dev keeps the general path.
  const remote = simple && !def.responseSchema ? remoteHttpOf(step) : undefined

  /** The remote route: the handler's process enforces the timeout (504) and streams through `writer`. */
  const remoteRoute = (request: Request, params: Record<string, string>, scope: RequestScope): Promise<Response> =>
    new Promise<Response>((resolve) => {
      let done = false
      let writer: StreamingResponseWriter | undefined
      const finish = (r: Response) => {
        if (done) return
        done = true
        load.inFlight--
        if (scope.span) endServerSpan(scope.span, r)
        resolve(r)
      }
      const fail = (err: unknown) => finish(failure(err, step, env, scope, undefined, writer))
      try {
        remote!.http(
          {
            step: stepName,
            triggerIndex: def.index,
            method: def.method,
            pathParams: params,
            queryParams: parseQuery(request.url),
            headers: headersRecord(request.headers),
            traceId: scope.traceId,
            spanId: scope.span?.spanId,
          },
          timeoutMs,
          (result, error) => {
            if (error) return fail(error)
            try {
              // Undefined: a stream was set up and `started` finishes the request.
              const r = respond(result, scope, undefined, writer)
              if (r) finish(r)
            } catch (err) {
              fail(err)
            }
          },
          () => {
            writer = new StreamingResponseWriter(scope.base)
            writer.started.then(finish)
            return writer
          },
          (status, body) => {
            try {
              finish(jsonTextResponse(body, status, scope.base))
            } catch (err) {
              fail(err) // a status HTTP cannot carry (InvalidResponse)
            }
          },
        )
      } catch (err) {
        fail(err) // the request could not even be sent: answered, and its slot given back
      }
    })

  /** Takes a concurrency slot (503 when none is left) and runs the step. */
  const serve = (
    request: Request,
    params: Record<string, string>,
    parsed: ParsedBody,
    scope: RequestScope,
  ): Response | Promise<Response> => {
    if (load.inFlight >= limit) {
      const r = overloaded(scope)
      if (scope.span) endServerSpan(scope.span, r)
      return r
    }
    load.inFlight++
    return awaitResponse(scope, (settle) => {
      pipeline(request, params, parsed, scope, settle).then(settle)
    })
  }

  /** The body first (under its own deadline and per-client bound, body-reads.ts), then a slot. */
  const readThenServe = (
    request: Request,
    params: Record<string, string>,
    scope: RequestScope,
    server: Server<any> | undefined,
  ): Promise<Response> =>
    env.bodies.read(request, server).then(
      (parsed) => serve(request, params, parsed, scope),
      (err) => {
        const r = bodyRefused(err, step, env, scope)
        if (scope.span) endServerSpan(scope.span, r)
        return r
      },
    )

  /** One request, its span started. */
  const handle = (
    request: Request,
    params: Record<string, string>,
    server: Server<any> | undefined,
    scope: RequestScope,
  ): Response | Promise<Response> => {
    if (!bodyless && request.body) return readThenServe(request, params, scope, server)
    // Inline rather than through `serve`: this is the hello route's path (bench/instructions.ts).
    if (load.inFlight >= limit) {
      const r = overloaded(scope)
      if (scope.span) endServerSpan(scope.span, r)
      return r
    }
    load.inFlight++
    if (remote) return remoteRoute(request, params, scope)
    if (simple) return simpleRoute(request, params, scope)
    return awaitResponse(scope, (settle) => {
      pipeline(request, params, NO_BODY, scope, settle).then(settle)
    })
  }

  // Resolved once per router build: a request adds to its series in place (metrics on).
  const metrics = env.engine.metrics?.route(def.method, def.path, stepName)

  return (request: Request, params: Record<string, string>, server?: Server<any>): Response | Promise<Response> => {
    const scope = env.scopeOf(request)
    const tracer = env.engine.tracer
    if (!tracer && !metrics) return handle(request, params, server, scope)
    // One clock read for both: the span's start and the latency metric's.
    const t0 = performance.now()
    if (tracer)
      scope.span = tracer.execution(
        scope.traceId,
        scope.parentSpanId,
        scope.parent,
        spanName,
        'server',
        spanAttributes,
        stepName,
        def,
        epochMs(t0),
      )
    if (!metrics) return handle(request, params, server, scope)
    const r = handle(request, params, server, scope)
    // A kept trace's id becomes the exemplar of the latency bucket the request fell in. Read
    // when the request is done, after its span ended: only then is it known whether the store
    // kept the trace (sampling, or an admission window that moved on, may drop it at its end).
    if (r instanceof Response) metrics.done(r.status, t0, keptTraceOf(scope.span))
    else
      r.then(
        (res) => metrics.done(res.status, t0, keptTraceOf(scope.span)),
        () => metrics.done(500, t0, keptTraceOf(scope.span)),
      )
    return r
  }
}

/** `step.generation` against `http.validateBody`: `auto` validates 1.x steps only (docs/http.md says why). */
function validatesBody(mode: MotiaConfig['http']['validateBody'], step: StepDefinition): boolean {
  return mode === 'always' || (mode === 'auto' && step.generation !== 'legacy')
}

function runChain(step: StepDefinition, ctx: StepContext, req: HttpRequest): Promise<unknown> {
  const chain = (step.triggers[ctx.trigger.index] as HttpTriggerDef).middleware
  const at = (i: number): Promise<unknown> =>
    i === chain.length
      ? callHandler(step, ctx, req)
      : Promise.resolve(chain[i]!(req, ctx, () => at(i + 1) as Promise<ApiResponse>))
  return at(0)
}

function checkResponse(def: HttpTriggerDef, result: ApiResponse, ctx: StepContext): void {
  if (!result || typeof result !== 'object') return
  const schema = def.responseSchema!.get(result.status)
  if (!schema) return
  const r = schema.validate(result.body)
  if (!r.ok) {
    ctx.logger.warn(`response body for status ${result.status} does not match responseSchema`, { issues: r.issues })
  }
}
