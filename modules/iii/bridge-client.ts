import type { ErrorBody, Message } from './protocol'
import { InvocationError } from './worker-connection'

interface Waiting {
  resolve(result: unknown): void
  reject(error: InvocationError): void
  timer: ReturnType<typeof setTimeout>
}

/**
 * iii's Bridge adapters: this engine's `state::*` / `stream::*` are served by another iii engine,
 * reached as a worker of it (`bridge_url`). Connects on first use and again after a drop; an
 * invocation that cannot be sent or answered fails with iii's error body.
 */
export class BridgeClient {
  private ws?: WebSocket
  private opening?: Promise<WebSocket>
  private readonly waiting = new Map<string, Waiting>()
  private closed = false

  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  private connect(): Promise<WebSocket> {
    if (this.ws?.readyState === WebSocket.OPEN) return Promise.resolve(this.ws)
    this.opening ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url)
      ws.addEventListener('open', () => {
        this.ws = ws
        this.opening = undefined
        resolve(ws)
      })
      ws.addEventListener('error', () => {
        this.opening = undefined
        reject(new InvocationError({ code: 'bridge_unavailable', message: `bridge ${this.url} is not reachable` }))
      })
      ws.addEventListener('close', () => {
        if (this.ws === ws) this.ws = undefined
        for (const [id, w] of this.waiting) {
          clearTimeout(w.timer)
          w.reject(new InvocationError({ code: 'bridge_unavailable', message: `bridge ${this.url} disconnected` }))
          this.waiting.delete(id)
        }
      })
      ws.addEventListener('message', (e) => this.onMessage(String(e.data)))
    })
    return this.opening
  }

  private onMessage(text: string): void {
    let m: Message
    try {
      m = JSON.parse(text) as Message
    } catch {
      return
    }
    if (m.type !== 'invocationresult') return
    const w = this.waiting.get(m.invocation_id)
    if (!w) return
    this.waiting.delete(m.invocation_id)
    clearTimeout(w.timer)
    if (m.error) w.reject(new InvocationError(m.error as ErrorBody))
    else w.resolve(m.result)
  }

  async invoke(functionId: string, data: unknown, traceparent?: string): Promise<unknown> {
    if (this.closed) throw new InvocationError({ code: 'bridge_unavailable', message: 'the engine is stopping' })
    const ws = await this.connect()
    const id = crypto.randomUUID()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(
          new InvocationError({
            code: 'timeout',
            message: `bridge ${this.url}: ${functionId} did not answer within ${this.timeoutMs} ms`,
          }),
        )
      }, this.timeoutMs)
      this.waiting.set(id, { resolve, reject, timer })
      ws.send(
        JSON.stringify({
          type: 'invokefunction',
          invocation_id: id,
          function_id: functionId,
          data,
          ...(traceparent ? { traceparent } : {}),
        } satisfies Message),
      )
    })
  }

  close(): void {
    this.closed = true
    this.ws?.close()
  }
}
