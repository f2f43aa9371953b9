import { MotiaError } from '../../runtime/errors'
import type { ApiResponse } from '../../sdk/types'
import { checkedHeaders, checkedStatus } from './response-check'

/**
 * A handler's `{ status, body, headers }` → Response: objects as JSON, strings as text
 * (content type from `headers` when given), bytes as bytes, streams streamed, a Response as is.
 * A status or header HTTP cannot carry throws InvalidResponse (response-check.ts) before `base`
 * is touched, so the error answer is built from this request's headers alone.
 */
export function toResponse(result: ApiResponse, base: Record<string, string>): Response {
  if (result instanceof Response) {
    for (const k in base) if (!result.headers.has(k)) result.headers.set(k, base[k]!)
    return result
  }
  if (!result || typeof result !== 'object' || result.status === undefined) {
    throw new MotiaError(
      'E_HANDLER_NO_RESPONSE',
      `an HTTP handler must return { status, body?, headers? }, got ${result === undefined ? 'nothing' : typeof result}`,
    )
  }
  const body = result.body
  const status = result.status === 200 ? 200 : checkedStatus(result.status)
  const user = result.headers
  // A plain object body and no headers of its own: the common case, with no type checks.
  if (!user && body !== null && typeof body === 'object' && Object.getPrototypeOf(body) === Object.prototype) {
    return jsonResponse(body, status, base)
  }
  // `base` is this request's own object (router.ts): extend it in place, no copy.
  const headers: Record<string, string> = user ? Object.assign(base, checkedHeaders(user)) : base
  if (body === undefined || body === null) return withHeaders(null, status, headers)
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8'
    return withHeaders(body, status, headers)
  }
  if (
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer ||
    body instanceof ReadableStream ||
    body instanceof Blob
  ) {
    headers['content-type'] ??= body instanceof Blob && body.type ? body.type : 'application/octet-stream'
    return withHeaders(body as ConstructorParameters<typeof Response>[0], status, headers)
  }
  if (headers['content-type']) return withHeaders(JSON.stringify(body), status, headers)
  return jsonResponse(body, status, headers)
}

/** A body and headers, the way `jsonResponse` does it: no init object for a 200, headers set afterwards. */
function withHeaders(
  body: ConstructorParameters<typeof Response>[0],
  status: number,
  headers: Record<string, string>,
): Response {
  const r = status === 200 ? new Response(body) : new Response(body, { status })
  const h = r.headers
  for (const k in headers) h.set(k, headers[k]!)
  return r
}

/**
 * JSON with extra headers, the cheapest way Bun offers (instructions per request counted with
 * callgrind on a hello route): Response.json serialises natively and sets the content type,
 * an init object costs more than setting headers on the response afterwards, and a 200 needs
 * no init at all.
 */
function jsonResponse(body: unknown, status: number, headers: Record<string, string>): Response {
  const r = status === 200 ? Response.json(body) : Response.json(body, { status })
  const h = r.headers
  for (const k in headers) h.set(k, headers[k]!)
  return r
}

/** JSON already serialised (a Python handler's answer), with this request's headers. */
export function jsonTextResponse(json: string, status: number, base: Record<string, string>): Response {
  if (status !== 200) checkedStatus(status)
  // `base` is this request's own object (router.ts), as in toResponse.
  base['content-type'] = JSON_TYPE
  return withHeaders(json, status, base)
}

/** What `Response.json` sets, so a JSON answer built from text carries what any other does. */
export const JSON_TYPE = 'application/json;charset=utf-8'

/** The error code of every error answer, also for answers whose body has none (Motia's 422). */
export const ERROR_CODE_HEADER = 'x-motia-error-code'

/** Every error answer has the same shape: `{ error, code, traceId, ...extra }`, the code also in a header. */
export function errorResponse(
  status: number,
  body: { error: string; code: string; [k: string]: unknown },
  base: Record<string, string>,
): Response {
  const r = jsonResponse(body, status, base)
  r.headers.set(ERROR_CODE_HEADER, body.code)
  return r
}
