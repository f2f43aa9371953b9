/**
 * `motia/testing`: test a project in-process (`createTestRuntime`) or one handler on its own
 * (`createTestContext`). Provided by the binary like `motia`, so `motia test` needs no
 * node_modules.
 *
 * @example
 * import { expect, test } from 'bun:test'
 * import { createTestRuntime } from 'motia/testing'
 *
 * test('a todo is stored', async () => {
 *   await using rt = await createTestRuntime({ dir: new URL('..', import.meta.url) })
 *   const res = await rt.request('/todos', { method: 'POST', body: JSON.stringify({ text: 'x' }) })
 *   await rt.drain()
 *   expect(await rt.state.getGroup('todos')).toHaveLength(1)
 * })
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultModules } from '../cmd/default-modules'
import { QUEUE_KEY, type QueueModuleApi } from '../modules/queue/queue-module'
import { type BackgroundRunner, RUNNER_KEY } from '../modules/queue/runner'
import type { MotiaConfig } from '../runtime/config/schema'
import { streamFacade } from '../runtime/context'
import type { CallOrigin, StateOp } from '../runtime/engine-client'
import { formatProblem, MotiaError } from '../runtime/errors'
import { createStreamSink } from '../runtime/log-format'
import type { LogSink } from '../runtime/logger'
import type { MotiaModule, RunMode } from '../runtime/module'
import { createRuntime } from '../runtime/runtime'
import { newTraceId } from '../runtime/trace-id'
import { type RecordedEnqueue, recorded, TEST_ORIGIN, type TestLogRecord } from './test-records'
import type { EnqueueMessage, MotiaStream, QueueConfig, StateManager, Streams } from './types'

export {
  createTestContext,
  type TestContext,
  type TestContextOptions,
  type TestContextRecords,
} from './test-context'
export type { RecordedEnqueue, RecordedStreamEvent, TestLogRecord } from './test-records'

/**
 * Config for a test runtime, over `config.yaml` (times in ms). Unless set here, state, queue
 * and streams use the memory adapters, cron schedules do not fire (run them with `rt.cron()`)
 * and one worker thread runs background handlers.
 */
export interface TestConfig {
  state?: { adapter?: 'memory' | 'sqlite' }
  streams?: { adapter?: 'memory' | 'sqlite' }
  queue?: {
    adapter?: 'memory' | 'sqlite'
    workers?: number
    handlerTimeout?: number
    defaults?: Partial<QueueConfig>
  }
  cron?: { enabled?: boolean; timezone?: string }
  http?: { validateBody?: 'auto' | 'always' | 'never' | boolean; bodyLimit?: number; timeout?: number }
  sqlite?: { path?: string }
  [section: string]: Record<string, unknown> | undefined
}

export interface TestRuntimeOptions {
  /** The project directory: a path or a file URL (`new URL('..', import.meta.url)`). Default: the working directory. */
  dir?: string | URL
  /** Variables for `${VAR}` interpolation in `config.yaml` (added to `process.env`). */
  env?: Record<string, string | undefined>
  config?: TestConfig
  /** Also print log lines to stdout (they are always captured in `logs`). */
  printLogs?: boolean
}

/** A running project with no sockets. Dispose it (`await using`) or call `stop()`. */
export interface TestRuntime extends AsyncDisposable {
  readonly dir: string
  /** Sends a request through the HTTP routes without a socket. */
  request(path: string, init?: RequestInit): Promise<Response>
  /** Enqueues a message as a handler would (the trace id is new unless given). */
  enqueue(message: EnqueueMessage & { traceId?: string }): Promise<void>
  /**
   * Waits until every queue is idle (nothing ready, in flight or waiting for a retry) and
   * every state, stream and cron handler started meanwhile has finished.
   */
  drain(): Promise<void>
  /** Runs the cron handler of a step now; rejects with the handler's error. */
  cron(stepName: string): Promise<void>
  /** Every log line so far. */
  readonly logs: TestLogRecord[]
  /** Every message enqueued so far, by handlers and by `enqueue()`. */
  readonly enqueues: RecordedEnqueue[]
  /** The project's state (1.x API: `set` returns `{ new_value, old_value }`); writes fire state triggers. */
  readonly state: StateManager
  /** The project's streams: `rt.streams.todoFeed.get('all', id)`. */
  readonly streams: Streams
  /** Empties `logs` and `enqueues` (state and streams stay). */
  clear(): void
  /** Lets running handlers finish, then stops every module. Messages not started are dropped. */
  stop(): Promise<void>
}

const TEST_DEFAULTS = {
  state: { adapter: 'memory' },
  streams: { adapter: 'memory' },
  queue: { adapter: 'memory', workers: 1 },
  cron: { enabled: false },
  observability: { store: 'memory' },
}

/**
 * Starts the project in `dir` in-process: every step and stream loaded, HTTP answered through
 * `request()`, background handlers in a worker thread, state and queues in memory. A project
 * with a load problem (a broken step file) rejects, listing every problem.
 *
 * @example
 * await using rt = await createTestRuntime({ dir: new URL('..', import.meta.url) })
 * await rt.request('/orders', { method: 'POST', body: JSON.stringify({ item: 'book' }) })
 * await rt.drain()
 * expect(rt.enqueues.map((e) => e.topic)).toEqual(['order.created'])
 */
