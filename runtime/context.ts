import { TraceFlags, trace } from '@opentelemetry/api'
import type {
  ApiRequest,
  EnqueueMessage,
  FlowContext,
  InternalStateManager,
  Logger,
  MatchHandlers,
  MotiaStream,
  StateManager,
  StateTriggerInput,
  StateWriteResult,
  Streams,
  StreamTriggerInput,
  TriggerInfo,
  UpdateOp,
} from '../sdk/types'
import {
  type CallOrigin,
  type EngineClient,
  STATE_ARGS,
  STREAM_ARGS,
  type StateOp,
  type StreamOp,
} from './engine-client'
import { MotiaError } from './errors'
import { enqueueTopic } from './legacy-enqueue'
import { type LogRecord, type LogTarget, StructuredLogger } from './logger'
import { loggable, unstorableArgument } from './plain-data'
import type { StepDefinition } from './step'

const warnedTopics = new WeakMap<StepDefinition, Set<string>>()

/**
 * The `ctx` handed to a handler. One class for every trigger and both thread kinds; what differs
 * is the EngineClient transport. Members are created on first use: an HTTP hello handler that
 * touches nothing costs one allocation.
 */
export class StepContext implements FlowContext {
  private _logger?: Logger
  private _state?: StateManager | InternalStateManager
  private _streams?: Streams
  private _enqueue?: (message: EnqueueMessage) => Promise<void>
  private _is?: FlowContext['is']
  private _origin?: CallOrigin

  constructor(
    readonly engine: EngineClient,
    readonly step: StepDefinition,
    readonly trigger: TriggerInfo,
    readonly traceId: string,
    readonly input: unknown,
    readonly spanId?: string,
  ) {}

  /** The execution as a caller: step, trace and span. Built on first use (a hello handler never asks). */
  get origin(): CallOrigin {
    this._origin ??= this.spanId
      ? { step: this.step.name, traceId: this.traceId, spanId: this.spanId }
      : { step: this.step.name, traceId: this.traceId }
    return this._origin
  }

  /**
   * Who a ctx call comes from. With tracing on, a call made inside a span the handler started
   * through `@opentelemetry/api` (`startActiveSpan`) belongs to that span, not the execution's.
   */
  callOrigin(): CallOrigin {
    const o = this.origin
    if (!o.spanId) return o
    const active = trace.getActiveSpan()?.spanContext()
    // Under a span that is not sampled (flags 00) the calls keep the execution's origin, and its decision.
    return active &&
      active.spanId !== o.spanId &&
      active.traceId === o.traceId &&
      (active.traceFlags & TraceFlags.SAMPLED) !== 0
      ? { ...o, spanId: active.spanId }
      : o
  }

  get flows(): readonly string[] {
    return this.step.flows
  }

  get logger(): Logger {
    this._logger ??= new StructuredLogger(loggableTarget(this.engine.logs), this.origin)
    return this._logger
  }

  /** 0.x steps get the 0.x state API (`set` returns the value); 1.x steps get `{ new_value, old_value }`. */
  get state(): StateManager {
    this._state ??= new StateFacade(this.engine, () => this.callOrigin(), this.step.generation === 'legacy')
    return this._state as StateManager
  }

  /** The 1.x state API whatever the step's generation: what the module-level `stateManager` uses. */
  stateManager(): StateManager {
    return this.step.generation === 'legacy' ? new StateFacade(this.engine, () => this.callOrigin(), false) : this.state
  }

  get streams(): Streams {
    this._streams ??= streamsProxy(this.engine, () => this.callOrigin())
    return this._streams
  }

  get enqueue(): (message: EnqueueMessage) => Promise<void> {
    this._enqueue ??= (message) => this.send(message)
    return this._enqueue
  }

  get emit(): (message: EnqueueMessage) => Promise<void> {
    return this.enqueue
  }

  get is(): FlowContext['is'] {
    const type = this.trigger.type
    this._is ??= {
      http: (_input: unknown): _input is ApiRequest<any> => type === 'http',
      queue: (_input: unknown) => type === 'queue',
      cron: (_input: unknown): _input is undefined => type === 'cron',
      state: (_input: unknown): _input is StateTriggerInput => type === 'state',
      stream: (_input: unknown): _input is StreamTriggerInput => type === 'stream',
    }
    return this._is
  }

  getData(): unknown {
    switch (this.trigger.type) {
      case 'http':
        return (this.input as ApiRequest).body
      case 'cron':
        return undefined
      default:
        return this.input
    }
  }

  async match<R>(handlers: MatchHandlers<R>): Promise<R> {
    const fn = (handlers[this.trigger.type] ?? handlers.default) as ((input: unknown) => R | Promise<R>) | undefined
    if (!fn) throw new Error(`No handler matched for trigger type: ${this.trigger.type}`)
    return fn(this.trigger.type === 'cron' ? undefined : this.input)
  }

  private send(message: EnqueueMessage): Promise<void> {
    // `{ type, data }` (Motia's first releases) goes to the engine as it is: it reads `type` as the topic.
    const topic = enqueueTopic(message)
    if (topic === undefined) {
      return Promise.reject(new MotiaError('E_STEP_CONFIG_INVALID', 'enqueue needs { topic: string, data }'))
    }
    const args: unknown[] = [message]
    const bad = unstorableArgument('enqueue', [''], args)
    if (bad) return Promise.reject(bad)
    this.warnUndeclared(topic)
    return this.engine.enqueue(args[0] as EnqueueMessage, this.callOrigin())
  }

