import type { EngineClient, StateOp, StreamOp, TriggerRequest } from '../../runtime/engine-client'
import { serializeError } from '../../runtime/errors'
import { isLogLevel, type LogRecord, type LogTarget } from '../../runtime/logger'
import type { EnqueueMessage } from '../../sdk/types'
import { ingest } from '../observability/metrics/otel-meter'
import type { RuntimeMetrics } from '../observability/metrics/runtime-metrics'
import type { JobOutcome } from '../queue/pool/protocol'
import type { PoolJob } from '../queue/pool/worker-pool'
import type {
  EngineToPython,
  HttpFrame,
  HttpInvocation,
  HttpInvokeFrame,
  Invocation,
  InvocationOutcome,
  PythonToEngine,
} from './protocol'
import { PythonProcess } from './python-process'

export interface PythonPoolOptions {
  python: string
  sdkDir: string
  dir: string
  /** Processes; each serves many invocations at once. */
  size: number
  threads: number
  env: Record<string, string | undefined>
  logs: LogTarget
}

export type LoadReport = Extract<PythonToEngine, { type: 'loaded' }>

type InvokeFrame = Extract<EngineToPython, { type: 'invoke' }> | HttpInvokeFrame

interface Pending {
  id: number
  step: string
  /** The frame as sent (again, on a resend). */
  frame: InvokeFrame
  timeoutMs: number
  /** `performance.now()` past which the handler is stopped; swept, not a timer each. */
  deadline: number
  resolve(o: InvocationOutcome): void
  onHttp?: (frame: HttpFrame) => void
  /** Takes a JSON answer (an `R` line) instead of `resolve`. */
  onJson?: (status: number, json: string) => void
  proc?: PythonProcess
  /** Times it was sent again after its process died under it. */
  resends: number
  /** A response frame went out: an HTTP invocation that started answering is never re-run. */
  answered: boolean
}

/** A process that died this soon after its start is not replaced at once (a crash loop). */
const QUICK_DEATH_MS = 2000
const MAX_RESENDS = 2
/** How often overdue handlers are looked for: timeouts are seconds, a sweep beats a timer per call. */
const SWEEP_MS = 25

/**
 * The python processes: a fixed set (`python.workers`) that each load every Python step once
 * and serve invocations concurrently; an invocation goes to the least busy one. A handler past
 * its timeout has its process killed and replaced: the other invocations that process held are
 * sent again to a live one (at most twice; an HTTP response that started is not), and so are
 * those of a process that crashed. Reload starts a fresh generation and lets the previous one
 * finish what it runs.
 */
export class PythonPool {
  private procs: PythonProcess[] = []
  private readonly pending = new Map<number, Pending>()
  private readonly waiting: Pending[] = []
  private nextId = 1
  private files: string[] = []
  private streamFiles: string[] = []
  private stopped = false
  private quickDeaths = 0
  private loadWaiters = new Map<PythonProcess, (r: LoadReport | Error) => void>()
  private sweeper?: ReturnType<typeof setInterval>
  /** Serves the processes' ctx calls; set by the module at setup. */
  engine?: EngineClient
  restarts = 0

  constructor(private readonly opts: PythonPoolOptions) {}

  get size(): number {
    return this.procs.length
  }

  get inFlight(): number {
    return this.pending.size
  }

  pids(): number[] {
    return this.procs.filter((p) => !p.dead).map((p) => p.pid)
  }

  /**
   * Starts a generation of processes on these files and resolves with the first one's report
   * (configs and load errors). The previous generation drains: no new work, its running
   * invocations finish.
   */
  async load(files: readonly string[], streamFiles: readonly string[]): Promise<LoadReport> {
    this.stopped = false
    this.files = [...files]
    this.streamFiles = [...streamFiles]
    const previous = this.procs
    const fresh = Array.from({ length: Math.max(1, this.opts.size) }, () => this.spawn())
    this.procs = fresh
    const reports = fresh.map((p) => this.loadedReport(p))
    let report: LoadReport
    try {
      report = await Promise.any(reports)
    } catch {
      const err = (await reports[0]!.catch((e: Error) => e)) as Error
      throw err
    }
    for (const p of previous) p.drain()
    this.flushWaiting()
    return report
  }

  /** A background job (queue, cron, state, stream): the dispatcher's pool interface. */
  async run(job: PoolJob): Promise<JobOutcome> {
    const { timeoutMs, ...fields } = job
    const out = await this.invoke({ ...fields, kind: 'queue' }, timeoutMs)
    return out.status === 'ok' ? { status: 'ok' } : out
  }

  /** A background invocation. */
  invoke(fields: Omit<Invocation, 'id'>, timeoutMs: number): Promise<InvocationOutcome> {
    const id = this.nextId++
    return new Promise((done) => this.start(id, fields.step, { type: 'invoke', id, ...fields }, timeoutMs, done))
  }

