import type { Cron } from 'croner'
import type { EngineClient } from '../../runtime/engine-client'
import { type CronClaim, scheduledRun, tickTime } from '../cron/cron-module'
import { croner } from '../cron/schedule'
import type { StateModuleApi } from '../state/state-module'
import type { IiiEngine, TriggerEntry } from './iii-engine'

const configOf = (t: TriggerEntry) => (t.config ?? {}) as Record<string, unknown>

/**
 * iii's built-in trigger types besides http (http-triggers.ts): `subscribe` (pub/sub topics,
 * fed by the `publish` function), `queue` (topics: workers' `enqueue` and steps' `ctx.enqueue`), `state`
 * (state changes, optionally one scope / key), `cron` (an expression), and
 * `engine::functions-available` (the set of functions changed).
 */
export function registerTriggerTypes(
  iii: IiiEngine,
  engine: EngineClient,
  state: StateModuleApi | undefined,
  /** The cron module's tick lock, read at each tick (several instances on Redis: one runs it). */
  claim: () => CronClaim | undefined = () => undefined,
): { stop(): void; queueTargets(topic: string): ReadonlySet<TriggerEntry> | undefined } {
  const topics = new Map<string, Map<string, Set<TriggerEntry>>>([
    ['subscribe', new Map()],
    ['queue', new Map()],
  ])
  const topicType = (id: 'subscribe' | 'queue', description: string) =>
    iii.triggerType({
      id,
      description,
      register(t) {
        const topic = configOf(t).topic
        if (typeof topic !== 'string' || topic === '') throw new Error(`${id} trigger: config.topic must be a string`)
        const byTopic = topics.get(id)!
        const set = byTopic.get(topic) ?? new Set()
        set.add(t)
        byTopic.set(topic, set)
        return () => set.delete(t)
      },
    })
  topicType('subscribe', 'a message published on a topic (publish)')
  topicType('queue', 'a message enqueued on a topic (enqueue)')
  const deliver = (id: 'subscribe' | 'queue', fn: string) =>
    iii.builtin(fn, (data, call) => {
      const p = (data ?? {}) as Record<string, unknown>
      if (typeof p.topic !== 'string') throw new Error(`${fn}: expected a string "topic"`)
      for (const t of topics.get(id)!.get(p.topic) ?? []) {
        void iii.fire(t, p.data, call.traceparent ? { traceparent: call.traceparent } : {}).catch(() => {})
      }
      return null
    })
  deliver('subscribe', 'publish')
  // `enqueue` goes through the engine's queue: steps subscribed to the topic get it (durably,
  // with their retries), and so do workers' `queue` triggers (queueTopics below).
  iii.builtin('enqueue', async (data, call) => {
    const p = (data ?? {}) as Record<string, unknown>
    if (typeof p.topic !== 'string' || p.topic === '') throw new Error('enqueue: expected a non-empty string "topic"')
    await engine.enqueue(
      { topic: p.topic, data: p.data ?? null },
      { step: 'iii-worker', traceId: call.traceparent?.split('-')[1] ?? crypto.randomUUID() },
    )
    return null
  })

  const stops: (() => void)[] = []
  if (state) {
    const stateTriggers = new Set<TriggerEntry>()
    iii.triggerType({
      id: 'state',
      description: 'a state item created, updated or deleted',
      register(t) {
        stateTriggers.add(t)
        return () => stateTriggers.delete(t)
      },
    })
    stops.push(
      state.onChange((change) => {
        for (const t of stateTriggers) {
          const c = configOf(t)
          if (typeof c.scope === 'string' && c.scope !== change.scope) continue
          if (typeof c.key === 'string' && c.key !== change.key) continue
          const { origin: _o, ...event } = change
          void iii.fire(t, event).catch(() => {})
        }
      }),
    )
  }

  iii.triggerType({
    id: 'cron',
    description: 'a schedule (cron expression, 6 or 7 fields with seconds)',
    register(t) {
      const expression = configOf(t).expression
      if (typeof expression !== 'string') throw new Error('cron trigger: config.expression must be a string')
      // The lock key names the function and its schedule, not the trigger id: the same worker
      // connected to several instances registers its trigger on each under a fresh id.
      const key = `iii:${t.function_id}:${expression}`
      const job = new (croner().Cron)(expression, { timezone: 'UTC' }, async (self: Cron) => {
        const at = tickTime(scheduledRun(self))
        const lock = claim()
        if (lock && !(await lock(key, at))) return
        void iii.fire(t, { trigger: 'cron', job_id: t.id, scheduled_time: new Date(at).toISOString() }).catch(() => {})
      })
      return () => job.stop()
    },
  })

  const available = new Set<TriggerEntry>()
  iii.triggerType({
    id: 'engine::functions-available',
    description: 'the set of registered functions changed',
    register(t) {
      available.add(t)
      return () => available.delete(t)
    },
  })
  let pending = false
  stops.push(
    iii.onFunctionsChanged(() => {
      if (pending || available.size === 0) return
      pending = true
      setTimeout(() => {
        pending = false
        const functions = [...iii.functions.values()].map((f) => ({ function_id: f.id }))
        for (const t of available) void iii.fire(t, { functions }).catch(() => {})
      }, 10)
    }),
  )
  return {
    stop() {
      for (const s of stops) s()
    },
    queueTargets: (topic) => topics.get('queue')!.get(topic),
  }
}
