import type { Channel, ChannelManager } from './channels'
import type { IiiEngine, TriggerEntry } from './iii-engine'
import { InvocationError } from './worker-connection'

interface Route {
  trigger: TriggerEntry
  method: string
  /** As registered, with a leading slash (what iii passes as `path`). */
  path: string
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

  constructor(
    private readonly iii: IiiEngine,
    private readonly channels: ChannelManager,
  ) {}

  register = (trigger: TriggerEntry): (() => void) => {
    const config = (trigger.config ?? {}) as Record<string, unknown>
    if (typeof config.api_path !== 'string') throw new Error('http trigger: config.api_path must be a string')
    const method = typeof config.http_method === 'string' ? config.http_method.toUpperCase() : 'GET'
    const route: Route = {
      trigger,
      method,
      path: `/${split(config.api_path).join('/')}`,
      segments: split(config.api_path),
    }
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
    const query: Record<string, string | string[]> = {}
    for (const [k, v] of url.searchParams) {
      const prev = query[k]
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
    }
    // As iii: a JSON body is parsed into `body`; any other body streams through `request_body`.
    const reqChannel = this.channels.create()
    const resChannel = this.channels.create()
    reqChannel.channel.writerTaken = true
    resChannel.channel.readerTaken = true
    let body: unknown = null
    if ((request.headers.get('content-type') ?? '').includes('application/json')) {
      const raw = await request.text()
      reqChannel.channel.end()
      if (raw !== '') {
        try {
          body = JSON.parse(raw)
        } catch {
          body = null
        }
      }
    } else {
      void pipeBody(request, reqChannel.channel)
    }
    const traceparent = request.headers.get('traceparent') ?? undefined
    const baggage = request.headers.get('baggage') ?? undefined
    const call = this.iii
      .invoke(
        route.trigger.function_id,
        {
          path: route.path,
          method: request.method,
          path_params: params,
          query_params: query,
          headers: Object.fromEntries(request.headers),
          body,
          trigger: { trigger_type: 'http', path: route.path, method: route.method },
          request_body: reqChannel.reader,
          response: resChannel.writer,
        },
        { ...(traceparent ? { traceparent } : {}), ...(baggage ? { baggage } : {}) },
      )
      .then(
        (result) => ({ result }) as const,
        (err: unknown) =>
          ({
            error: err instanceof InvocationError ? err.body : { code: 'invocation_failed', message: String(err) },
          }) as const,
      )
    const cleanup = () => {
      this.channels.remove(reqChannel.channel.id)
      this.channels.remove(resChannel.channel.id)
    }
    // The answer is the function's result, unless it streams a body through `response` first.
    const items = resChannel.channel.read()
    let status = 200
    const headers = new Headers()
    let next = items.next()
    let first: Uint8Array | undefined
    let settled: Awaited<typeof call> | undefined
    for (;;) {
      const winner = settled
        ? await next.then((n) => ({ item: n }))
        : await Promise.race([next.then((n) => ({ item: n })), call.then((c) => ({ call: c }))])
      if ('call' in winner) {
        settled = winner.call
        if ('error' in settled) {
          cleanup()
          resChannel.channel.end()
          const e = settled.error
          const code = e.code === 'timeout' ? 504 : 500
          return Response.json({ error: e.message, error_id: crypto.randomUUID() }, { status: code })
        }
        if (settled.result !== undefined && settled.result !== null) {
          cleanup()
          resChannel.channel.end()
          return toResponse(settled.result as Record<string, unknown>)
        }
        continue
      }
      const n = winner.item
      if (n.done) break
      next = items.next()
      if (typeof n.value === 'string') control(n.value, (s) => (status = s), headers)
      else {
        first = n.value
        break
      }
    }
    cleanup()
    if (!first) return new Response(null, { status, headers })
    const head = first
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head)
      },
      async pull(controller) {
        for (;;) {
          const n = await next
          if (n.done) {
            controller.close()
            return
          }
          next = items.next()
          if (typeof n.value !== 'string') {
            controller.enqueue(n.value)
            return
          }
        }
      },
    })
    return new Response(stream, { status, headers })
  }
}

/** A text frame on the response channel: `set_status` / `set_headers`, as iii's `http()` helper sends. */
function control(text: string, setStatus: (s: number) => void, headers: Headers): void {
  try {
    const m = JSON.parse(text) as Record<string, unknown>
    if (m.type === 'set_status' && typeof m.status_code === 'number') setStatus(m.status_code)
    if (m.type === 'set_headers' && typeof m.headers === 'object' && m.headers !== null) {
      for (const [k, v] of Object.entries(m.headers as Record<string, unknown>)) headers.set(k, String(v))
    }
  } catch {
    // not a control message: ignored, as iii does
  }
}

async function pipeBody(request: Request, channel: Channel): Promise<void> {
  try {
    if (request.body) for await (const chunk of request.body) channel.write(chunk)
  } finally {
    channel.end()
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
