/** What handlers receive: an HTTP request and its response writer, state and stream change events. */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS' | 'HEAD'

export interface ApiRequest<TBody = unknown> {
  pathParams: Record<string, string>
  queryParams: Record<string, string | string[]>
  body: TBody
  headers: Record<string, string | string[]>
  rawBody: string
  method: HttpMethod
  /** 1.x: the request itself, so `({ request, response })` destructuring works. */
  request: ApiRequest<TBody>
  /** 1.x: a writer for streamed responses (server-sent events). */
  response: ResponseWriter
  /**
   * 1.x: the raw body as received, whatever its content type (Motia's `ChannelReader`).
   * @example for await (const chunk of request.requestBody.stream) chunks.push(Buffer.from(chunk))
   */
  requestBody: RequestBodyReader
}

/** 1.x `request.requestBody`: the body's bytes as a Node `Readable` of `Buffer` chunks. */
export interface RequestBodyReader {
  readonly stream: AsyncIterable<Uint8Array> & { on(event: string, listener: (...args: any[]) => void): unknown }
  /** The whole body in one chunk. */
  readAll(): Promise<Uint8Array>
  close(): void
}

export interface ResponseWriter {
  /** Before the first write; the response starts with it. */
  status(code: number): ResponseWriter
  /** Before the first write (later calls are ignored, as in Motia 1.x). */
  headers(headers: Record<string, string>): ResponseWriter
  /** A Node `Writable`: `write(chunk)` sends a chunk at once, `end(chunk?)` finishes the response. */
  readonly stream: {
    write(chunk: string | Uint8Array, callback?: (err?: Error | null) => void): boolean
    end(chunk?: string | Uint8Array, callback?: () => void): unknown
    on(event: string, listener: (...args: any[]) => void): unknown
    once(event: string, listener: (...args: any[]) => void): unknown
  }
  /** Ends the response (also starts it, empty, when nothing was written). */
  close(): void
}

export interface ApiResponse<S extends number = number, B = unknown> {
  status: S
  headers?: Record<string, string>
  body?: B
}

export interface StateTriggerInput<T = unknown> {
  type: 'state'
  event_type: 'state:created' | 'state:updated' | 'state:deleted'
  group_id: string
  item_id: string
  scope: string
  key: string
  old_value: T | null
  new_value: T | null
}

export interface StreamTriggerInput<T = unknown> {
  type: 'stream'
  timestamp: number
  streamName: string
  groupId: string
  id?: string
  event: { type: 'create' | 'update' | 'delete'; data: T } | { type: 'event'; event: { type: string; data: unknown } }
}