  /**
   * An HTTP request: `done` gets the outcome (a callback, not a promise: the HTTP module's own
   * promise is the one the request waits on), `onHttp` the frames of a streamed answer, `onJson`
   * (when given) a JSON answer instead of `done`.
   */
  http(
    call: HttpInvocation,
    timeoutMs: number,
    done: (outcome: InvocationOutcome) => void,
    onHttp: (frame: HttpFrame) => void,
    onJson?: (status: number, json: string) => void,
  ): void {
    const id = this.nextId++
    const { input } = call
    const frame: HttpInvokeFrame = [
      'h',
      id,
      call.file,
      call.triggerIndex,
      call.traceId,
      call.spanId ?? null,
      input.method,
      input.pathParams,
      input.queryParams,
      input.headers,
      input.body,
      input.rawBody ?? null,
    ]
    this.start(id, call.step, frame, timeoutMs, done, onHttp, onJson)
  }

  private start(
    id: number,
    step: string,
    frame: InvokeFrame,
    timeoutMs: number,
    resolve: (outcome: InvocationOutcome) => void,
    onHttp?: (frame: HttpFrame) => void,
    onJson?: (status: number, json: string) => void,
  ): void {
    if (this.stopped) {
      resolve(failed('E_POOL_STOPPED', 'the python processes are stopped'))
      return
    }
    // Counted from now, also while no process is up to take it (dispatch restarts it on sending).
    const deadline = performance.now() + timeoutMs
    const p: Pending = { id, step, frame, timeoutMs, deadline, resolve, onHttp, onJson, resends: 0, answered: false }
    this.pending.set(id, p)
    this.sweeper ??= setInterval(this.sweep, SWEEP_MS)
    this.dispatch(p)
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.sweeper)
    this.sweeper = undefined
    const all = this.procs
    this.procs = []
    for (const p of this.pending.values())
      this.settle(p, failed('E_POOL_STOPPED', 'the python processes stopped before the handler finished'))
    for (const p of all) p.kill()
    await Promise.all(all.map((p) => p.exited))
  }

  private dispatch(p: Pending): void {
    let proc: PythonProcess | undefined
    for (const x of this.procs) {
      if (x.loaded && !x.dead && (!proc || x.inFlight < proc.inFlight)) proc = x
    }
    if (!proc) {
      this.waiting.push(p)
      return
    }
    p.proc = proc
    proc.inFlight++
    p.deadline = performance.now() + p.timeoutMs
    proc.send(p.frame)
  }

  /** Stops the handlers past their deadline; stops itself when nothing is pending. */
  private readonly sweep = (): void => {
    if (this.pending.size === 0) {
      clearInterval(this.sweeper)
      this.sweeper = undefined
      return
    }
    const now = performance.now()
    for (const p of this.pending.values()) {
      if (p.deadline > now) continue
      if (p.proc) this.timedOut(p)
      else
        this.settle(p, failed('E_HANDLER_TIMEOUT', `no python process took step "${p.step}" within ${p.timeoutMs} ms`))
    }
  }

  private flushWaiting(): void {
    const queued = this.waiting.splice(0)
    for (const p of queued) if (this.pending.has(p.id)) this.dispatch(p)
  }

  private timedOut(p: Pending): void {
    const proc = p.proc
    this.settle(
      p,
      failed('E_HANDLER_TIMEOUT', `handler of step "${p.step}" ran longer than ${p.timeoutMs} ms and was stopped`),
    )
    if (proc && !proc.dead) this.replace(proc, `a handler of step "${p.step}" timed out`)
  }

  /** An `R` line: to the request's own `onJson` when it has one (the remote route's). */
  private reply(id: number, status: number, json: string): void {
    const p = this.pending.get(id)
    if (!p) return
    if (!p.onJson) this.settle(p, { status: 'ok', json: { status, json } })
    else if (this.release(p)) p.onJson(status, json)
  }

  private settle(p: Pending, outcome: InvocationOutcome): void {
    if (this.release(p)) p.resolve(outcome)
  }

  /** Takes `p` off the pending ones and its process's count; false when it was settled already. */
  private release(p: Pending): boolean {
    if (!this.pending.delete(p.id)) return false
    if (p.proc) p.proc.inFlight--
    return true
  }

  private spawn(): PythonProcess {
    const proc = new PythonProcess({
      python: this.opts.python,
      sdkDir: this.opts.sdkDir,
      dir: this.opts.dir,
      env: this.opts.env,
      threads: this.opts.threads,
      onFrame: (p, f) => this.receive(p, f),
      onReply: (_p, id, status, json) => this.reply(id, status, json),
      onStderr: (p, text) => this.log('warn', text, { python: p.pid }),
      onExit: (p, code, signal) => this.exited(p, code, signal),
    })
    proc.send({ type: 'load', files: this.files, streamFiles: this.streamFiles })
    return proc
  }

  private loadedReport(proc: PythonProcess): Promise<LoadReport> {
    return new Promise((resolve, reject) => {
      this.loadWaiters.set(proc, (r) => (r instanceof Error ? reject(r) : resolve(r)))
    })
  }

  /** Kills a process and starts another in its place; what it held is sent elsewhere. */
  private replace(proc: PythonProcess, why: string): void {
    this.log('error', `python process ${proc.pid} replaced: ${why}`)
    proc.kill()
  }

  private exited(proc: PythonProcess, code: number | null, signal: string | null): void {
    const waiter = this.loadWaiters.get(proc)
    if (waiter) {
      this.loadWaiters.delete(proc)
      waiter(new Error(`python exited (${signal ?? `code ${code}`}) before loading the steps`))
    }
    const current = this.procs.indexOf(proc)
    if (current >= 0 && !this.stopped) {
      this.restarts++
      if (signal !== 'SIGKILL')
        this.log('error', `python process ${proc.pid} exited (${signal ?? `code ${code}`}); replaced`)
      const quick = Date.now() - proc.startedAt < QUICK_DEATH_MS
      this.quickDeaths = quick ? this.quickDeaths + 1 : 0
      const delay = quick ? Math.min(5000, 100 * 2 ** this.quickDeaths) : 0
      this.procs.splice(current, 1)
      const respawn = () => {
        if (this.stopped) return
        this.procs.push(this.spawn())
      }
      if (delay > 0) setTimeout(respawn, delay).unref?.()
      else respawn()
    }
    // What the dead process held: sent again, unless it already answered or went around too often.
    for (const p of [...this.pending.values()]) {
      if (p.proc !== proc) continue
      if (p.answered || p.resends >= MAX_RESENDS || this.stopped) {
        this.settle(
          p,
          failed(
            'E_PYTHON_PROCESS_EXITED',
            `the python process running step "${p.step}" exited before the handler finished`,
          ),
        )
      } else {
        proc.inFlight--
        p.resends++
        p.proc = undefined
        this.dispatch(p)
      }
    }
  }

  private receive(proc: PythonProcess, m: PythonToEngine): void {
    switch (m.type) {
      case 'loaded': {
        proc.loaded = true
        const waiter = this.loadWaiters.get(proc)
        this.loadWaiters.delete(proc)
        waiter?.(m)
        if (this.procs.includes(proc)) this.flushWaiting()
        return
      }
      case 'done': {
        const p = this.pending.get(m.id)
        if (p) this.settle(p, m.outcome)
        return
      }
      case 'http': {
        const p = this.pending.get(m.id)
        if (!p?.onHttp) return
        p.answered = true
        p.onHttp(m)
        return
      }
      case 'log': {
        const r = m.record
        if (!isLogLevel(r.level) || !this.opts.logs.enabled(r.level)) return
        this.opts.logs.emit({ ...r, time: typeof r.time === 'number' ? r.time : Date.now(), msg: String(r.msg) })
        return
      }
      case 'metrics': {
        const registry = (this.engine as { metrics?: RuntimeMetrics } | undefined)?.metrics?.registry
        if (registry) for (const p of m.points) ingest(registry, p)
        return
      }
      case 'call':
        void this.serve(m).then(
          (value) => proc.send({ type: 'reply', callId: m.callId, ok: true, value: value ?? null }),
          (err) => proc.send({ type: 'reply', callId: m.callId, ok: false, error: serializeError(err) }),
        )
        return
      case 'ready':
        return
    }
  }

  private serve(m: Extract<PythonToEngine, { type: 'call' }>): Promise<unknown> {
    const engine = this.engine
    if (!engine) return Promise.reject(new Error('the engine is not running yet (a call made while steps load)'))
    if (m.target === 'state') return engine.state(m.op as StateOp, m.args, m.origin)
    if (m.target === 'enqueue') return engine.enqueue(m.args[0] as EnqueueMessage, m.origin)
    if (m.target === 'trigger') return engine.trigger(m.args[0] as TriggerRequest, m.origin)
    return engine.stream(m.name!, m.op as StreamOp, m.args, m.origin)
  }

  private log(level: LogRecord['level'], msg: string, fields?: LogRecord['fields']): void {
    if (!this.opts.logs.enabled(level)) return
    this.opts.logs.emit({ time: Date.now(), level, msg: `python: ${msg}`, ...(fields ? { fields } : {}) })
  }
}

function failed(code: string, message: string, retryable = true): JobOutcome {
  return { status: 'error', error: { name: 'MotiaError', code, message }, retryable }
}