  private warnUndeclared(topic: string): void {
    const { step } = this
    if (step.enqueues.some((e) => e.topic === topic)) return
    let warned = warnedTopics.get(step)
    if (!warned) {
      warned = new Set()
      warnedTopics.set(step, warned)
    }
    if (warned.has(topic)) return
    warned.add(topic)
    this.logger.warn(
      `step "${step.name}" enqueued to topic "${topic}", which its config does not declare in enqueues`,
      {
        topic,
        file: step.relFile,
      },
    )
  }
}

class StateFacade implements InternalStateManager {
  constructor(
    private readonly engine: EngineClient,
    private readonly origin: () => CallOrigin,
    private readonly legacy: boolean,
  ) {}

  get<T>(groupId: string, key: string): Promise<T | null> {
    return this.call('get', [groupId, key]) as Promise<T | null>
  }
  async set<T>(groupId: string, key: string, value: T): Promise<any> {
    const r = (await this.call('set', [groupId, key, value])) as StateWriteResult<T>
    return this.legacy ? r.new_value : r
  }
  update<T>(groupId: string, key: string, ops: readonly UpdateOp[]): Promise<StateWriteResult<T>> {
    return this.call('update', [groupId, key, ops]) as Promise<StateWriteResult<T>>
  }
  delete<T>(groupId: string, key: string): Promise<T | null> {
    return this.call('delete', [groupId, key]) as Promise<T | null>
  }
  getGroup<T>(groupId: string): Promise<T[]> {
    return this.call('getGroup', [groupId]) as Promise<T[]>
  }
  list<T>(groupId: string): Promise<T[]> {
    return this.getGroup<T>(groupId)
  }
  clear(groupId: string): Promise<void> {
    return this.call('clear', [groupId]) as Promise<void>
  }
  listGroups(): Promise<string[]> {
    return this.call('listGroups', []) as Promise<string[]>
  }

  private call(op: StateOp, args: unknown[]): Promise<unknown> {
    const bad = unstorableArgument(`state.${op}`, STATE_ARGS[op], args)
    return bad ? Promise.reject(bad) : this.engine.state(op, args, this.origin())
  }
}

/** `ctx.streams.<name>`: the 0.x stream API (`set` returns the item). */
export function streamFacade(engine: EngineClient, name: string, origin: () => CallOrigin): MotiaStream<any> {
  const call = (op: StreamOp, args: unknown[]) => {
    const bad = unstorableArgument(`streams.${name}.${op}`, STREAM_ARGS[op], args)
    return bad ? Promise.reject(bad) : engine.stream(name, op, args, origin())
  }
  return {
    get: (groupId, id) => call('get', [groupId, id]) as Promise<any>,
    set: (groupId, id, data) => call('set', [groupId, id, data]).then((r) => (r as StateWriteResult).new_value) as any,
    update: (groupId, id, ops) =>
      call('update', [groupId, id, ops]).then((r) => (r as StateWriteResult).new_value) as any,
    delete: (groupId, id) => call('delete', [groupId, id]) as Promise<any>,
    getGroup: (groupId) => call('getGroup', [groupId]) as Promise<any[]>,
    list: (groupId) => call('getGroup', [groupId]) as Promise<any[]>,
    send: (channel, event) => call('send', [channel, event]) as Promise<void>,
  }
}

const PASS_THROUGH = new Set(['then', 'toJSON', 'constructor', 'inspect', 'valueOf', 'toString'])

function streamsProxy(engine: EngineClient, origin: () => CallOrigin): Streams {
  const cache = new Map<string, MotiaStream<any>>()
  return new Proxy({} as Streams, {
    get(_t, name) {
      if (typeof name !== 'string' || PASS_THROUGH.has(name)) return undefined
      let s = cache.get(name)
      if (!s) {
        if (!engine.hasStream(name)) {
          throw new MotiaError('E_STEP_CONFIG_INVALID', `ctx.streams.${name}: no stream named "${name}" is defined`)
        }
        s = streamFacade(engine, name, origin)
        cache.set(name, s)
      }
      return s
    },
    has: (_t, name) => typeof name === 'string' && engine.hasStream(name),
  })
}

const loggableTargets = new WeakMap<LogTarget, LogTarget>()

/**
 * A handler's log target: fields a log line cannot carry (a Promise, a function) become
 * placeholders, on the engine thread as in a worker, so logging never fails a handler.
 */
function loggableTarget(target: LogTarget): LogTarget {
  let t = loggableTargets.get(target)
  if (!t) {
    t = { enabled: (level) => target.enabled(level), emit: (record) => target.emit(loggableRecord(record)) }
    loggableTargets.set(target, t)
  }
  return t
}

function loggableRecord(record: LogRecord): LogRecord {
  if (!record.fields) return record
  const fields = loggable(record.fields) as LogRecord['fields']
  return fields === record.fields ? record : { ...record, fields }
}
