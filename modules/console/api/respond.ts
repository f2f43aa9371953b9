import type { RuntimeServices } from '../../../runtime/module'
import type { LogBuffer } from '../log-buffer'
import type { MetricsHistory } from '../metrics-history'

/** What every API handler can reach. */
export interface ApiContext {
  readonly rt: RuntimeServices
  readonly logs: LogBuffer
  readonly version: string
  /** The hour of metrics, when metrics are on. */
  readonly metrics?: () => MetricsHistory | undefined
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'
export type Handler = (request: Request & { params: Record<string, string> }, url: URL) => Response | Promise<Response>
/** Bun.serve `routes`: path → method → handler. */
export type ApiRoutes = Record<string, Partial<Record<Method, Handler>>>

/** A refusal with its HTTP status and a stable console API code (docs/console.md). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const NO_STORE = { 'cache-control': 'no-store' }

export function json(data: unknown, status = 200): Response {
  return Response.json(data, { status, headers: NO_STORE })
}

/** `json()` for a body already serialised (in slices, for a large answer). */
export function jsonText(body: string): Response {
  return new Response(body, { headers: { ...NO_STORE, 'content-type': 'application/json;charset=utf-8' } })
}

export function errorJson(status: number, code: string, message: string): Response {
  return json({ error: message, code }, status)
}

/** The JSON object a request carries; 400 when it is missing or not an object. */
export async function readObject(request: Request): Promise<Record<string, unknown>> {
  let body: unknown
  try {
    body = await request.json()
  } catch {
    throw new ApiError(400, 'E_CONSOLE_BAD_REQUEST', 'the body must be JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'E_CONSOLE_BAD_REQUEST', 'the body must be a JSON object')
  }
  return body as Record<string, unknown>
}

/** A required string, from a query parameter or a body field. */
export function required(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ApiError(400, 'E_CONSOLE_BAD_REQUEST', `${name} is required (a non-empty string)`)
  }
  return value
}

export function optionalLimit(url: URL, fallback: number, max = 5000): number {
  const raw = url.searchParams.get('limit')
  if (raw === null) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1)
    throw new ApiError(400, 'E_CONSOLE_BAD_REQUEST', 'limit must be a positive integer')
  return Math.min(n, max)
}

/** A module's shared API, or 503 naming the module that is not running. */
export function service<T>(rt: RuntimeServices, key: string, module = key): T {
  const api = rt.shared.get(key) as T | undefined
  if (!api) throw new ApiError(503, 'E_CONSOLE_UNAVAILABLE', `the ${module} module is not running in this runtime`)
  return api
}
