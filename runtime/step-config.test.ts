import { describe, expect, test } from 'bun:test'
import { z } from 'zod'
import { cronTriggerKind } from '../modules/cron/trigger-kind'
import { httpTriggerKind } from '../modules/http/trigger-kind'
import { queueTriggerKind } from '../modules/queue/trigger-kind'
import { stateTriggerKind } from '../modules/state/trigger-kind'
import { streamTriggerKind } from '../modules/streams/trigger-kind'
import { cron, http, queue, stateTrigger, step, stream } from '../sdk/index'
import { formatProblem } from './errors'
import { normalizeStep } from './step-config'
import { TriggerRegistry } from './trigger-registry'

const registry = new TriggerRegistry()
for (const k of [httpTriggerKind, queueTriggerKind, cronTriggerKind, stateTriggerKind, streamTriggerKind])
  registry.register(k)
const ref = { file: '/p/steps/x.step.ts', relFile: 'steps/x.step.ts' }
const handler = async () => {}
const load = (exports: Record<string, unknown>) => normalizeStep(exports, ref, registry)
const messages = (exports: Record<string, unknown>) => load(exports).problems.map(formatProblem)

describe('1.x triggers array', () => {
  test('every trigger kind normalises, with helpers and plain objects', () => {
    const cond = () => true
    const { step: s, problems } = load({
      config: {
        name: 'Multi',
        flows: ['f'],
        triggers: [
          http('post' as 'POST', '/a/:id', { bodySchema: z.object({ a: z.string() }) }),
          { type: 'api', method: 'GET', path: '/b' },
          queue('t1', { config: { maxRetries: 5 } }, cond),
          { type: 'event', subscribes: ['t2', 't3'] },
          cron('*/5 * * * *'),
          { type: 'cron', expression: '0 0 * * * *', timezone: 'Europe/Paris' },
          stateTrigger(cond),
          stream('todo', { groupId: 'inbox' }),
        ],
        enqueues: ['out', { topic: 'out2', label: 'maybe', conditional: true }],
      },
      handler,
    })
    expect(problems).toEqual([])
    expect(s!.generation).toBe('triggers')
    expect(s!.triggers.map((t) => `${t.type}#${t.index}`)).toEqual([
      'http#0',
      'http#1',
      'queue#2',
      'queue#3',
      'queue#3',
      'cron#4',
      'cron#5',
      'state#6',
      'stream#7',
    ])
    expect(s!.triggers[0]).toMatchObject({ method: 'POST', path: '/a/:id' })
    expect(s!.triggers[2]).toMatchObject({ topic: 't1', queueConfig: { maxRetries: 5 }, condition: cond })
    expect(s!.triggers[4]).toMatchObject({ topic: 't3' })
    expect(s!.triggers[6]).toMatchObject({ expression: '0 0 * * * *', timezone: 'Europe/Paris' })
    expect(s!.triggers[8]).toMatchObject({ streamName: 'todo', groupId: 'inbox' })
    expect(s!.enqueues).toEqual([{ topic: 'out' }, { topic: 'out2', label: 'maybe', conditional: true }])
  })

  test('step() helper and default export', () => {
    const exported = step({ name: 'S', triggers: [http('GET', '/s')] }, handler)
    expect(load({ default: exported }).step?.name).toBe('S')
    expect(load({ default: step({ name: 'T', triggers: [cron('* * * * *')] }).handle(handler) }).step?.name).toBe('T')
  })

  test('problems name the file, the field and what was expected; all are reported', () => {
    expect(
      messages({
        config: {
          name: '',
          triggers: [
            { type: 'http', method: 'FETCH', path: 'x' },
            { type: 'queue' },
            { type: 'cron', expression: 'nope' },
            { type: 'telepathy' },
            { type: 'stream' },
            'http',
          ],
          enqueues: [3],
        },
        handler,
      }),
    ).toEqual([
      'steps/x.step.ts: name: expected a non-empty step name, got ""',
      'steps/x.step.ts: triggers[5]: expected a trigger object with a "type", got "http"',
      'steps/x.step.ts: triggers[0].method: expected one of GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD, got "FETCH"',
      'steps/x.step.ts: triggers[0].path: expected a path starting with "/", got "x"',
      'steps/x.step.ts: triggers[1].topic: expected a topic to consume (`topic: string` or `subscribes: string[]`)',
      expect.stringContaining('steps/x.step.ts: triggers[2].expression: invalid cron expression "nope"'),
      'steps/x.step.ts: triggers[3].type: unknown trigger type "telepathy" (expected one of: api, cron, event, http, queue, state, stream)',
      'steps/x.step.ts: triggers[4].streamName: expected a stream name, got nothing',
      'steps/x.step.ts: enqueues[0]: expected a topic name or { topic, label?, conditional? }, got 3',
    ])
  })

  test('missing handler, bad condition, bad schema, bad queue config', () => {
    expect(messages({ config: { name: 'A', triggers: [http('GET', '/a')] } })).toEqual([
      'steps/x.step.ts: handler: expected an exported handler function, got nothing',
    ])
    expect(messages({ config: { name: 'A', triggers: [{ type: 'state', condition: 'yes' }] }, handler })).toEqual([
      'steps/x.step.ts: triggers[0].condition: expected a function (input, ctx) => boolean, got "yes"',
    ])
    expect(messages({ config: { name: 'A', triggers: [{ type: 'queue', topic: 't', input: 5 }] }, handler })).toEqual([
      'steps/x.step.ts: triggers[0].input: expected a zod schema or a JSON Schema object, got 5',
    ])
    expect(
      messages({
        config: { name: 'A', triggers: [queue('t', { config: { type: 'lifo' as 'fifo', concurrency: 0 } })] },
        handler,
      }),
    ).toEqual([
      'steps/x.step.ts: triggers[0].config.type: expected "standard" or "fifo", got "lifo"',
      'steps/x.step.ts: triggers[0].config.concurrency: expected a positive number, got 0',
    ])
  })

  test('no config export, no triggers', () => {
    expect(messages({ handler })).toEqual([
      'steps/x.step.ts: exports no `config` object (export `config` and `handler`, or a default `{ config, handler }`)',
    ])
    expect(messages({ config: { name: 'A' }, handler })).toEqual([
      'steps/x.step.ts: triggers: expected a `triggers` array (or a 0.x top-level `type`)',
    ])
  })

  test('unknown keys are warnings, not errors', () => {
    const r = load({ config: { name: 'A', triggers: [], colour: 'blue' } })
    expect(r.problems).toEqual([])
    expect(r.warnings).toEqual(['steps/x.step.ts: config.colour is not a known step config key; ignored'])
  })

  test('infrastructure.handler.timeout becomes ms', () => {
    const r = load({
      config: { name: 'A', triggers: [queue('t')], infrastructure: { handler: { timeout: 2.5 } } },
      handler,
    })
    expect(r.step!.handlerTimeoutMs).toBe(2500)
  })
})

