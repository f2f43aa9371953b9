import type { Server, WebSocketHandler } from 'bun'
import type { StructuredLogger } from '../../runtime/logger'
import type { RuntimeMetrics } from '../observability/metrics/runtime-metrics'
import { authenticateUpgrade, type StreamAuthHooks, selectProtocol, upgradeInfo } from './auth'
import { Connection, type Rooms, type SocketData } from './rooms'

export interface WsOptions {
  /** Frames larger than this close the socket with 1009. */
  maxPayload: number
  /** Bytes queued for a socket that stops reading before it is dropped. */
  backpressureLimit: number
  /** The runtime's metrics, when on: connections opened, closed and dropped. */
  metrics?(): RuntimeMetrics | undefined
}

/** Close codes the server gives (a frame too large, too many pending, backpressure): a drop. */
const DROPPED = new Set([1008, 1009, 1011, 1013])

/**
 * One handler shared by both servers (stream port and API port). Bun enforces the limits in
 * native code: an oversized frame closes the socket with 1009, and a client that stops reading
 * is closed once `backpressureLimit` bytes wait for it, instead of being buffered without bound.
 */
export function websocketHandler(rooms: Rooms, options: WsOptions): WebSocketHandler<SocketData> {
  return {
    maxPayloadLength: options.maxPayload,
    backpressureLimit: options.backpressureLimit,
    closeOnBackpressureLimit: true,
    perMessageDeflate: false,
    idleTimeout: 120,
    sendPings: true,
    open(ws) {
      ws.data.conn.ws = ws
      const m = options.metrics?.()
      m?.count(m.streamConnections, {}, '')
    },
    message(ws, raw) {
      rooms.receive(ws.data.conn, raw)
    },
    close(ws, code) {
      const m = options.metrics?.()
      m?.count(m.streamConnections, {}, '', -1)
      if (m && DROPPED.has(code)) m.count(m.streamDrops, {}, '')
      rooms.close(ws.data.conn)
    },
  }
}

/**
 * Authenticates and upgrades one request. Undefined when the socket was accepted, else the
 * HTTP answer: 401 when the project's auth hook throws, 426 for a request that is no upgrade.
 * The `Authorization` subprotocol a client offers is echoed, or browsers drop the connection.
 */
export function createUpgrader(hooks: () => StreamAuthHooks, log: StructuredLogger) {
  return async (request: Request, server: Server<SocketData>): Promise<Response | undefined> => {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Upgrade Required: this port serves Motia streams over WebSocket', {
        status: 426,
        headers: { upgrade: 'websocket' },
      })
    }
    const info = upgradeInfo(request, server)
    const auth = await authenticateUpgrade(hooks(), info, log)
    if (!auth.ok) {
      log.warn(`streams: connection refused by the stream auth hook: ${auth.reason}`, { addr: info.addr })
      return new Response('Authentication failed', { status: 401 })
    }
    const protocol = selectProtocol(info.protocols)
    const data: SocketData = { conn: new Connection(auth.context, info.addr) }
    const ok = server.upgrade(request, protocol ? { data, headers: { 'Sec-WebSocket-Protocol': protocol } } : { data })
    return ok ? undefined : new Response('WebSocket upgrade failed', { status: 400 })
  }
}
