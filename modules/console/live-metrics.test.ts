import { expect, test } from 'bun:test'
import { manySeries } from '../../test/support/metrics-series'
import { PauseProbe } from '../../test/support/pause-probe'
import { RuntimeMetrics } from '../observability/metrics/runtime-metrics'
import { answerJson, metricsAnswer } from './live-metrics'
import { MetricsHistory } from './metrics-history'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const MIN = 60_000

/** 1,000 routes and 20 subscriptions, every one busy for 70 minutes. */
async function busyHistory(): Promise<MetricsHistory> {
  const m = new RuntimeMetrics()
  const { routes, subs } = manySeries(m)
  const stats = subs.map((_, t) => ({
    topic: `t${t}`,
    subscription: `S#0:t${t}`,
    ready: t,
    delayed: 0,
    inFlight: 1,
    dead: 0,
  }))
  const history = new MetricsHistory(m.registry, async () => stats)
  for (let k = 0; k < 70; k++) {
    for (const r of routes) r.record(0.01 * (1 + (k % 3)), k % 2 ? 'a'.repeat(32) : undefined, T0 + k * MIN)
    for (const s of subs) s.processed.add(1)
    await history.snapshot(T0 + k * MIN)
  }
  return history
}

test('the answer is serialised in slices to the same JSON as JSON.stringify', async () => {
  const answer = await metricsAnswer(await busyHistory())
  expect(JSON.parse(await answerJson(answer))).toEqual(JSON.parse(JSON.stringify(answer)))
  const off = await metricsAnswer(undefined)
  expect(JSON.parse(await answerJson(off))).toEqual(off)
})

// Issue #25: with one connection, a console page showing metrics rebuilt 1,000 routes' figures
// every second in one piece (~150-200 ms of CPU), which was the p99 of every request meanwhile.
// CPU time of the event-loop thread between two of its turns: machine load does not count.
test('the figures of 1,000 routes, and their JSON, never hold the event loop for more than a few ms', async () => {
  const history = await busyHistory()
  const once = async () => {
    const probe = new PauseProbe()
    await history.snapshot()
    const json = await answerJson(await metricsAnswer(history))
    return { longest: probe.stop(), bytes: json.length }
  }
  await once() // compiles the code paths
  const { longest, bytes } = await once()
  expect(bytes).toBeGreaterThan(1_000_000)
  expect(longest).toBeLessThan(5)
})
