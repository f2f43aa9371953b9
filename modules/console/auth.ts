import { timingSafeEqual } from 'node:crypto'
import { MotiaError } from '../../runtime/errors'

/** The resolved access rule of the console: who may read its API and open its socket. */
export interface ConsoleAccess {
  /** Bound to a loopback address only (127.0.0.0/8, ::1, localhost). */
  readonly loopback: boolean
  /** When set, every API call and the live socket must carry it. */
  readonly token?: string
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1'
}

/**
 * Bound beyond loopback, the console shows a team's data to the network: a token is then
 * required, and start-up fails without one rather than serve it openly.
 */
export function consoleAccess(cfg: { host: string; token?: string | undefined }): ConsoleAccess {
  const loopback = isLoopbackHost(cfg.host)
  if (!loopback && !cfg.token) {
    throw new MotiaError(
      'E_CONFIG_INVALID',
      `config.yaml: console.host is "${cfg.host}", which is reachable beyond this machine: set console.token ` +
        '(e.g. token: ${MOTIA_CONSOLE_TOKEN}) or bind the console to 127.0.0.1',
    )
  }
  return cfg.token ? { loopback, token: cfg.token } : { loopback }
}

/** The token a request carries: `Authorization: Bearer <t>`, else `?token=<t>` (WebSockets). */
export function requestToken(request: Request, url: URL): string | undefined {
  const header = request.headers.get('authorization')
  const m = header?.match(/^Bearer\s+(.+)$/i)
  return m?.[1]?.trim() ?? url.searchParams.get('token') ?? undefined
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Checks one API request or socket upgrade; undefined when allowed, else the refusal.
 * Without a token (loopback only) a browser page from another site must not reach the API:
 * the Host must be a loopback name (DNS rebinding) and any Origin the console's own
 * (cross-site requests and WebSocket hijacking).
 */
export function refuse(access: ConsoleAccess, request: Request, url: URL): Response | undefined {
  if (access.token) {
    const given = requestToken(request, url)
    if (given && sameToken(given, access.token)) return undefined
    return Response.json(
      { error: 'the console needs its token (Authorization: Bearer <console.token>)', code: 'E_CONSOLE_UNAUTHORIZED' },
      { status: 401, headers: { 'www-authenticate': 'Bearer realm="motia console"' } },
    )
  }
  const host = request.headers.get('host') ?? ''
  const hostname = host.replace(/:\d+$/, '')
  const origin = request.headers.get('origin')
  if (!isLoopbackHost(hostname) || (origin !== null && !sameOrigin(origin, host))) {
    return Response.json(
      { error: 'the console only answers its own pages on localhost', code: 'E_CONSOLE_FORBIDDEN' },
      { status: 403 },
    )
  }
  return undefined
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host
  } catch {
    return false
  }
}
