import type { Server } from 'bun'
import type { Router } from './router'

/**
 * How long a draining server keeps its listener and its kept-alive connections before closing
 * them. Bun's `stop(false)` closes idle keep-alive connections at once and every other one right
 * after its response, with no `Connection: close` in it: a client that has just sent its next
 * request on such a socket gets a reset (1 in ~925 requests under load). For this long instead,
 * every request, on a kept-alive socket or a new one, gets 503 `E_SHUTTING_DOWN` with
 * `Connection: close`, so the clients in the middle of a request close their sockets
 * themselves. A client idle all this while and sending at the very moment of the close can still
 * lose that race: HTTP/1.1 has no way to tell an idle connection it is going away.
 */
export const KEEP_ALIVE_GRACE_MS = 100

/**
 * The routes, each answer marked `Connection: close` when it completes while the process
 * drains: a request in flight at SIGTERM answers normally, and its client must not send another
 * on that socket (Bun closes it right after the response). A handler that answers at once
 * (not a promise) ran before the drain began: nothing to mark.
 */
export function closeWhenDraining(routes: Router['routes'], draining: () => boolean): Router['routes'] {
  const mark = (res: Response): Response => {
    if (draining()) res.headers.set('connection', 'close')
    return res
  }
  const out: Router['routes'] = {}
  for (const [path, methods] of Object.entries(routes)) {
    out[path] = {}
    for (const [method, handler] of Object.entries(methods)) {
      out[path]![method] = (request, srv) => {
        const res = handler(request, srv)
        return res instanceof Promise ? res.then(mark) : res
      }
    }
  }
  return out
}

/** `res` marked `Connection: close` when `draining`; for the fallback handler's answers. */
export function closeIfDraining<T extends Response | undefined>(res: T, draining: boolean): T {
  if (draining && res) res.headers.set('connection', 'close')
  return res
}

/**
 * The listener closes after the grace (or at `deadline`, whichever is first); the caller has
 * already swapped the handlers for the 503. Resolves when the listener is closed.
 */
export async function closeListenerAfterGrace(server: Server<any>, deadline: number): Promise<void> {
  await Bun.sleep(Math.max(0, Math.min(KEEP_ALIVE_GRACE_MS, deadline - Date.now())))
  void server.stop(false)
}
