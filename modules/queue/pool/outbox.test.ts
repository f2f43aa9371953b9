import { expect, test } from 'bun:test'
import { outbox, received } from './outbox'

/** An outbox of numbered messages, and what it sent. */
function numbered() {
  const sent: unknown[] = []
  const post = outbox<{ type: 'n'; n: number }>(
    (m) => sent.push(m),
    () => {},
  )
  return { sent, post }
}

test('messages of one turn go as one batch, in order; a lone message as itself', async () => {
  const { sent, post } = numbered()
  post({ type: 'n', n: 1 })
  post({ type: 'n', n: 2 })
  post({ type: 'n', n: 3 })
  expect(sent).toEqual([])
  await new Promise((r) => setImmediate(r))
  expect(sent).toEqual([
    {
      type: 'batch',
      messages: [
        { type: 'n', n: 1 },
        { type: 'n', n: 2 },
        { type: 'n', n: 3 },
      ],
    },
  ])
  post({ type: 'n', n: 4 })
  await new Promise((r) => setImmediate(r))
  expect(sent[1]).toEqual({ type: 'n', n: 4 })
})

test('a message that cannot be sent fails alone: the rest of its batch is sent one by one', async () => {
  const sent: unknown[] = []
  const unsendable: unknown[] = []
  const post = outbox<{ type: 'n'; n: unknown }>(
    (m) => {
      // As postMessage does: a value it cannot clone anywhere in the message throws, nothing is sent.
      structuredClone(m)
      sent.push(m)
    },
    (m, err) => unsendable.push([m, (err as Error).name]),
  )
  const bad = { type: 'n' as const, n: () => 2 }
  post({ type: 'n', n: 1 })
  post(bad)
  post({ type: 'n', n: 3 })
  await new Promise((r) => setImmediate(r))
  expect(sent).toEqual([
    { type: 'n', n: 1 },
    { type: 'n', n: 3 },
  ])
  expect(unsendable).toEqual([[bad, 'DataCloneError']])
  post(bad)
  await new Promise((r) => setImmediate(r))
  expect(unsendable).toHaveLength(2)
  expect(sent).toHaveLength(2)
})

test("messages `asText` picks go as JSON text, a turn's run of them as one batch, the turn's order kept", async () => {
  const sent: unknown[] = []
  type M = { type: 'job' | 'call'; n: number }
  const post = outbox<M>(
    (m) => sent.push(m),
    () => {},
    (m) => m.type === 'job',
  )
  for (const m of [
    { type: 'job', n: 1 },
    { type: 'job', n: 2 },
    { type: 'call', n: 3 },
    { type: 'job', n: 4 },
  ] as M[])
    post(m)
  await new Promise((r) => setImmediate(r))
  expect(sent).toEqual([
    JSON.stringify({
      type: 'batch',
      messages: [
        { type: 'job', n: 1 },
        { type: 'job', n: 2 },
      ],
    }),
    { type: 'call', n: 3 },
    JSON.stringify({ type: 'job', n: 4 }),
  ])
  expect(sent.map((m) => received<unknown>(m as string))).toEqual([
    {
      type: 'batch',
      messages: [
        { type: 'job', n: 1 },
        { type: 'job', n: 2 },
      ],
    },
    { type: 'call', n: 3 },
    { type: 'job', n: 4 },
  ])
})

test('a text message that cannot be stringified fails alone', async () => {
  const sent: unknown[] = []
  const unsendable: unknown[] = []
  const post = outbox<{ type: 'job'; n: unknown }>(
    (m) => sent.push(m),
    (m, err) => unsendable.push([m, (err as Error).name]),
    () => true,
  )
  const bad = { type: 'job' as const, n: 2n }
  post({ type: 'job', n: 1 })
  post(bad)
  post({ type: 'job', n: 3 })
  await new Promise((r) => setImmediate(r))
  expect(sent).toEqual([JSON.stringify({ type: 'job', n: 1 }), JSON.stringify({ type: 'job', n: 3 })])
  expect(unsendable).toEqual([[bad, 'TypeError']])
})

test('flush() sends what is queued at once, as one batch; the turn then sends only what came after', async () => {
  const { sent, post } = numbered()
  post({ type: 'n', n: 1 })
  post({ type: 'n', n: 2 })
  post.flush()
  expect(sent).toEqual([
    {
      type: 'batch',
      messages: [
        { type: 'n', n: 1 },
        { type: 'n', n: 2 },
      ],
    },
  ])
  post({ type: 'n', n: 3 })
  await new Promise((r) => setImmediate(r))
  expect(sent).toEqual([sent[0], { type: 'n', n: 3 }])
})
