import type { MotiaConfig } from '../../runtime/config/schema'

type CorsConfig = MotiaConfig['http']['cors']

/**
 * CORS headers. With `origin: '*'` (the default, as Motia) they are one constant object;
 * with a list of origins the request's Origin is echoed when listed.
 */
export class Cors {
  private readonly fixed?: Record<string, string>
  private readonly allowed: Set<string>

  constructor(private readonly config: CorsConfig) {
    this.allowed = new Set(Array.isArray(config.origin) ? config.origin : [])
    if (config.enabled && config.origin === '*') {
      this.fixed = { 'access-control-allow-origin': '*' }
      if (config.credentials) this.fixed['access-control-allow-credentials'] = 'true'
    }
  }

  /** The allow-origin value when it is the same for every request (`*` without credentials). */
  fixedHeaders(): string | undefined {
    return this.fixed && !this.config.credentials ? '*' : undefined
  }

  /** Headers every response carries (empty when CORS is off or the origin is not allowed). */
  headersFor(request: Request): Record<string, string> | undefined {
    if (!this.config.enabled) return undefined
    if (this.fixed) return this.fixed
    const origin = request.headers.get('origin')
    if (!origin || !this.allowed.has(origin)) return undefined
    const h: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'Origin' }
    if (this.config.credentials) h['access-control-allow-credentials'] = 'true'
    return h
  }

  /** Answer to an OPTIONS request: 204 with the allowed methods and headers. */
  preflight(request: Request, base: Record<string, string>): Response {
    const c = this.config
    const requested = request.headers.get('access-control-request-headers')
    const headers: Record<string, string> = {
      ...base,
      ...this.headersFor(request),
      'access-control-allow-methods': c.methods.join(', '),
      'access-control-max-age': String(c.maxAge),
    }
    const allowHeaders = c.headers === '*' ? (requested ?? '*') : c.headers.join(', ')
    if (allowHeaders) headers['access-control-allow-headers'] = allowHeaders
    return new Response(null, { status: 204, headers })
  }
}
