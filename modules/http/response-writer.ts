import type { ResponseWriter } from '../../sdk/types'

/**
 * The 1.x `response` writer: `status()`, `headers()`, then `stream.write()` chunks and
 * `close()`. The HTTP response starts at the first write (or close), carrying the status and
 * headers set so far; `started` resolves with it so the caller can answer while the handler
 * keeps writing (server-sent events).
 */
export class StreamingResponseWriter implements ResponseWriter {
  private code = 200
  private head: Record<string, string> = {}
  private controller?: ReadableStreamDefaultController<Uint8Array>
  private closed = false
  private readonly encoder = new TextEncoder()
  private resolveStart!: (r: Response) => void
  readonly started: Promise<Response>
  private response?: Response

  constructor(private readonly baseHeaders: Record<string, string>) {
    this.started = new Promise((r) => {
      this.resolveStart = r
    })
  }

  get isStarted(): boolean {
    return this.response !== undefined
  }

  status(code: number): ResponseWriter {
    this.code = code
    return this
  }

  headers(headers: Record<string, string>): ResponseWriter {
    Object.assign(this.head, headers)
    return this
  }

  readonly stream = {
    write: (chunk: string | Uint8Array): boolean => {
      this.start()
      if (this.closed) return false
      this.controller!.enqueue(typeof chunk === 'string' ? this.encoder.encode(chunk) : chunk)
      return true
    },
    end: (chunk?: string | Uint8Array): void => {
      if (chunk !== undefined) this.stream.write(chunk)
      this.close()
    },
  }

  close(): void {
    this.start()
    if (this.closed) return
    this.closed = true
    try {
      this.controller!.close()
    } catch {}
  }

  private start(): void {
    if (this.response) return
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c
      },
      cancel: () => {
        this.closed = true
      },
    })
    this.response = new Response(body, { status: this.code, headers: { ...this.baseHeaders, ...this.head } })
    this.resolveStart(this.response)
  }
}
