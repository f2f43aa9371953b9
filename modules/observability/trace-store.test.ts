import { Database } from 'bun:sqlite'
import { expect, test } from 'bun:test'
import type { LogRecord } from '../../runtime/logger'
import type { SpanRecord } from '../../runtime/tracing'
import { threadCpuMs } from '../../test/support/pause-probe'
import { MAX_TRACE_LOGS, MAX_TRACE_SPANS, TraceStore } from './trace-store'

const TRACE = 'a'.repeat(32)

const span = (i: number): SpanRecord => ({
  traceId: TRACE,
  spanId: i.toString(16).padStart(16, '0'),
  ...(i === 0 ? {} : { parentSpanId: `${'0'.repeat(15)}1` }),
  name: i === 0 ? 'POST /batch' : 'process work',
  kind: i === 0 ? 'server' : 'consumer',
  startTime: 1_000 + i,
  endTime: 1_001 + i,
  status: 'ok',
  attributes: { 'motia.step': i === 0 ? 'Batch' : 'Work' },
  events: [],
})

const log = (i: number): LogRecord => ({
  time: 1_000 + i,
  level: 'info',
  msg: `message ${i}`,
  traceId: TRACE,
  step: 'Work',
  fields: {},
})

test('one trace keeps its first spans and logs up to the limits and counts every span', () => {
  const store = new TraceStore(new Database(':memory:'), 100)
  const total = MAX_TRACE_SPANS * 2 + 500
  // Three writes, as a long batch's messages land across flushes.
  for (const [from, to] of [
    [0, 700],
    [700, MAX_TRACE_SPANS + 300],
    [MAX_TRACE_SPANS + 300, total],
  ] as const) {
    for (let i = from; i < to; i++) {
      store.add(span(i))
      store.addLog(log(i))
    }
    store.flush()
  }
  const summary = store.list().find((t) => t.traceId === TRACE)
  expect(summary?.spans).toBe(total)
  expect(summary?.name).toBe('POST /batch')
  const trace = store.get(TRACE)!
  // The row stops growing once full: at most one write's worth beyond the limit.
  expect(trace.spans.length).toBeGreaterThanOrEqual(MAX_TRACE_SPANS)
  expect(trace.spans.length).toBeLessThan(MAX_TRACE_SPANS + 700)
  expect(trace.spans[0]!.name).toBe('POST /batch')
  expect(trace.logs.length).toBeGreaterThanOrEqual(MAX_TRACE_LOGS)
  expect(trace.logs.length).toBeLessThan(MAX_TRACE_LOGS + 700)
  store.close()
})

test('a trace of an earlier layout is dropped, not misread', () => {
  const db = new Database(':memory:')
  db.run('CREATE TABLE motia_traces (trace_id TEXT PRIMARY KEY, name TEXT, span_data TEXT)')
  db.run("INSERT INTO motia_traces VALUES ('x', 'old', '')")
  const store = new TraceStore(db, 10)
  expect(store.list()).toEqual([])
  store.close()
})

test('over maxTraces new traces between writes, the first are kept whole and the rest dropped at once', () => {
  const store = new TraceStore(new Database(':memory:'), 5)
  const id = (i: number) => i.toString(16).padStart(32, '0')
  const root = (i: number): SpanRecord => ({ ...span(0), traceId: id(i), startTime: 1_000 + i })
  for (let i = 1; i <= 20; i++) {
    expect(store.hasRoom()).toBe(i <= 5)
    store.addLog({ ...log(i), traceId: id(i) })
    store.add(root(i))
  }
  store.flush()
  expect(store.hasRoom()).toBe(true) // a new window
  expect(store.list().map((t) => t.traceId)).toEqual([5, 4, 3, 2, 1].map(id))
  expect(store.get(id(3))?.logs).toHaveLength(1)
  expect(store.get(id(6))).toBeNull()
  // A trace admitted in the window before still gains its later spans (a queue handler's).
  store.add({ ...span(1), traceId: id(2), startTime: 5_000, endTime: 5_001 })
  store.flush()
  expect(store.get(id(2))?.spans).toHaveLength(2)
  // The next window admits new traces again.
  for (let i = 21; i <= 30; i++) store.add(root(i))
  store.flush()
  const kept = store.list({ limit: 100 }).map((t) => t.traceId)
  expect(kept).toContain(id(21))
  expect(kept).not.toContain(id(30))
  store.close()
})

