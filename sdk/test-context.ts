/**
 * `createTestContext` (exported by `motia/testing`): a recording ctx for a unit test of one
 * handler, with no runtime behind it.
 */
import { MemoryStateAdapter } from '../modules/state/adapters/memory'
import { MemoryStreamAdapter } from '../modules/streams/adapters/memory'
import { StepContext } from '../runtime/context'
import type { EngineClient, StreamOp } from '../runtime/engine-client'
import { runInExecution } from '../runtime/execution'
import { createLogHub } from '../runtime/logger'
import type { EnqueueDef, StepDefinition } from '../runtime/step'
import { newTraceId } from '../runtime/trace-id'
import {
  type RecordedEnqueue,
  type RecordedStreamEvent,
  recorded,
  TEST_ORIGIN,
  type TestLogRecord,
} from './test-records'
import type { FlowContext, Handlers, TriggerInfo } from './types'

type ContextOf<C> = unknown extends C
  ? FlowContext
  : C extends { type: 'cron' }
    ? Parameters<Handlers<C>>[0]
    : Parameters<Handlers<C>>[1]

export interface TestContextOptions<C> {
  /** The step's `config`: names the logs, types `enqueue`, picks the 0.x or 1.x ctx (state.set's result). */
  step?: C
  traceId?: string
  /** Which trigger of the config this run is for (its index), or the trigger itself. Default: the first. */
  trigger?: number | TriggerInfo
  /** The handler's input, for `ctx.getData()` and `ctx.match()`. */
  input?: unknown
}

/** What a test context records, next to the ctx members. */
export interface TestContextRecords {
  readonly logs: TestLogRecord[]
  readonly enqueues: RecordedEnqueue[]
  /** Events sent with `streams.<name>.send()`. */
  readonly streamEvents: RecordedStreamEvent[]
  /**
   * Calls a handler the way the runtime does (a 0.x cron handler gets ctx only), inside this
   * execution so module-level `logger`, `enqueue` and `stateManager` act on this ctx.
   */
  run<R>(handler: (...args: any[]) => R, input?: unknown): Promise<Awaited<R>>
}

export type TestContext<C = unknown> = ContextOf<C> & TestContextRecords

/**
 * A recording `ctx` for a unit test of one handler: state and streams in memory (real update
 * ops), enqueues, stream events and logs recorded, nothing else running.
 *
 * @example
 * import { config, handler } from '../steps/create-todo.step'
 * const ctx = createTestContext({ step: config })
 * const res = await handler({ body: { text: 'x' } } as any, ctx)
 * expect(ctx.enqueues).toMatchObject([{ topic: 'todo.created' }])
 */
export function createTestContext<C = unknown>(options: TestContextOptions<C> = {}): TestContext<C> {
  const logs: TestLogRecord[] = []
  const enqueues: RecordedEnqueue[] = []
  const streamEvents: RecordedStreamEvent[] = []
  const state = new MemoryStateAdapter()
  const streams = new MemoryStreamAdapter()
  const client: EngineClient = {
    logs: createLogHub('debug', [(r) => void logs.push(r)]),
    state: (op, args) => (state[op] as (...a: readonly unknown[]) => Promise<unknown>)(...args),
    async enqueue(message, origin) {
      enqueues.push(recorded(message, origin))
    },
    stream: (name, op, args) => streamCall(streams, streamEvents, name, op, args),
    hasStream: () => true,
    trigger: (request) => Promise.reject(new Error(`trigger(${request.function_id}): no iii engine in a test context`)),
  }
  const config = (options.step ?? {}) as Record<string, any>
  const step = stepOf(config)
  const trigger =
    typeof options.trigger === 'object' ? options.trigger : triggerOf(config, (options.trigger as number) ?? 0)
  const ctx = new StepContext(client, step, trigger, options.traceId ?? newTraceId(), options.input)
  return Object.assign(ctx, {
    logs,
    enqueues,
    streamEvents,
    run<R>(handler: (...args: any[]) => R, input?: unknown): Promise<Awaited<R>> {
      return Promise.resolve(
        runInExecution(ctx, () =>
          step.generation === 'legacy' && trigger.type === 'cron' ? handler(ctx) : handler(input, ctx),
        ),
      ) as Promise<Awaited<R>>
    },
  }) as unknown as TestContext<C>
}

async function streamCall(
  adapter: MemoryStreamAdapter,
  events: RecordedStreamEvent[],
  name: string,
  op: StreamOp,
  args: readonly unknown[],
): Promise<unknown> {
  const [groupId, id, data] = args as [string, string, unknown]
  switch (op) {
    case 'get':
      return adapter.get(name, groupId, id)
    case 'set':
      return adapter.set(name, groupId, id, data as Record<string, unknown>)
    case 'update':
      return adapter.update(name, groupId, id, data as never)
    case 'delete':
      return adapter.delete(name, groupId, id)
    case 'getGroup':
      return adapter.getGroup(name, groupId)
    case 'send':
      events.push({ stream: name, channel: args[0] as { groupId: string }, event: args[1] as { type: string } })
  }
}

function topics(list: unknown): EnqueueDef[] {
  if (!Array.isArray(list)) return []
  return list.map((e) => (typeof e === 'string' ? { topic: e } : (e as EnqueueDef)))
}

function stepOf(config: Record<string, any>): StepDefinition {
  return {
    name: typeof config.name === 'string' ? config.name : TEST_ORIGIN,
    file: '',
    relFile: '(test context)',
    generation: typeof config.type === 'string' ? 'legacy' : 'triggers',
    flows: Array.isArray(config.flows) ? config.flows : [],
    triggers: [],
    // No config: any topic goes without the "not declared in enqueues" warning.
    enqueues: config.name === undefined ? anyTopic : topics(config.enqueues ?? config.emits),
    virtualEnqueues: [],
    virtualSubscribes: [],
    config,
  }
}

/** An `enqueues` list that declares every topic. */
const anyTopic = Object.assign([] as EnqueueDef[], { some: () => true })

function triggerOf(config: Record<string, any>, index: number): TriggerInfo {
  const t = Array.isArray(config.triggers) ? config.triggers[index] : config.type ? config : undefined
  switch (t?.type) {
    case 'http':
    case 'api':
      return { type: 'http', index, method: t.method, path: t.path }
    case 'queue':
      return { type: 'queue', index, topic: t.topic }
    case 'event':
      return { type: 'queue', index, topic: t.subscribes?.[0] }
    case 'cron':
      return { type: 'cron', index, expression: t.expression ?? t.cron }
    case 'state':
      return { type: 'state', index }
    case 'stream':
      return { type: 'stream', index, streamName: t.streamName }
    default:
      return { type: 'http', index, method: 'GET', path: '/' }
  }
}
