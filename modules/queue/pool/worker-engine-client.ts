import {
  type CallOrigin,
  type EngineClient,
  STATE_ARGS,
  STREAM_ARGS,
  type StateOp,
  type StreamOp,
  type TriggerRequest,
} from '../../../runtime/engine-client'
import { MotiaError, type SerializedError } from '../../../runtime/errors'
import type { LogLevel, LogTarget } from '../../../runtime/logger'
import { unstorableArgument } from '../../../runtime/plain-data'
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
    const p = this.take(callId)
    if (!p) return
    if (ok) p.resolve(value)
    else {
      const e = value as SerializedError
      const err = new MotiaError((e.code as never) ?? 'E_HANDLER_FAILED', e.message)
      if (!e.code) Object.defineProperty(err, 'code', { value: undefined })
      p.reject(err)
    }
  }

  /**
   * A call whose message could not be posted (outbox.ts): it fails in its handler, alone, with
   * the error StepContext gives on either thread. Reached by calls that bypass StepContext's
   * check (the module-level `Stream#set`), or by a value only the clone refuses (a Proxy).
   */
  unsendable(m: Extract<WorkerToEngine, { type: 'call' }>, error: unknown): void {
    const p = this.take(m.callId)
    if (!p) return
    const [call, names] =
      m.target === 'state'
        ? [`state.${m.op}`, STATE_ARGS[m.op as StateOp]]
        : m.target === 'stream'
          ? [`streams.${m.name}.${m.op}`, STREAM_ARGS[m.op as StreamOp]]
          : m.target === 'trigger'
            ? ['trigger', ['request']]
            : ['enqueue', ['']]
    const reason = error instanceof Error ? error.message : String(error)
    p.reject(
      unstorableArgument(call, names, m.args) ??
        new MotiaError('E_VALUE_NOT_STORABLE', `${call}: a value cannot be stored (${reason}); use plain data`),
    )
  }

  private take(callId: number) {
    const p = this.pending.get(callId)
    this.pending.delete(callId)
    return p
  }

  state(op: StateOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown> {
    return this.call('state', { op }, args, origin)
  }

  enqueue(message: EnqueueMessage, origin: CallOrigin): Promise<void> {
    return this.call('enqueue', {}, [message], origin) as Promise<void>
  }

  trigger(request: TriggerRequest, origin: CallOrigin): Promise<unknown> {
    return this.call('trigger', {}, [request], origin)
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