test('a write that fails pauses recording with one warning; recording resumes once a write passes', async () => {
  const db = new Database(':memory:')
  const logged: { level: string; msg: string }[] = []
  const sink = {
    info: (msg: string) => logged.push({ level: 'info', msg }),
    warn: (msg: string) => logged.push({ level: 'warn', msg }),
    error: (msg: string) => logged.push({ level: 'error', msg }),
  }
  const store = new TraceStore(db, 100, { log: sink, file: '/data/traces.db' })
  db.run('PRAGMA query_only = ON') // every write now fails with SQLITE_READONLY
  store.add(span(0))
  expect(() => store.flush()).not.toThrow()
  expect(store.admits('b'.repeat(32))).toBe(false) // paused: nothing is recorded
  store.flush()
  expect(logged).toEqual([
    {
      level: 'warn',
      msg: expect.stringMatching(/^traces: writing \/data\/traces.db failed: \/data\/traces.db: it cannot be written/),
    },
  ])
  db.run('PRAGMA query_only = OFF')
  await Bun.sleep(1100) // the first pause lasts a second
  store.add(span(0))
  store.flush()
  expect(store.list().map((t) => t.traceId)).toEqual([TRACE])
  expect(logged.map((l) => l.level)).toEqual(['warn', 'info'])
  store.close()
})

test('gone: a trace older than retention keeps, or buffered when a write failed, may be missing; the rest is there', () => {
  const db = new Database(':memory:')
  const store = new TraceStore(db, 10)
  const id = (i: number) => i.toString(16).padStart(32, '0')
  const at = (i: number) => Date.now() - 100_000 + i * 1_000
  const root = (i: number): SpanRecord => ({ ...span(0), traceId: id(i), startTime: at(i), endTime: at(i) + 5 })
  for (let i = 1; i <= 11; i++) {
    store.add(root(i))
    store.flush()
  }
  expect(store.gone(at(1) + 5)).toBe(false) // 11 of 10: within the slack, nothing pruned yet
  store.add(root(12))
  store.flush() // 12 > 10 + 1: pruned down to the newest 10
  expect(store.get(id(2))).toBeNull()
  expect(store.gone(at(2) + 5)).toBe(true)
  expect(store.get(id(3))).not.toBeNull()
  expect(store.gone(at(3) + 5)).toBe(false)
  // A failed write drops what it held: a span that ended then is gone, older ones are not.
  db.run('PRAGMA query_only = ON')
  const ended = Date.now()
  store.add({ ...root(13), startTime: ended - 5, endTime: ended })
  store.flush()
  expect(store.gone(ended)).toBe(true)
  expect(store.get(id(3))).not.toBeNull()
  expect(store.gone(at(3) + 5)).toBe(false)
  db.run('PRAGMA query_only = OFF')
  store.close()
})

test('the timed write yields to the event loop every half millisecond or so, not after hundreds of traces', async () => {
  // maxTraces 5,000: room in the buffer (4 × maxTraces spans) for all 16,000 spans.
  const store = new TraceStore(new Database(':memory:'), 5_000)
  // 400 traces of 10 spans of ~1 KB: one transaction of 200 of them took tens of ms.
  for (let t = 0; t < 400; t++) {
    const traceId = t.toString(16).padStart(32, '0')
    for (let i = 0; i < 10; i++)
      store.add({ ...span(i), traceId, attributes: { 'motia.step': 'Work', pad: 'x'.repeat(1000) } })
  }
  // The write starts on its timer (1 s); meanwhile a tick loop measures the most CPU time spent
  // between two of its ticks (CPU time, not wall time: a loaded machine's preemption is not ours).
  // The thread's own CPU clock (test/support/pause-probe.ts): process.cpuUsage moves in ~4 ms ticks.
  const cpu = threadCpuMs
  let last = cpu()
  let longest = 0
  let ticks = 0
  const started = performance.now()
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = cpu()
      if (performance.now() - started > 900) longest = Math.max(longest, now - last)
      last = now
      ticks++
      if (performance.now() - started > 3_000) resolve()
      else setImmediate(tick)
    }
    tick()
  })
  expect(store.list({ limit: 1_000 }).length).toBe(400)
  expect(ticks).toBeGreaterThan(100)
  // A slice is ~0.5 ms of writes (one transaction's commit on top; grouping the buffer by trace
  // is a few ms here); writes of 200 traces at once took ~50 ms. 20 ms leaves room for a slow machine.
  expect(longest).toBeLessThan(20)
  store.close()
})
