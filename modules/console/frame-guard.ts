import type { Server } from 'bun'

/**
 * The console must never render inside another site's frame (clickjacking: a page that
 * overlays it and steers the operator's clicks to "retry all" or "drop"). Both headers, for
 * old and new browsers: `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`, merged into
 * a policy the response already has (its other directives are kept, a weaker frame-ancestors
 * is replaced).
 */
export const FRAME_OPTIONS = 'DENY'
const ANCESTORS = "frame-ancestors 'none'"

/** Sets the two headers on `res` (headers of a response built here are mutable) and returns it. */
export function frameGuard(res: Response): Response {
  res.headers.set('x-frame-options', FRAME_OPTIONS)
  res.headers.set('content-security-policy', withFrameAncestors(res.headers.get('content-security-policy')))
  return res
}

export type RouteHandler = (request: Request & { params: Record<string, string> }, server: Server<unknown>) => unknown

/** Bun.serve `routes` whose every Response gets the frame guard. */
export function guardRoutes<R extends Record<string, RouteHandler | Partial<Record<string, RouteHandler>>>>(
  routes: R,
): R {
  const wrap =
    (h: RouteHandler): RouteHandler =>
    (request, srv) => {
      const res = h(request, srv)
      if (res instanceof Response) return frameGuard(res)
      // A WebSocket upgrade answers undefined, at once: not turned into a promise.
      return res instanceof Promise ? res.then((r) => (r instanceof Response ? frameGuard(r) : r)) : res
    }
  const out: Record<string, unknown> = {}
  for (const [path, route] of Object.entries(routes)) {
    out[path] =
      typeof route === 'function'
        ? wrap(route)
        : Object.fromEntries(Object.entries(route).map(([m, h]) => [m, wrap(h as RouteHandler)]))
  }
  return out as R
}

/** `policy` with `frame-ancestors 'none'` in place of any frame-ancestors it has. */
export function withFrameAncestors(policy: string | null): string {
  const kept = (policy ?? '')
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && d.split(/\s+/)[0]!.toLowerCase() !== 'frame-ancestors')
  return [...kept, ANCESTORS].join('; ')
}