describe('0.x top-level type', () => {
  test('api, event, cron and noop map onto triggers', () => {
    const api = load({ config: { type: 'api', name: 'A', path: '/a', method: 'GET', emits: ['x'] }, handler }).step!
    expect(api.generation).toBe('legacy')
    expect(api.triggers).toEqual([expect.objectContaining({ type: 'http', method: 'GET', path: '/a', index: 0 })])
    expect(api.enqueues).toEqual([{ topic: 'x' }])
    const ev = load({ config: { type: 'event', name: 'E', subscribes: ['a', 'b'], emits: [] }, handler }).step!
    expect(ev.triggers.map((t) => (t.type === 'queue' ? t.topic : ''))).toEqual(['a', 'b'])
    const cr = load({ config: { type: 'cron', name: 'C', cron: '0 * * * *', emits: [] }, handler }).step!
    expect(cr.triggers).toEqual([expect.objectContaining({ type: 'cron', expression: '0 * * * *' })])
    const noop = load({ config: { type: 'noop', name: 'N', virtualEmits: ['v'], virtualSubscribes: ['w'] } }).step!
    expect(noop.triggers).toEqual([])
    expect(noop.virtualEnqueues).toEqual([{ topic: 'v' }])
    expect(noop.handler).toBeUndefined()
  })

  test('an event step with `subscribes: []` loads, with a warning that it consumes nothing', () => {
    // examples/content-and-marketing/email-marketing-automation, 09-welcome-email-series.step.ts
    const r = load({
      config: { type: 'event', name: 'Welcome', subscribes: [], emits: ['email.send'], flows: ['f'] },
      handler,
    })
    expect(r.problems).toEqual([])
    expect(r.warnings).toEqual([
      'steps/x.step.ts: subscribes is empty: the step consumes no topic, so its handler never runs',
    ])
    expect(r.step).toMatchObject({ name: 'Welcome', triggers: [], enqueues: [{ topic: 'email.send' }], flows: ['f'] })
    // The same in a triggers array names the trigger.
    const t = load({ config: { name: 'T', triggers: [{ type: 'event', subscribes: [] }] }, handler })
    expect(t.problems).toEqual([])
    expect(t.warnings).toEqual([
      'steps/x.step.ts: triggers[0].subscribes is empty: the step consumes no topic, so its handler never runs',
    ])
    // Still a problem: no `subscribes` at all, or a non-topic in it.
    expect(messages({ config: { type: 'event', name: 'E', emits: [] }, handler })).toEqual([
      'steps/x.step.ts: subscribes: expected a topic to consume (`topic: string` or `subscribes: string[]`)',
    ])
  })

  test('0.x problems use top-level field names', () => {
    expect(messages({ config: { type: 'api', name: 'A', path: 'a', method: 'GET' }, handler })).toEqual([
      'steps/x.step.ts: path: expected a path starting with "/", got "a"',
    ])
    expect(messages({ config: { type: 'rpc', name: 'A' }, handler })).toEqual([
      'steps/x.step.ts: type: expected "api", "event", "cron" or "noop" (or a `triggers` array), got "rpc"',
    ])
  })
})
