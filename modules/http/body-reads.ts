import type { Server } from 'bun'
import type { MotiaConfig } from '../../runtime/config/schema'
import { MotiaError } from '../../runtime/errors'
import { type BodyLimits, type ParsedBody, readBody } from './body'
import type { Deadlines } from './deadlines'

/**
 * Request bodies while they arrive. A body still on the wire holds no `http.concurrency` slot
 * (1,100 sockets trickling bodies used to take all 1,024 and `GET /hello` was answered 503):
 * instead it must arrive within `http.bodyTimeout` (408), and one client address may have at
 * most `http.pendingBodiesPerClient` of them at once (429).
 */
export class BodyReads {
  private readonly limits: BodyLimits
  private readonly timeoutMs: number
  private readonly perClient: number
  private readonly proxies: number
  private readonly byClient = new Map<string, number>()

  constructor(
    config: MotiaConfig['http'],
    private readonly deadlines: Deadlines,
  ) {
    this.limits = { bytes: config.bodyLimit, jsonDepth: config.maxJsonDepth }
    this.timeoutMs = config.bodyTimeout
    this.perClient = config.pendingBodiesPerClient
    this.proxies = config.trustProxy
  }

  /**
   * The parsed body, or a rejection with the MotiaError to answer. `server` is absent for
   * in-process requests (`runtime.request()`), which have no client address to count.
   */
  read(request: Request, server?: Server<any>): Promise<ParsedBody> {
    const client = server ? clientAddress(request, server, this.proxies) : undefined
    if (client !== undefined) {
      const pending = this.byClient.get(client) ?? 0
      if (pending >= this.perClient) {
        return Promise.reject(
          new MotiaError(
            'E_CLIENT_OVERLOADED',
            `${pending} request bodies from this client are still arriving (http.pendingBodiesPerClient); retry later`,
          ),
        )
      }
      this.byClient.set(client, pending + 1)
    }
    return new Promise<ParsedBody>((resolve, reject) => {
      let open = true
      const release = () => {
        if (!open) return
        open = false
        this.deadlines.unwatch(watched)
        if (client !== undefined) {
          const left = this.byClient.get(client)! - 1
          if (left === 0) this.byClient.delete(client)
          else this.byClient.set(client, left)
        }
      }
      const watched = {
        at: performance.now() + this.timeoutMs,
        fail: () => {
          release()
          reject(
            new MotiaError(
              'E_BODY_TIMEOUT',
              `Request body did not arrive within ${this.timeoutMs} ms (http.bodyTimeout)`,
            ),
          )
        },
      }
      this.deadlines.watch(watched)
      // After a timeout the read still ends (the socket closes): settled promises ignore it.
      readBody(request, this.limits).then(
        (body) => {
          release()
          resolve(body)
        },
        (err) => {
          release()
          // The client went away mid-body (the answer goes nowhere): a 400, not a logged 500.
          reject(
            err instanceof MotiaError
              ? err
              : new MotiaError('E_BODY_MALFORMED', `Request body could not be read: ${(err as Error)?.message ?? err}`),
          )
        },
      )
    })
  }

  /** Client addresses with bodies arriving (tests, diagnostics). */
  pendingClients(): number {
    return this.byClient.size
  }
}

/**
 * The client's address: the socket's, or with `proxies` trusted proxies in front, the address
 * the outermost trusted one saw (`X-Forwarded-For` read from the right, as each proxy appends
 * the address it was connected from). Entries to the left of that are the client's to forge.
 */
export function clientAddress(request: Request, server: Server<any>, proxies: number): string | undefined {
  const socket = server.requestIP(request)?.address
  if (proxies === 0) return socket
  const forwarded = request.headers.get('x-forwarded-for')
  if (!forwarded) return socket
  const hops = forwarded.split(',')
  return hops[Math.max(0, hops.length - proxies)]!.trim() || socket
}

/** Statuses answered before the body was read: the connection closes rather than drain it. */
const UNREAD = new Set([408, 413, 429])

/** Whether an error answer leaves the request's body unread on the socket. */
export function leavesBodyUnread(status: number): boolean {
  return UNREAD.has(status)
}
