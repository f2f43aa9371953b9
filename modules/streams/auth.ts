import type { Server } from 'bun'
import type { AuthenticateStream, Logger } from '../../sdk/types'

/** 0.x `motia.config.ts` default export's `streamAuth`. */
export interface LegacyStreamAuth {
  authenticate(request: { headers: Record<string, string>; url: string }): unknown
  contextSchema?: unknown
}

/** The `motia.config.ts` hooks the streams module uses; either generation, or none. */
export interface StreamAuthHooks {
  /** 1.x named export. */
  authenticateStream?: AuthenticateStream
  /** 0.x default export's `streamAuth`. */
  streamAuth?: LegacyStreamAuth
}

/** What the upgrade request tells the auth hooks. */
export interface UpgradeInfo {
  /** Lower-case names, one string per header (as Node's `req.headers`). */
  headers: Record<string, string>
  /** Path and query, as Node's `req.url` (`/?authToken=abc`). */
  url: string
  path: string
  queryParams: Record<string, string[]>
  addr: string
  /** Offered subprotocols (`Sec-WebSocket-Protocol`), in order. */
  protocols: string[]
}

export type AuthOutcome = { ok: true; context: unknown } | { ok: false; reason: string }

export function upgradeInfo(request: Request, server: Server<any>): UpgradeInfo {
  const url = new URL(request.url)
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => {
    headers[name] = value
  })
  const queryParams: Record<string, string[]> = {}
  for (const [k, v] of url.searchParams) {
    const list = queryParams[k]
    if (list) list.push(v)
    else queryParams[k] = [v]
  }
  const protocols = (headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
  return {
    headers,
    url: url.pathname + url.search,
    path: url.pathname,
    queryParams,
    addr: server.requestIP(request)?.address ?? '',
    protocols,
  }
}

/**
 * The subprotocol to accept: Motia clients send the token as `['Authorization', token]`, and a
 * browser fails the handshake unless the server selects one of the offered protocols. Like the
 * `ws` server 0.x used, the first is chosen; `Authorization` wins when offered anywhere.
 */
export function selectProtocol(protocols: readonly string[]): string | undefined {
  return protocols.find((p) => p.toLowerCase() === 'authorization') ?? protocols[0]
}

/** The token a client sent, by either convention: `?authToken=` or the `Authorization` subprotocol. */
export function authToken(info: UpgradeInfo): string | undefined {
  const q = info.queryParams.authToken?.[0]
  if (q) return q
  const i = info.protocols.findIndex((p) => p.toLowerCase() === 'authorization')
  return i >= 0 ? info.protocols[i + 1] : undefined
}

/**
 * Runs the project's auth hook at upgrade. 1.x `authenticateStream` wins when both are defined.
 * A hook that throws refuses the connection (HTTP 401) in both generations: iii let such a
 * socket in without context, which turns a failed check into anonymous access.
 */
export async function authenticateUpgrade(
  hooks: StreamAuthHooks,
  info: UpgradeInfo,
  logger: Logger,
): Promise<AuthOutcome> {
  try {
    if (hooks.authenticateStream) {
      const r = await hooks.authenticateStream(
        { headers: info.headers, path: info.path, queryParams: info.queryParams, addr: info.addr },
        { logger },
      )
      return { ok: true, context: r?.context }
    }
    if (hooks.streamAuth) {
      const context = await hooks.streamAuth.authenticate({ headers: info.headers, url: info.url })
      return { ok: true, context }
    }
    return { ok: true, context: undefined }
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) }
  }
}
