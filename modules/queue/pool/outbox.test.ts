import { expect, test } from 'bun:test'
import { outbox } from './outbox'

test('messages of one turn go as one batch, in order; a lone message as itself', async () => {
  const sent: unknown[] = []
  const post = outbox<{ type: 'n'; n: number }>(
    (m) => sent.push(m),
    () => {},
  )
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
