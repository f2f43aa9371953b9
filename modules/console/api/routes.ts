import { MotiaError } from '../../../runtime/errors'
import { type ConsoleAccess, refuse } from '../auth'
import { alertRoutes } from './alerts'
import { logRoutes } from './logs'
import { metricsRoutes } from './metrics'
import { projectRoutes } from './project'
import { queueRoutes } from './queues'
import { requestProxyRoutes } from './request-proxy'
import type { ApiContext, ApiRoutes, Handler, Method } from './respond'
import { ApiError, errorJson, json } from './respond'
import { stateRoutes } from './state'
import { streamRoutes } from './streams'
import { traceRoutes } from './traces'

/**
 * The console's JSON API (docs/console.md), as Bun.serve routes. Every handler is guarded:
 * the access rule first (token, or loopback-only), then errors as `{ error, code }`.
 */
export function apiRoutes(ctx: ApiContext, access: ConsoleAccess): ApiRoutes {
  const all: ApiRoutes = {
    ...projectRoutes(ctx),
    ...logRoutes(ctx),
    ...traceRoutes(ctx),
    ...stateRoutes(ctx),
    ...streamRoutes(ctx),
    ...queueRoutes(ctx),
    ...metricsRoutes(ctx),
    ...requestProxyRoutes(ctx),
    ...alertRoutes(ctx),
  }
  // Bun passes (request, server): the URL is parsed here once for the handler.
  const guard =
    (handler: Handler): Handler =>
    async (request) => {
      const url = new URL(request.url)
      const refusal = refuse(access, request, url)
      if (refusal) return refusal
      try {
        return await handler(request, url)
      } catch (err) {
        if (err instanceof ApiError) return errorJson(err.status, err.code, err.message)
        if (err instanceof MotiaError) return json(err.toJSON(), err.status)
        ctx.rt.log.error('console API request failed', { error: err, path: url.pathname })
        return errorJson(500, 'E_CONSOLE_INTERNAL', (err as Error)?.message ?? String(err))
      }
    }
  const out: ApiRoutes = {}
  for (const [path, methods] of Object.entries(all)) {
    out[path] = {}
    for (const [method, handler] of Object.entries(methods)) out[path]![method as Method] = guard(handler)
  }
  const notFound = guard((_req, url) => errorJson(404, 'E_CONSOLE_NOT_FOUND', `no console API at ${url.pathname}`))
  out['/api/*'] = { GET: notFound, POST: notFound, PUT: notFound, DELETE: notFound }
  return out
}
