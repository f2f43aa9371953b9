import type { LogTarget } from '../../runtime/logger'
import { type ExecutionTracer, endWith } from '../../runtime/tracing'
import type { ErrorBody, HttpInvocationRef, Message, MessageOf } from './protocol'
import { InvocationError, type WorkerConnection } from './worker-connection'

/** W3C trace-context: version, trace id, parent span id, flags. */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/

/** Who is calling a function, and the trace context that came with the call. */
export interface CallInfo {
  worker?: WorkerConnection
  traceparent?: string
  baggage?: string
}

/** An engine function served here (`state::set`, ...): its payload in, its result out; throw InvocationError to fail. */
export type Builtin = (data: any, call: CallInfo) => unknown

export interface FunctionEntry {
  id: string
  description?: string
  request_format?: unknown
  response_format?: unknown
  metadata?: Record<string, unknown>
  /** The worker serving it; none for the engine's own. */
  owner?: WorkerConnection
  builtin?: Builtin
  /** An HTTP-invoked function (RegisterFunction with `invocation`). */
  http?: HttpInvocationRef
}

export interface TriggerEntry {
  id: string
  trigger_type: string
  function_id: string
  config: unknown
  /** The worker that registered it (gone with it); none for the engine's own. */
  owner?: WorkerConnection
}

/** A trigger type: built in (http, queue, cron, state, stream, subscribe, ...) or owned by a worker. */
export interface TriggerType {
  id: string
  description?: string
  owner?: WorkerConnection
  /** Built in: starts serving the trigger; returns how to stop, or throws (the registration error). */
  register?(trigger: TriggerEntry): (() => void) | undefined
}

export interface InvokeOptions extends CallInfo {
  timeoutMs?: number
}

/**
 * The iii side of the engine: every function a worker or the engine serves, every trigger bound
 * to one, and the trigger types they use. Invoking a function goes to its owner, wherever it
 * runs (engine, a worker, an HTTP endpoint); the worker port (worker-server.ts) is one client.
 */
export class IiiEngine {
  readonly functions = new Map<string, FunctionEntry>()
  readonly triggers = new Map<string, TriggerEntry & { stop?: () => void }>()
  readonly triggerTypes = new Map<string, TriggerType>()
  readonly workers = new Map<string, WorkerConnection>()
  readonly services = new Map<string, MessageOf<'registerservice'>>()
  private readonly availabilityListeners = new Set<() => void>()

  constructor(
    readonly logs: LogTarget,
    readonly defaultTimeoutMs: number,
    /** The runtime's tracer when tracing is on: invocations of worker functions become spans. */
    private readonly tracer: () => ExecutionTracer | undefined = () => undefined,
  ) {}

  builtin(id: string, fn: Builtin, description?: string): void {
    this.functions.set(id, { id, builtin: fn, ...(description ? { description } : {}) })
  }

  triggerType(type: TriggerType): void {
    this.triggerTypes.set(type.id, type)
  }

  onFunctionsChanged(listener: () => void): () => void {
    this.availabilityListeners.add(listener)
    return () => this.availabilityListeners.delete(listener)
  }

  private functionsChanged(): void {
    for (const l of this.availabilityListeners) l()
  }

  /** Invokes a function by id. Rejects with an InvocationError carrying iii's error body. */
  async invoke(functionId: string, data: unknown, opts: InvokeOptions = {}): Promise<unknown> {
    const fn = this.functions.get(functionId)
    if (!fn) throw new InvocationError({ code: 'function_not_found', message: `Function ${functionId} not found` })
    if (fn.builtin) {
      try {
        return await fn.builtin(data, opts)
      } catch (err) {
        if (err instanceof InvocationError) throw err
        throw new InvocationError({ code: 'invocation_failed', message: (err as Error)?.message ?? String(err) })
      }
    }
    if (fn.http) return invokeHttp(fn.id, fn.http, data, opts.timeoutMs ?? this.defaultTimeoutMs)
    if (!fn.owner)
      throw new InvocationError({ code: 'function_not_invokable', message: `${functionId} has no handler` })
    const owner = fn.owner
    const send = (traceparent: string | undefined) =>
      owner.invoke(functionId, data, {
        timeoutMs: opts.timeoutMs ?? this.defaultTimeoutMs,
        ...(traceparent ? { traceparent } : {}),
        ...(opts.baggage ? { baggage: opts.baggage } : {}),
      })
    const span = this.span(functionId, owner, opts.traceparent)
    if (!span) return send(opts.traceparent)
    return endWith(span, send(`00-${span.traceId}-${span.spanId}-01`))
  }

