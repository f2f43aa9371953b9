import { expect, test } from 'bun:test'
import { MetricRegistry } from '../metrics/registry'
import { AlertWindow, holds, sampleOf } from './alert-window'

test('counter: increase and rate over the window, measured from the newest sample before it', () => {
  const r = new MetricRegistry()
  const c = r.counter('jobs')
  const w = new AlertWindow(10_000)
  const rule = { labels: { step: 'A' } }
  const inst = r.instruments.get('jobs')
  for (const [t, add] of [
    [0, 0],
    [5_000, 3],
    [10_000, 2],
    [15_000, 5],
  ] as const) {
    c.with({ step: 'A' }).add(add)
    c.with({ step: 'B' }).add(100) // another label value: not counted
    w.add(sampleOf(inst, rule, t))
  }
  // The window is (5 s, 15 s]: from the 5 s sample (3) to 15 s (10).
  expect(w.reduce('increase')).toBe(7)
  expect(w.reduce('rate')).toBe(0.7)
  expect(w.reduce('value')).toBe(10)
})

test('histogram: p95 and avg of the observations inside the window only', () => {
  const r = new MetricRegistry()
  const h = r.histogram('lat', { buckets: [0.1, 0.2, 0.5, 1] })
  const w = new AlertWindow(60_000)
  for (let i = 0; i < 100; i++) h.with().record(0.05) // before the baseline
  w.add(sampleOf(r.instruments.get('lat'), { labels: {} }, 0))
  for (let i = 0; i < 90; i++) h.with().record(0.15)
  for (let i = 0; i < 10; i++) h.with().record(0.4)
  w.add(sampleOf(r.instruments.get('lat'), { labels: {} }, 1_000))
  // 95th of 100: the 5th of the 10 in (0.2, 0.5] → 0.2 + 0.3 × 5/10.
  expect(w.reduce('p95')).toBeCloseTo(0.35, 10)
  expect(w.reduce('p50')).toBeCloseTo(0.1 + 0.1 * (50 / 90), 10)
  expect(w.reduce('avg')).toBeCloseTo((90 * 0.15 + 10 * 0.4) / 100, 10)
  expect(w.reduce('count')).toBe(100)
  // No observation in a window: no figure, nothing fires.
  const quiet = new AlertWindow(60_000)
  quiet.add(sampleOf(r.instruments.get('lat'), { labels: {} }, 2_000))
  expect(quiet.reduce('p95')).toBeUndefined()
})

test('gauge: value, min, max, avg of the evaluations in the window; operators', () => {
  const r = new MetricRegistry()
  const g = r.gauge('depth')
  const w = new AlertWindow(2_000)
  for (const [t, v] of [
    [0, 50],
    [1_000, 4],
    [2_000, 8],
    [3_000, 6],
  ] as const) {
    g.with().set(v)
    w.add(sampleOf(r.instruments.get('depth'), { labels: {} }, t))
  }
  expect([w.reduce('value'), w.reduce('min'), w.reduce('max'), w.reduce('avg')]).toEqual([6, 4, 8, 6])
  expect([holds(6, '>', 5), holds(6, '>=', 6), holds(6, '<', 6), holds(6, '<=', 6), holds(6, '==', 6)]).toEqual([
    true,
    true,
    false,
    true,
    true,
  ])
})
