import { expect, test } from 'bun:test'
import type { SamplingConfig } from '../../runtime/config/schema'
import { newTraceId } from '../../runtime/trace-id'
import { TraceSampler, traceIdHash } from './sampler'

const base: SamplingConfig = { ratio: 1, rules: [], parentBased: true, keepErrors: true }
const GET_HIT = { type: 'http', method: 'GET', path: '/hit' }
const TOPIC = { type: 'queue', topic: 'order.placed' }

test('the ratio is decided by trace id: two samplers (two instances) agree on every trace', () => {
  const a = new TraceSampler({ ...base, ratio: 0.25 })
  const b = new TraceSampler({ ...base, ratio: 0.25 })
  const ids = Array.from({ length: 4000 }, () => newTraceId())
  const keptA = ids.map((id) => a.decide(id, 'fresh', 'GET /hit', 'Hit', GET_HIT) === undefined)
  const keptB = ids.map((id) => b.decide(id, 'root', 'process x', 'X', TOPIC) === undefined)
  expect(keptB).toEqual(keptA)
  const share = keptA.filter(Boolean).length / ids.length
  expect(share).toBeGreaterThan(0.22)
  expect(share).toBeLessThan(0.28)
  // The random low bits of a W3C id; another id form hashes the same everywhere too.
  expect(traceIdHash('4bf92f3577b34da6a3ce929dffffffff')).toBe(0xffffffff)
  expect(traceIdHash('order-42')).toBe(traceIdHash('order-42'))
})

test('ratio 0 keeps nothing, 1 everything', () => {
  const none = new TraceSampler({ ...base, ratio: 0 })
  const all = new TraceSampler(base)
  for (let i = 0; i < 500; i++) {
    const id = newTraceId()
    expect(none.decide(id, 'fresh', 'GET /hit', 'Hit', GET_HIT)).toBe('sampled out (ratio 0)')
    expect(all.decide(id, 'fresh', 'GET /hit', 'Hit', GET_HIT)).toBeUndefined()
  }
})

test('rules: the first that matches wins; wildcards; fields a trigger lacks never match', () => {
  const s = new TraceSampler({
    ...base,
    ratio: 0,
    rules: [
      { topic: 'order.*', ratio: 1 },
      { trigger: 'queue', ratio: 0 },
      { method: 'GET', route: '/hit', ratio: 1 },
      { step: 'Cron*', ratio: 1 },
      { name: 'POST /o*', ratio: 1 },
    ],
  })
  const id = newTraceId()
  expect(s.decide(id, 'root', 'process order.placed', 'Ship', TOPIC)).toBeUndefined()
  expect(s.decide(id, 'root', 'process audit', 'Audit', { type: 'queue', topic: 'audit' })).toBe(
    'sampled out (rule 2: trigger queue, ratio 0)',
  )
  expect(s.decide(id, 'fresh', 'GET /hit', 'Hit', GET_HIT)).toBeUndefined()
  expect(s.decide(id, 'root', 'cron CronSweep', 'CronSweep', { type: 'cron' })).toBeUndefined()
  expect(s.decide(id, 'fresh', 'POST /orders', 'Place', { type: 'http', method: 'POST', path: '/orders' })).toBe(
    undefined,
  )
  expect(s.decide(id, 'fresh', 'PUT /x', 'X', { type: 'http', method: 'PUT', path: '/x' })).toBe(
    'sampled out (ratio 0)',
  )
})

test("parent-based: a parent's decision holds over ratio and rules; off, each execution decides", () => {
  const on = new TraceSampler({ ...base, ratio: 0 })
  const off = new TraceSampler({ ...base, ratio: 0, parentBased: false, rules: [{ trigger: 'queue', ratio: 1 }] })
  const id = newTraceId()
  expect(on.decide(id, 'sampled', 'process x', 'X', TOPIC)).toBeUndefined()
  expect(new TraceSampler(base).decide(id, 'not-sampled', 'process x', 'X', TOPIC)).toContain('by its parent')
  expect(off.decide(id, 'not-sampled', 'process x', 'X', TOPIC)).toBeUndefined()
  expect(off.decide(id, 'sampled', 'GET /hit', 'Hit', GET_HIT)).toBe('sampled out (ratio 0)')
})

test('maxTracesPerSecond: new traces over the cap in one second are not kept; the next second starts afresh', () => {
  let now = 10_000
  const s = new TraceSampler({ ...base, maxTracesPerSecond: 3 }, () => now)
  const decide = () => s.decide(newTraceId(), 'fresh', 'GET /hit', 'Hit', GET_HIT)
  expect([decide(), decide(), decide(), decide()]).toEqual([
    undefined,
    undefined,
    undefined,
    'over maxTracesPerSecond (3)',
  ])
  // A flow's later executions are not new traces: never capped.
  expect(s.decide(newTraceId(), 'sampled', 'process x', 'X', TOPIC)).toBeUndefined()
  now += 999
  expect(decide()).toBe('over maxTracesPerSecond (3)')
  now += 1
  expect(decide()).toBeUndefined()
})

test('explain: a recent decision with its reason, else what the ratio says of the id', () => {
  const s = new TraceSampler({ ...base, ratio: 0.5 })
  const ids = Array.from({ length: 200 }, () => newTraceId())
  for (const id of ids) s.decide(id, 'fresh', 'GET /hit', 'Hit', GET_HIT)
  for (const id of ids) {
    const kept = traceIdHash(id) < 2 ** 31
    expect(s.explain(id)).toBe(kept ? undefined : 'sampled out (ratio 0.5)')
  }
  // A trace's first decision is the answer: its root's, not that of the messages it caused.
  const parentOut = newTraceId()
  s.decide(parentOut, 'not-sampled', 'GET /hit', 'Hit', GET_HIT)
  s.decide(parentOut, 'root', 'process x', 'X', TOPIC)
  expect(s.explain(parentOut)).toContain('by its parent')
  const zero = new TraceSampler({ ...base, ratio: 0 })
  // Past the 8,192 remembered, the ratio's verdict on the id.
  const old = newTraceId()
  zero.decide(old, 'not-sampled', 'GET /hit', 'Hit', GET_HIT)
  for (let i = 0; i < 8192; i++) zero.decide(newTraceId(), 'fresh', 'GET /hit', 'Hit', GET_HIT)
  expect(zero.explain(old)).toBe('sampled out (ratio 0)')
  const again = newTraceId()
  zero.decide(again, 'fresh', 'GET /hit', 'Hit', GET_HIT)
  zero.decide(again, 'not-sampled', 'process x', 'X', TOPIC)
  expect(zero.explain(again)).toBe('sampled out (ratio 0)')
  // Never seen: the ratio's verdict on its id.
  expect(new TraceSampler({ ...base, ratio: 0.5 }).explain('4bf92f3577b34da6a3ce929dffffffff')).toBe(
    'sampled out (ratio 0.5)',
  )
  expect(new TraceSampler({ ...base, ratio: 0.5 }).explain('4bf92f3577b34da6a3ce929d00000001')).toBeUndefined()
  // The ring's empty entries (hash 0) are no decision, not even for an id whose hash is 0.
  const fresh = new TraceSampler({ ...base, ratio: 0.5 })
  fresh.decide(newTraceId(), 'not-sampled', 'GET /hit', 'Hit', GET_HIT)
  expect(fresh.explain('4bf92f3577b34da6a3ce929d00000000')).toBeUndefined()
})
