import { Writable } from 'node:stream'
import type { ResponseWriter } from '../../sdk/types'
import { checkedHeaders } from './response-check'

/** Bytes the response body holds before a write waits for the client to read (backpressure). */
const HIGH_WATER = 64 * 1024
const NULL_BODY = new Set([204, 205, 304])

/**
 * The 1.x `response` writer (Motia's `MotiaHttpResponse`): `status()`, `headers()`, then
 * `stream.write()` chunks and `close()` (or `stream.end()`). As in Motia 1.x's engine, the HTTP
 * response starts at the first write (or at close) with the status and headers set so far, and
 * status or headers set later are ignored. `started` resolves with that response so the route
 * answers while the handler keeps writing (server-sent events); each chunk goes out as written.
 */
export class StreamingResponseWriter implements ResponseWriter {
  private code = 200
  private readonly head: Record<string, string> = {}
  private controller?: ReadableStreamDefaultController<Uint8Array>
  private writable?: Writable
  /** No chunk goes out any more: closed, cancelled by the client, or never to start. */
  private ended = false
  /** A write waiting for the client to read. */
  private waiting?: () => void
  private resolveStart!: (r: Response) => void
  readonly started: Promise<Response>
  /** The streamed response, once started. */
  response?: Response

  constructor(private readonly baseHeaders: Record<string, string>) {
    this.started = new Promise((r) => {
      this.resolveStart = r
    })
  }

  /** Ignored once started, and out of range (as iii ignored codes outside 100-599; 1xx cannot end a response). */
  status(code: number): ResponseWriter {
    if (!this.response && Number.isInteger(code) && code >= 200 && code <= 599) this.code = code
    return this
  }

  /** Throws InvalidResponse for a header HTTP cannot carry (CR/LF...), at the call that set it. */
  headers(headers: Record<string, string>): ResponseWriter {
    if (!this.response) Object.assign(this.head, checkedHeaders(headers))
    return this
  }

  /** A Node Writable (Motia's was one), made on first use: `pipe()` and `pipeline()` work. */
  get stream(): Writable {
    this.writable ??= this.makeWritable()
    return this.writable
  }

  close(): void {
    this.start()
    // Through the Writable, so chunks still waiting for the client go out first.
    if (this.writable && !this.writable.writableEnded && !this.writable.destroyed) this.writable.end()
    else this.finish()
  }

  /** The handler answered with a returned value before writing: later writes go nowhere. */
  abandon(): void {
    if (!this.response) this.ended = true
  }

  /** The handler failed after the response started: the client sees the body cut short. */
  fail(err: unknown): void {
    if (!this.response || this.ended) return
    this.ended = true
    try {
      this.controller!.error(err)
    } catch {}
    this.release()
  }

  private makeWritable(): Writable {
    const w = new Writable({
      highWaterMark: HIGH_WATER,
      write: (chunk: Buffer, _encoding, callback) => {
        this.start()
        if (this.ended) return callback()
        this.controller!.enqueue(chunk)
        if ((this.controller!.desiredSize ?? 1) > 0) callback()
        else this.waiting = callback
      },
      final: (callback) => {
        this.start()
        this.finish()
        callback()
      },
      destroy: (err, callback) => {
        this.finish()
        callback(err)
      },
    })
    // A write after close is dropped; without a listener Node would throw it as uncaught.
    w.on('error', () => {})
    return w
  }

  private start(): void {
    if (this.response || this.ended) return
    if (NULL_BODY.has(this.code)) {
      // These statuses cannot carry a body (fetch spec): the response is complete as it starts.
      this.ended = true
      this.response = new Response(null, { status: this.code, headers: { ...this.baseHeaders, ...this.head } })
      this.resolveStart(this.response)
      return
    }
    const body = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.controller = c
        },
        pull: () => this.release(),
        cancel: () => {
          this.ended = true
          this.release()
        },
      },
      { highWaterMark: HIGH_WATER, size: (chunk) => chunk?.byteLength ?? 0 },
    )
    this.response = new Response(body, { status: this.code, headers: { ...this.baseHeaders, ...this.head } })
    this.resolveStart(this.response)
  }

  private finish(): void {
    if (this.ended) return
    this.ended = true
    try {
      this.controller?.close()
    } catch {}
    this.release()
  }

  private release(): void {
    const w = this.waiting
    this.waiting = undefined
    w?.()
  }
}
