import type { ApiContext, ApiRoutes } from './respond'
import { ApiError, json, readObject, required } from './respond'

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])
/** Larger response bodies are cut for display. */
const MAX_BODY = 1024 * 1024

/** What the Endpoints page gets back for "send". */
export interface ProxiedResponse {
  status: number
  statusText: string
  headers: Record<string, string>
  body: string
  truncated: boolean
  durationMs: number
  traceId: string | null
}

/**
 * `POST /api/request`: sends a request to the project's HTTP steps from the console's own
 * origin (no CORS), in process when the http module allows it. The console's headers (its
 * token among them) never reach the app: only the headers the form names are sent.
 */
export function requestProxyRoutes(ctx: ApiContext): ApiRoutes {
  const { rt } = ctx
  return {
    '/api/request': {
      POST: async (req) => {
        const spec = await readObject(req)
        const method = required(spec.method, 'method').toUpperCase()
        if (!METHODS.has(method)) throw new ApiError(400, 'E_CONSOLE_BAD_REQUEST', `method ${method} is not supported`)
        const path = required(spec.path, 'path')
        if (!path.startsWith('/')) throw new ApiError(400, 'E_CONSOLE_BAD_REQUEST', 'path must start with "/"')
        const headers = new Headers()
        for (const [k, v] of Object.entries(spec.headers ?? {})) if (typeof v === 'string') headers.set(k, v)
        let body: string | undefined
        if (typeof spec.body === 'string') body = spec.body
        else if (spec.body !== undefined && spec.body !== null) {
          body = JSON.stringify(spec.body)
          if (!headers.has('content-type')) headers.set('content-type', 'application/json')
        }
        if (body !== undefined && (method === 'GET' || method === 'HEAD')) body = undefined

        const inProcess = rt.shared.get('http.fetch') as ((r: Request) => Promise<Response>) | undefined
        const base = (rt.shared.get('http.url') as string | undefined) ?? 'http://localhost/'
        const request = new Request(new URL(path, base).href, {
          method,
          headers,
          ...(body !== undefined ? { body } : {}),
        })
        const started = performance.now()
        let res: Response
        try {
          res = inProcess ? await inProcess(request) : await fetch(request)
        } catch (err) {
          throw new ApiError(502, 'E_CONSOLE_PROXY_FAILED', `the request failed: ${(err as Error).message}`)
        }
        const text = await res.text()
        const durationMs = Math.round((performance.now() - started) * 100) / 100
        const out: ProxiedResponse = {
          status: res.status,
          statusText: res.statusText,
          headers: Object.fromEntries(res.headers),
          body: text.length > MAX_BODY ? text.slice(0, MAX_BODY) : text,
          truncated: text.length > MAX_BODY,
          durationMs,
          traceId: res.headers.get(rt.config.http.traceHeader),
        }
        return json(out)
      },
    },
  }
}
