import type { StepContext } from '../../runtime/context'
import { MotiaError } from '../../runtime/errors'
import type { StepDefinition } from '../../runtime/step'
import { leavesBodyUnread } from './body-reads'
import { ERROR_CODE_HEADER, errorResponse } from './respond'
import { InvalidResponse } from './response-check'
import type { StreamingResponseWriter } from './response-writer'
import type { RequestScope, RouteEnv } from './route-env'

// The answers a step route gives besides the handler's own: a failure (500, 504, a store's
// 503/507, a refusal's 4xx), a body that could not be read, the concurrency limit's 503 and a
// false trigger condition's 422.

/** The error answer; a response already streaming is cut short instead (the answer goes nowhere). */
export function failure(
  err: unknown,
  step: StepDefinition,
  env: RouteEnv,
  scope: RequestScope,
  ctx?: StepContext,
  writer?: StreamingResponseWriter,
): Response {
  writer?.fail(err)
  const { traceId, base } = scope
  if (err instanceof MotiaError && err.status < 500) {
    return errorResponse(err.status, { error: err.message, code: err.code, traceId }, base)
  }
  scope.span?.fail(err)
  const logger = ctx?.logger ?? env.log.child({ step: step.name, traceId })
  if (err instanceof MotiaError && err.code === 'E_HANDLER_TIMEOUT') {
    logger.error(err.message, { code: err.code })
    return errorResponse(504, { error: 'Handler timed out', code: err.code, traceId }, base)
  }
  const code = err instanceof MotiaError ? err.code : 'E_HANDLER_FAILED'
  logger.error(`handler failed: ${(err as Error)?.message ?? String(err)}`, { error: err, code })
  const invalid = err instanceof InvalidResponse
  const body: { error: string; code: string; traceId: string; message?: string } = {
    error: invalid ? 'The handler answered with a response HTTP cannot carry' : 'Internal server error',
    code,
    traceId,
  }
  // What was wrong with an answer is said in every mode: it describes the answer, not its data.
  if (env.dev || invalid) body.message = (err as Error)?.message ?? String(err)
  // A store that is away or full (E_REDIS_UNAVAILABLE, E_STORAGE_BUSY 503; E_STORAGE_FULL 507)
  // keeps its status: the client, or the proxy, knows to retry, here or on another instance.
  const status = err instanceof MotiaError && err.status > 500 ? err.status : 500
  if (status === 503) {
    body.error = 'Service unavailable'
    const r = errorResponse(503, body, base)
    r.headers.set('retry-after', '1')
    return r
  }
  if (status === 507) body.error = 'Insufficient storage'
  return errorResponse(status, body, base)
}

/** A body that could not be read: its error answer, closing the connection if the body is still on it. */
export function bodyRefused(err: unknown, step: StepDefinition, env: RouteEnv, scope: RequestScope): Response {
  const r = failure(err, step, env, scope)
  if (leavesBodyUnread(r.status)) r.headers.set('connection', 'close')
  if (r.status === 429) r.headers.set('retry-after', '1')
  return r
}

/** Motia 1.x's exact answer to a false trigger condition; the code rides in a header. */
export function conditionNotMet(base: Record<string, string>): Response {
  const r = Response.json({ error: 'Request condition not met', skipped: true }, { status: 422 })
  for (const k in base) r.headers.set(k, base[k]!)
  r.headers.set(ERROR_CODE_HEADER, 'E_CONDITION_NOT_MET')
  return r
}

export function overloaded(scope: RequestScope): Response {
  return errorResponse(
    503,
    { error: 'Server is over its concurrency limit; retry later', code: 'E_OVERLOADED', traceId: scope.traceId },
    { ...scope.base, 'retry-after': '1' },
  )
}
