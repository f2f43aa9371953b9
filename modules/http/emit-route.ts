import { createHash, timingSafeEqual } from 'node:crypto'
import type { Server } from 'bun'
import type { MotiaConfig } from '../../runtime/config/schema'
import type { CallOrigin } from '../../runtime/engine-client'
import { MotiaError } from '../../runtime/errors'
import { enqueueTopic } from '../../runtime/legacy-enqueue'
import { leavesBodyUnread } from './body-reads'
import { errorResponse } from './respond'
import type { RequestScope } from './route-env'
import type { RouterEnv } from './router'
import { endServerSpan } from './server-span'

/** Who may use `POST /emit`; undefined: the route does not exist. */
export interface EmitAccess {
  readonly token?: string
}

/**
 * `POST /emit` enqueues any data on any topic, past every HTTP step's validation and auth, so
 * it is off in `start` unless `http.emit.enabled`, and then only with `http.emit.token`
 * (start-up fails without one). `dev` enables it (a token, when set, is still required).
 */
export function emitAccess(config: MotiaConfig['http']['emit'], dev: boolean): EmitAccess | undefined {
  if (!(config.enabled ?? dev)) return undefined
  if (!config.token && !dev) {
    throw new MotiaError(
      'E_CONFIG_INVALID',
      'config.yaml: http.emit.enabled is true but http.emit.token is not set: motia start serves POST /emit only ' +
        'with a token (e.g. token: ${MOTIA_EMIT_TOKEN}), which `motia emit --token` sends',
    )
  }
  return config.token ? { token: config.token } : {}
}

/** What sampling rules match `POST /emit` on (step `_system`). */
const EMIT_TRIGGER = { type: 'http', method: 'POST', path: '/emit' } as const

/** The request's scope, without CORS headers. */
type ScopeOf = (request: Request) => RequestScope

/**
 * The `POST /emit { topic, data, messageGroupId?, idempotencyKey? }` handler (origin `_system`).
 * JSON only (415), so a browser cannot post it from another site without a preflight, and no
 * CORS headers, so that preflight fails. 5xx answers carry the code, never the internal message.
 */
export function emitRoute(env: RouterEnv, access: EmitAccess, scopeOf: ScopeOf) {
  const expected = access.token === undefined ? undefined : digest(access.token)
  return async (request: Request, server?: Server<any>): Promise<Response> => {
    const scope = scopeOf(request)
    const span = env.engine.tracer?.execution(
      scope.traceId,
      scope.parentSpanId,
      scope.parent,
      'POST /emit',
      'server',
      { 'motia.step': '_system', 'motia.trigger.type': 'http', 'http.request.method': 'POST', 'http.route': '/emit' },
      '_system',
      EMIT_TRIGGER,
    )
    if (span) scope.span = span
    const origin: CallOrigin = span
      ? { step: '_system', traceId: scope.traceId, spanId: span.spanId }
      : { step: '_system', traceId: scope.traceId }
    let response: Response
    try {
      if (expected && !bearerMatches(request, expected)) {
        throw new MotiaError(
          'E_EMIT_UNAUTHORIZED',
          'POST /emit needs its token (Authorization: Bearer <http.emit.token>)',
        )
      }
      if (!isJson(request.headers.get('content-type'))) {
        throw new MotiaError('E_UNSUPPORTED_MEDIA_TYPE', 'POST /emit accepts application/json only')
      }
      response = await enqueue(env, request, server, scope, origin)
    } catch (err) {
      response = refusal(err, env, scope)
    }
    if (span) endServerSpan(span, response)
    return response
  }
}

async function enqueue(
  env: RouterEnv,
  request: Request,
  server: Server<any> | undefined,
  scope: RequestScope,
  origin: CallOrigin,
): Promise<Response> {
  const { body } = await env.bodies.read(request, server)
  const { data, messageGroupId, idempotencyKey } = (body ?? {}) as Record<string, unknown>
  // `{ type, data }`: Motia's first releases named the topic `type` here too.
  const topic = enqueueTopic(body)
  if (topic === undefined) {
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
}

function refusal(err: unknown, env: RouterEnv, scope: RequestScope): Response {
  const known = err instanceof MotiaError ? err : undefined
  const status = known?.status ?? 500
  const code = known?.code ?? 'E_HANDLER_FAILED'
  if (status < 500) {
    const r = errorResponse(status, { error: known!.message, code, traceId: scope.traceId }, scope.base)
    // Refused before its body was read: close rather than drain it.
    if (leavesBodyUnread(status) || status === 401 || status === 415) r.headers.set('connection', 'close')
    if (status === 401) r.headers.set('www-authenticate', 'Bearer realm="motia emit"')
    return r
  }
  scope.span?.fail(err)
  env.log
    .child({ step: '_system', traceId: scope.traceId })
    .error(`POST /emit failed: ${(err as Error)?.message ?? String(err)}`, { error: err, code })
  const body: { error: string; code: string; traceId: string; message?: string } = {
    error: 'Could not enqueue the message',
    code,
    traceId: scope.traceId,
  }
  // As for handlers (step-route.ts): the message in `dev` only.
  if (env.dev) body.message = (err as Error)?.message ?? String(err)
  return errorResponse(status, body, scope.base)
}

/** `application/json` or `<type>/<x>+json`, whatever the parameters: what a browser cannot send cross-site unasked. */
function isJson(contentType: string | null): boolean {
  if (!contentType) return false
  const essence = contentType.split(';', 1)[0]!.trim().toLowerCase()
  return essence === 'application/json' || /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+\+json$/.test(essence)
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest()
}

/** Compared as digests: equal lengths, constant time, the token's length not revealed. */
function bearerMatches(request: Request, expected: Buffer): boolean {
  const m = request.headers.get('authorization')?.match(/^Bearer\s+(.+)$/i)
  return m !== null && m !== undefined && timingSafeEqual(digest(m[1]!.trim()), expected)
}
