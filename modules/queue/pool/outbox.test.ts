import { expect, test } from 'bun:test'
import { outbox } from './outbox'

test('messages of one turn go as one batch, in order; a lone message as itself', async () => {
  const sent: unknown[] = []
  const post = outbox<{ type: 'n'; n: number }>((m) => sent.push(m))
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