  /**
   * A span for an invocation of a worker function (tracing on): a child of the caller's
   * traceparent, or a new trace when the caller sent none and the store takes one. The worker
   * gets this span as its parent, so its own spans (exported by the SDK) nest under it.
   */
  private span(functionId: string, owner: WorkerConnection, traceparent: string | undefined) {
    const tracer = this.tracer()
    if (!tracer) return undefined
    const parent = traceparent ? TRACEPARENT.exec(traceparent) : null
    if (!parent && !tracer.takesNewTrace()) return undefined
    const traceId = parent?.[1] ?? crypto.randomUUID().replace(/-/g, '')
    return tracer.begin(traceId, parent?.[2], `call ${functionId}`, 'client', () => ({
      'iii.function_id': functionId,
      'iii.worker_id': owner.id,
      ...(owner.metadata.name ? { 'iii.worker_name': owner.metadata.name } : {}),
    }))
  }

  /** A trigger fired: invokes its function; a failure is logged, never thrown at the trigger source. */
  fire(trigger: TriggerEntry, data: unknown, opts: InvokeOptions = {}): Promise<unknown> {
    return this.invoke(trigger.function_id, data, opts).catch((err: unknown) => {
      const body = err instanceof InvocationError ? err.body : { code: 'invocation_failed', message: String(err) }
      this.logs.emit({
        level: 'error',
        msg: `iii trigger ${trigger.id} (${trigger.trigger_type}) → ${trigger.function_id} failed: ${body.message}`,
        time: Date.now(),
        fields: { code: body.code },
      } as Parameters<LogTarget['emit']>[0])
      throw err
    })
  }

  registerFunction(m: MessageOf<'registerfunction'>, owner: WorkerConnection): void {
    const previous = this.functions.get(m.id)
    if (previous?.builtin)
      throw new InvocationError({ code: 'function_reserved', message: `${m.id} is an engine function` })
    previous?.owner?.functions.delete(m.id)
    const { type: _type, ...rest } = m
    const { invocation, ...info } = rest
    this.functions.set(m.id, { ...info, ...(invocation ? { http: invocation } : { owner }) })
    owner.functions.add(m.id)
    this.functionsChanged()
  }

  unregisterFunction(id: string, owner: WorkerConnection): void {
    if (this.functions.get(id)?.owner !== owner && !owner.functions.has(id)) return
    this.functions.delete(id)
    owner.functions.delete(id)
    this.functionsChanged()
  }

  /** Binds a function to a trigger type; the error body when the type refuses it or is unknown. */
  registerTrigger(entry: TriggerEntry): ErrorBody | undefined {
    this.unregisterTrigger(entry.id)
    const type = this.triggerTypes.get(entry.trigger_type)
    if (!type) {
      return { code: 'trigger_type_not_found', message: `Trigger type ${entry.trigger_type} not found` }
    }
    let stop: (() => void) | undefined
    if (type.owner) {
      type.owner.send({
        type: 'registertrigger',
        id: entry.id,
        trigger_type: entry.trigger_type,
        function_id: entry.function_id,
        config: entry.config,
      })
      const owner = type.owner
      stop = () => owner.send({ type: 'unregistertrigger', id: entry.id, trigger_type: entry.trigger_type })
    } else {
      try {
        stop = type.register?.(entry)
      } catch (err) {
        return { code: 'trigger_registration_failed', message: (err as Error).message }
      }
    }
    this.triggers.set(entry.id, { ...entry, ...(stop ? { stop } : {}) })
    entry.owner?.triggers.add(entry.id)
    return undefined
  }

