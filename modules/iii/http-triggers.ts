import type { IiiEngine, TriggerEntry } from './iii-engine'
import { InvocationError } from './worker-connection'

interface Route {
  trigger: TriggerEntry
  method: string
  /** Path segments; `:name` captures one. */
  segments: string[]
}

/** Requests no step route takes: the http module asks this before its 404 (`http.dynamic`). */
export type DynamicRoutes = (request: Request) => Promise<Response> | undefined

const split = (path: string) => path.split('/').filter((s) => s !== '')

/**
 * iii's `http` trigger type: `{ api_path, http_method }` bound to a worker's function. The
 * function gets `{ path, method, path_params, query_params, headers, body }` and answers
 * `{ status_code, headers?, body? }`, as under iii.
 */
export class HttpTriggers {
  private routes: Route[] = []

  constructor(private readonly iii: IiiEngine) {}

  register = (trigger: TriggerEntry): (() => void) => {
    const config = (trigger.config ?? {}) as Record<string, unknown>
    if (typeof config.api_path !== 'string') throw new Error('http trigger: config.api_path must be a string')
    const method = typeof config.http_method === 'string' ? config.http_method.toUpperCase() : 'GET'
    const route: Route = { trigger, method, segments: split(config.api_path) }
    this.routes = [...this.routes.filter((r) => r.trigger.id !== trigger.id), route]
    return () => {
      this.routes = this.routes.filter((r) => r !== route)
    }
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const parts = split(path)
    let best: { route: Route; params: Record<string, string>; score: number } | undefined
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue
      const params: Record<string, string> = {}
      let score = 0
      let ok = true
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segments[i]!
        if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(parts[i]!)
        else if (seg === parts[i]) score++
        else {
          ok = false
          break
        }
      }
      if (ok && (!best || score > best.score)) best = { route, params, score }
    }
    return best
  }

  fetch: DynamicRoutes = (request) => {
    if (this.routes.length === 0) return undefined
    const url = new URL(request.url)
    const found = this.match(request.method === 'HEAD' ? 'GET' : request.method, url.pathname)
    if (!found) return undefined
    return this.answer(request, url, found.route, found.params)
  }

  private async answer(request: Request, url: URL, route: Route, params: Record<string, string>): Promise<Response> {
    const raw = await request.text()
    let body: unknown = raw === '' ? null : raw
    if (raw !== '' && (request.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(raw)
      } catch {
        return Response.json({ error: 'request body is not valid JSON' }, { status: 400 })
      }
    }
    const query: Record<string, string | string[]> = {}
    for (const [k, v] of url.searchParams) {
      const prev = query[k]
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
    }
    const traceparent = request.headers.get('traceparent') ?? undefined
    const baggage = request.headers.get('baggage') ?? undefined
    try {
      const result = (await this.iii.invoke(
        route.trigger.function_id,
        {
          path: url.pathname,
          method: request.method,
          path_params: params,
          query_params: query,
          headers: Object.fromEntries(request.headers),
          body,
        },
        { ...(traceparent ? { traceparent } : {}), ...(baggage ? { baggage } : {}) },
      )) as Record<string, unknown> | null | undefined
      return toResponse(result)
    } catch (err) {
      const e = err instanceof InvocationError ? err.body : { code: 'invocation_failed', message: String(err) }
      const status = e.code === 'timeout' ? 504 : e.code === 'function_not_found' ? 404 : 500
      return Response.json({ error: e.message, code: e.code }, { status })
    }
  }
}

function toResponse(result: Record<string, unknown> | null | undefined): Response {
  const status = typeof result?.status_code === 'number' ? result.status_code : 200
  const headers = new Headers((result?.headers as Record<string, string> | undefined) ?? {})
  const body = result?.body
  if (body === undefined || body === null) return new Response(null, { status, headers })
  if (typeof body === 'string') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain; charset=utf-8')
    return new Response(body, { status, headers })
  }
  if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  return new Response(JSON.stringify(body), { status, headers })
}
