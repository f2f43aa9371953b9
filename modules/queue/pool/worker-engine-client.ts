import type { CallOrigin, EngineClient, StateOp, StreamOp } from '../../../runtime/engine-client'
import { MotiaError, type SerializedError } from '../../../runtime/errors'
import type { LogLevel, LogTarget } from '../../../runtime/logger'
import type { ExecutionTracer } from '../../../runtime/tracing'
import type { EnqueueMessage } from '../../../sdk/types'
import type { CallTarget, WorkerToEngine } from './protocol'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** The EngineClient of a worker thread: every call is a message answered by the engine thread. */
export class WorkerEngineClient implements EngineClient {
  private nextId = 1
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>()
  readonly logs: LogTarget
  /** Set when the engine traces: spans user code starts here are posted to the engine. */
  tracer?: ExecutionTracer

  constructor(
    private readonly post: (m: WorkerToEngine) => void,
    level: LogLevel,
    private streams: Set<string>,
  ) {
    const min = RANK[level]
    this.logs = { enabled: (l) => RANK[l] >= min, emit: (record) => post({ type: 'log', record }) }
  }

  setStreams(names: readonly string[]): void {
    this.streams = new Set(names)
  }

  reply(callId: number, ok: boolean, value: unknown): void {
    const p = this.pending.get(callId)
    if (!p) return
    this.pending.delete(callId)
    if (ok) p.resolve(value)
    else {
      const e = value as SerializedError
      const err = new MotiaError((e.code as never) ?? 'E_HANDLER_FAILED', e.message)
      if (!e.code) Object.defineProperty(err, 'code', { value: undefined })
      p.reject(err)
    }
  }

  state(op: StateOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown> {
    return this.call('state', { op }, args, origin)
  }

  enqueue(message: EnqueueMessage, origin: CallOrigin): Promise<void> {
    return this.call('enqueue', {}, [message], origin) as Promise<void>
  }

  stream(name: string, op: StreamOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown> {
    return this.call('stream', { name, op }, args, origin)
  }

  hasStream(name: string): boolean {
    return this.streams.has(name)
  }

  private call(
    target: CallTarget,
    extra: { op?: string; name?: string },
    args: readonly unknown[],
    origin: CallOrigin,
  ) {
    const callId = this.nextId++
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(callId, { resolve, reject })
      this.post({ type: 'call', callId, target, ...extra, args: [...args], origin })
    })
  }
}