  unregisterTrigger(id: string): void {
    const t = this.triggers.get(id)
    if (!t) return
    this.triggers.delete(id)
    t.owner?.triggers.delete(id)
    try {
      t.stop?.()
    } catch {
      // a trigger source that is already gone
    }
  }

  registerTriggerType(m: MessageOf<'registertriggertype'>, owner: WorkerConnection): void {
    if (this.triggerTypes.get(m.id)?.register) {
      throw new InvocationError({ code: 'trigger_type_reserved', message: `${m.id} is an engine trigger type` })
    }
    this.triggerTypes.set(m.id, { id: m.id, ...(m.description ? { description: m.description } : {}), owner })
    owner.triggerTypes.add(m.id)
  }

  unregisterTriggerType(id: string, owner: WorkerConnection): void {
    if (this.triggerTypes.get(id)?.owner !== owner) return
    this.triggerTypes.delete(id)
    owner.triggerTypes.delete(id)
  }

  attach(worker: WorkerConnection): void {
    this.workers.set(worker.id, worker)
  }

  /** A worker left: its invocations fail, its functions, triggers and trigger types go. */
  detach(worker: WorkerConnection): void {
    this.workers.delete(worker.id)
    worker.disconnect()
    for (const id of [...worker.triggers]) this.unregisterTrigger(id)
    for (const id of [...worker.triggerTypes]) this.triggerTypes.delete(id)
    let changed = false
    for (const id of worker.functions) {
      if (this.functions.get(id)?.owner === worker || this.functions.get(id)?.http) {
        this.functions.delete(id)
        changed = true
      }
    }
    worker.functions.clear()
    if (changed) this.functionsChanged()
  }

  /** A frame to every worker (functions-available notices). */
  broadcast(message: Message): void {
    for (const w of this.workers.values()) w.send(message)
  }
}

/** An HTTP-invoked function: the payload POSTed (or sent with its method) as JSON; the JSON answer is the result. */
async function invokeHttp(id: string, ref: HttpInvocationRef, data: unknown, defaultTimeout: number): Promise<unknown> {
  const method = ref.method ?? 'POST'
  const headers: Record<string, string> = { 'content-type': 'application/json', ...ref.headers }
  const auth = ref.auth
  if (auth?.type === 'bearer') headers.authorization = `Bearer ${envOrFail(auth.token_key)}`
  if (auth?.type === 'api_key') headers[auth.header.toLowerCase()] = envOrFail(auth.value_key)
  const body = JSON.stringify(data ?? null)
  if (auth?.type === 'hmac') {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const hmac = new Bun.CryptoHasher('sha256', envOrFail(auth.secret_key))
    hmac.update(`${timestamp}.${body}`)
    headers['x-iii-timestamp'] = timestamp
    headers['x-iii-signature'] = `sha256=${hmac.digest('hex')}`
  }
  let res: Response
  try {
    res = await fetch(ref.url, {
      method,
      headers,
      ...(method === 'GET' ? {} : { body }),
      signal: AbortSignal.timeout(ref.timeout_ms ?? defaultTimeout),
    })
  } catch (err) {
    throw new InvocationError({ code: 'http_request_failed', message: `${id}: ${(err as Error).message}` })
  }
  const text = await res.text()
  if (!res.ok) {
    throw new InvocationError({ code: 'http_error', message: `${id}: HTTP ${res.status}: ${text.slice(0, 500)}` })
  }
  if (text === '') return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function envOrFail(name: string): string {
  const v = process.env[name]
  if (v === undefined)
    throw new InvocationError({ code: 'missing_env_var', message: `environment variable ${name} is not set` })
  return v
}
