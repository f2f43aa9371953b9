import type { Message } from './protocol'

/**
 * A bare iii worker for tests: a real WebSocket speaking the protocol frame by frame, so tests
 * can send what the SDKs never would (bad frames, huge frames, silence).
 */
export class TestWorker {
  readonly received: Message[] = []
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  handlers = new Map<string, (data: any) => unknown>()

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })),
    )
    ws.addEventListener('message', (e) => {
      const m = JSON.parse(String(e.data)) as Message
      this.received.push(m)
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true
        w.resolve(m)
        return false
      })
      if (m.type === 'invokefunction') void this.serve(m)
    })
  }

  static async connect(url: string, headers?: Record<string, string>): Promise<TestWorker> {
    const ws = new WebSocket(url, headers ? ({ headers } as any) : undefined)
    const w = new TestWorker(ws)
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve())
      ws.addEventListener('error', () => reject(new Error(`could not connect to ${url}`)))
    })
    return w
  }

  send(m: Message | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(m))
  }

  next<T extends Message['type']>(type: T, match: (m: Extract<Message, { type: T }>) => boolean = () => true) {
    const found = this.received.find((m) => m.type === type && match(m as Extract<Message, { type: T }>))
    if (found) return Promise.resolve(found as Extract<Message, { type: T }>)
    return new Promise<Extract<Message, { type: T }>>((resolve) =>
      this.waiters.push({
        match: (m) => m.type === type && match(m as Extract<Message, { type: T }>),
        resolve: resolve as (m: Message) => void,
      }),
    )
  }

  /** Calls an engine function and waits for its result frame. */
  async call(functionId: string, data: unknown): Promise<Extract<Message, { type: 'invocationresult' }>> {
    const id = crypto.randomUUID()
    const answer = this.next('invocationresult', (m) => m.invocation_id === id)
    this.send({ type: 'invokefunction', invocation_id: id, function_id: functionId, data })
    return answer
  }

  register(id: string, handler: (data: any) => unknown): void {
    this.handlers.set(id, handler)
    this.send({ type: 'registerfunction', id })
  }

  private async serve(m: Extract<Message, { type: 'invokefunction' }>): Promise<void> {
    const h = this.handlers.get(m.function_id)
    if (!h || !m.invocation_id) return
    try {
      const result = await h(m.data)
      this.send({ type: 'invocationresult', invocation_id: m.invocation_id, function_id: m.function_id, result })
    } catch (err) {
      this.send({
        type: 'invocationresult',
        invocation_id: m.invocation_id,
        function_id: m.function_id,
        error: { code: 'invocation_failed', message: (err as Error).message },
      })
    }
  }

  close(): void {
    this.ws.close()
  }
}

/** The config.yaml of the iii module tests: every server on a free loopback port, no console. */
export const III_TEST_CONFIG = [
  'http: { port: 0, host: 127.0.0.1 }',
  'streams: { port: 0, onApiPort: false }',
  'console: { enabled: false }',
  'iii: { port: 0 }',
].join('\n')

/** The engine has handled every frame `w` sent so far (frames are handled in order: a reply to a later ping proves it). */
export async function settled(w: TestWorker): Promise<void> {
  w.send({ type: 'ping' })
  const pongs = w.received.filter((m) => m.type === 'pong').length
  await w.next('pong', () => w.received.filter((m) => m.type === 'pong').length > pongs)
}