export async function createTestRuntime(options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const dir = projectDir(options.dir)
  const logs: TestLogRecord[] = []
  const enqueues: RecordedEnqueue[] = []
  const sinks: LogSink[] = [(r) => void logs.push(r)]
  if (options.printLogs) sinks.push(createStreamSink('pretty', process.stdout, false))
  const rt = await createRuntime({
    dir,
    mode: 'test',
    modules: testModules(options.config),
    env: { ...process.env, ...options.env },
    logSinks: sinks,
  })
  if (rt.problems.length > 0) {
    await rt.stop()
    const lines = rt.problems.map(formatProblem)
    throw new MotiaError(
      'E_PROJECT_INVALID',
      `the project has ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n  ${lines.join('\n  ')}`,
      { details: { problems: rt.problems } },
    )
  }

  // Record every enqueue, from handlers on any thread: they all reach the engine's queue service.
  const queueService = rt.engine.queueService
  if (queueService) {
    rt.engine.queueService = {
      enqueue(message, origin) {
        enqueues.push(recorded(message, origin))
        return queueService.enqueue(message, origin)
      },
    }
  }

  // State, stream and cron handlers run fire-and-forget through the runner: track them so
  // `drain()` waits for them as well as for the queues.
  const pending = new Set<Promise<unknown>>()
  const runner = rt.services.shared.get(RUNNER_KEY) as BackgroundRunner | undefined
  const tracked: BackgroundRunner | undefined = runner && {
    run(job) {
      const p = runner.run(job)
      pending.add(p)
      void p.finally(() => pending.delete(p))
      return p
    },
  }
  if (tracked) rt.services.shared.set(RUNNER_KEY, tracked)

  const origin = (traceId = newTraceId()): CallOrigin => ({ step: TEST_ORIGIN, traceId })
  const state = stateFacade((op, args) => rt.engine.state(op, args, origin()))
  const streams = streamsProxy(
    (name) => rt.engine.hasStream(name),
    (name) => streamFacade(rt.engine, name, origin),
  )

  const queue = () => rt.services.shared.get(QUEUE_KEY) as QueueModuleApi | undefined
  // Handlers still running finish first (messages not started stay queued): stopping under
  // them would fail their acknowledgement on a closed store.
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      await queue()?.idle()
      await Promise.allSettled([...pending])
      await rt.stop()
    })()
    return stopping
  }

  return {
    dir: rt.dir,
    logs,
    enqueues,
    state,
    streams,
    request: (path, init) => rt.request(path, init),
    async enqueue({ traceId, ...message }) {
      await rt.engine.enqueue(message, origin(traceId))
    },
    async drain() {
      for (;;) {
        await queue()?.idle({ delayed: true })
        if (pending.size === 0) return
        await Promise.allSettled([...pending])
      }
    },
    async cron(stepName) {
      const step = rt.project().steps.find((s) => s.name === stepName)
      const def = step?.triggers.find((t) => t.type === 'cron')
      if (!step || !def) {
        const crons = rt
          .project()
          .steps.filter((s) => s.triggers.some((t) => t.type === 'cron'))
          .map((s) => s.name)
        throw new Error(`no step "${stepName}" with a cron trigger (cron steps: ${crons.join(', ') || 'none'})`)
      }
      if (!tracked) throw new MotiaError('E_ADAPTER_UNKNOWN', 'no queue module is running in this runtime')
      const out = await tracked.run({ step, def, input: undefined, traceId: newTraceId(), attempt: 1 })
      if (out.status === 'error') throw Object.assign(new Error(out.error.message), { cause: out.error })
    },
    clear() {
      logs.length = 0
      enqueues.length = 0
    },
    stop,
    [Symbol.asyncDispose]: stop,
  }
}

function projectDir(dir: string | URL | undefined): string {
  if (dir === undefined) return process.cwd()
  if (dir instanceof URL) return fileURLToPath(dir)
  return dir.startsWith('file:') ? fileURLToPath(dir) : resolve(dir)
}

/**
 * The default modules, each handed the test config: the runtime's own config (from
 * config.yaml, frozen) stays as it is, the modules see memory adapters and the overrides.
 */
function testModules(overrides: TestConfig = {}) {
  const modules = defaultModules({ listen: false })
  return (s: { mode: RunMode; config: MotiaConfig }): MotiaModule[] => {
    const config = merge(merge(structuredClone(s.config), TEST_DEFAULTS), overrides) as MotiaConfig
    return modules(s).map((m) => (m.setup ? { ...m, setup: (services) => m.setup!({ ...services, config }) } : m))
  }
}

function merge(target: Record<string, any>, source: Record<string, any>): Record<string, any> {
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined) continue
    target[k] =
      v && typeof v === 'object' && !Array.isArray(v) && target[k] && typeof target[k] === 'object'
        ? merge({ ...target[k] }, v)
        : v
  }
  return target
}

function stateFacade(call: (op: StateOp, args: unknown[]) => Promise<unknown>): StateManager {
  return {
    get: (g, k) => call('get', [g, k]) as Promise<any>,
    set: (g, k, v) => call('set', [g, k, v]) as Promise<any>,
    update: (g, k, ops) => call('update', [g, k, ops]) as Promise<any>,
    delete: (g, k) => call('delete', [g, k]) as Promise<any>,
    getGroup: (g) => call('getGroup', [g]) as Promise<any[]>,
    list: (g) => call('getGroup', [g]) as Promise<any[]>,
    clear: (g) => call('clear', [g]) as Promise<void>,
    listGroups: () => call('listGroups', []) as Promise<string[]>,
  }
}

function streamsProxy(has: (name: string) => boolean, open: (name: string) => MotiaStream<any>): Streams {
  return new Proxy({} as Streams, {
    get(_t, name) {
      if (typeof name !== 'string' || name === 'then' || name === 'toJSON') return undefined
      if (!has(name)) throw new MotiaError('E_STREAM_UNKNOWN', `no stream named "${name}" is defined`)
      return open(name)
    },
    has: (_t, name) => typeof name === 'string' && has(name),
  })
}
