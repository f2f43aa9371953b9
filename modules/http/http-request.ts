import type { ApiRequest, HttpMethod, ResponseWriter } from '../../sdk/types'
import { multiRecord } from './multi-record'
import { BufferedRequestBody } from './request-body'

/**
 * The `req` a handler gets. Query and headers are parsed on first read: most handlers touch
 * one or neither, and the hello route is the benchmark. A class (not a plain object) so
 * `({ request, response })` destructuring and middleware adding fields both work.
 */
export class HttpRequest<TBody = unknown> implements ApiRequest<TBody> {
  private _query?: Record<string, string | string[]>
  private _headers?: Record<string, string | string[]>
  private _response?: ResponseWriter
  private _requestBody?: BufferedRequestBody;
  [extra: string]: unknown

  constructor(
    readonly raw: Request,
    public pathParams: Record<string, string>,
    public body: TBody,
    public rawBody: string,
    readonly method: HttpMethod,
    private readonly writer: () => ResponseWriter,
    /** The request's bytes, read already (what `requestBody` streams). */
    readonly bytes: Uint8Array,
  ) {}

  get queryParams(): Record<string, string | string[]> {
    this._query ??= parseQuery(this.raw.url)
    return this._query
  }
  set queryParams(v: Record<string, string | string[]>) {
    this._query = v
  }

  get headers(): Record<string, string | string[]> {
    this._headers ??= headersRecord(this.raw.headers)
    return this._headers
  }
  set headers(v: Record<string, string | string[]>) {
    this._headers = v
  }

  get request(): this {
    return this
  }

  get response(): ResponseWriter {
    this._response ??= this.writer()
    return this._response
  }

  get requestBody(): BufferedRequestBody {
    this._requestBody ??= new BufferedRequestBody(this.bytes)
    return this._requestBody
  }

  /** Plain data view (logging, conditions serialised to workers). */
  toJSON(): Record<string, unknown> {
    return {
      method: this.method,
      pathParams: this.pathParams,
      queryParams: this.queryParams,
      headers: this.headers,
      body: this.body,
    }
  }
}

/** Query string → record; a repeated key becomes an array, in order (multi-record.ts: any key is safe). */
export function parseQuery(url: string): Record<string, string | string[]> {
  const q = url.indexOf('?')
  if (q < 0) return {}
  const end = url.indexOf('#', q)
  return multiRecord(new URLSearchParams(end < 0 ? url.slice(q + 1) : url.slice(q + 1, end)))
}

/**
 * Headers → record, repeated names joined with ", " and `set-cookie` a list when repeated.
 * Bun's native `toJSON` builds it in half the time of a `forEach`, and sets a `__proto__`
 * header (a legal name) as data; it lists even a single `set-cookie`, made a string here.
 */
export function headersRecord(h: Headers): Record<string, string | string[]> {
  const out = h.toJSON() as Record<string, string | string[]>
  const cookies = out['set-cookie']
  if (Array.isArray(cookies) && cookies.length === 1) out['set-cookie'] = cookies[0]!
  return out
}
