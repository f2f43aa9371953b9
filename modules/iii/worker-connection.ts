import type { ServerWebSocket } from 'bun'
import type { ErrorBody, Message } from './protocol'

/** An invocation the engine sent a worker, waiting for its InvocationResult. */
interface Pending {
  functionId: string
  resolve(result: unknown): void
  reject(error: ErrorBody): void
  /** `performance.now()` past which it fails with a timeout; swept, not a timer each. */
  deadline: number
  timeoutMs: number
}

/** How often overdue invocations are looked for: timeouts are seconds, a sweep beats a timer per call. */
const SWEEP_MS = 25

/** What a worker said about itself (`engine::workers::register`). */
export interface WorkerMetadata {
  runtime?: string
  version?: string
  name?: string
  os?: string
  pid?: number
}

/** iii's error for a failed invocation, carried as a rejection. */
export class InvocationError extends Error {
  constructor(readonly body: ErrorBody) {
    super(`${body.code}: ${body.message}`)
  }
}

/**
 * One connected iii worker: a remote function host. The engine sends it InvokeFunction frames
 * and waits for the InvocationResult (with a timeout); what it registered (functions, triggers,
 * trigger types) is owned by it and goes away with it.
 */
export class WorkerConnection {
  readonly functions = new Set<string>()
  readonly triggers = new Set<string>()
  readonly triggerTypes = new Set<string>()
  readonly connectedAt = Date.now()
  metadata: WorkerMetadata = {}
  private readonly pending = new Map<string, Pending>()
  private sweeper?: ReturnType<typeof setInterval>
  /** Frames sent in this tick, written together (one syscall) at its end. */
  private outbox: string[] = []
  closed = false

  constructor(
    readonly id: string,
    private readonly ws: Pick<ServerWebSocket<unknown>, 'send' | 'close' | 'cork'>,
    readonly ip: string,
  ) {}

  get activeInvocations(): number {
    return this.pending.size
  }

  send(message: Message): void {
    if (this.closed) return
    if (this.outbox.push(JSON.stringify(message)) === 1) queueMicrotask(this.flush)
  }

  private readonly flush = () => {
    const frames = this.outbox
    this.outbox = []
    if (this.closed) return
    if (frames.length === 1) this.ws.send(frames[0]!)
    else
      this.ws.cork(() => {
        for (const f of frames) this.ws.send(f)
      })
  }

  private sweep = () => {
    const now = performance.now()
    for (const [id, p] of this.pending) {
      if (p.deadline > now) continue
      this.pending.delete(id)
      p.reject({ code: 'timeout', message: `function "${p.functionId}" did not answer within ${p.timeoutMs} ms` })
    }
    if (this.pending.size === 0) {
      clearInterval(this.sweeper)
      this.sweeper = undefined
    }
  }

  /** Invokes one of its functions; rejects with an InvocationError (its error, a timeout, or its disconnect). */
  invoke(
    functionId: string,
    data: unknown,
    opts: { timeoutMs: number; traceparent?: string; baggage?: string },
  ): Promise<unknown> {
    if (this.closed) return Promise.reject(new InvocationError(disconnected(functionId)))
    const invocationId = crypto.randomUUID()
    return new Promise((resolve, reject) => {
      this.pending.set(invocationId, {
        functionId,
        resolve,
        reject: (e) => reject(new InvocationError(e)),
        deadline: performance.now() + opts.timeoutMs,
        timeoutMs: opts.timeoutMs,
      })
      this.sweeper ??= setInterval(this.sweep, Math.min(SWEEP_MS, opts.timeoutMs))
      this.send({
        type: 'invokefunction',
        invocation_id: invocationId,
        function_id: functionId,
        data,
        ...(opts.traceparent ? { traceparent: opts.traceparent } : {}),
        ...(opts.baggage ? { baggage: opts.baggage } : {}),
      })
    })
  }

  /** Fire and forget: no invocation id, nothing comes back. */
  notify(functionId: string, data: unknown, traceparent?: string): void {
    this.send({ type: 'invokefunction', function_id: functionId, data, ...(traceparent ? { traceparent } : {}) })
  }

  /** An InvocationResult from the worker; false when nothing waits for it (late, or unknown). */
  settle(invocationId: string, result: unknown, error: ErrorBody | undefined): boolean {
    const p = this.pending.get(invocationId)
    if (!p) return false
    this.pending.delete(invocationId)
    if (error) p.reject(normalizeError(error))
    else p.resolve(result)
    return true
  }

  /** The socket closed: every invocation it held fails (iii does not re-run them elsewhere). */
  disconnect(): void {
    this.closed = true
    clearInterval(this.sweeper)
    this.sweeper = undefined
    for (const p of this.pending.values()) p.reject(disconnected(p.functionId))
    this.pending.clear()
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason)
  }
}

function disconnected(functionId: string): ErrorBody {
  return { code: 'invocation_stopped', message: `the worker serving "${functionId}" disconnected` }
}

/** A worker's error as iii passes it on: an object with code and message, whatever it sent. */
function normalizeError(error: unknown): ErrorBody {
  if (typeof error === 'object' && error !== null) {
    const e = error as Record<string, unknown>
    return {
      code: typeof e.code === 'string' ? e.code : 'invocation_failed',
      message: typeof e.message === 'string' ? e.message : JSON.stringify(error),
      ...(typeof e.stacktrace === 'string' ? { stacktrace: e.stacktrace } : {}),
    }
  }
  return { code: 'invocation_failed', message: String(error) }
}
