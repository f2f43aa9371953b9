import { expect, test } from 'bun:test'
import { MeasurementBatch } from './otel-meter'

test('a batch reports its first measurement once, and again after each take', () => {
  let started = 0
  const batch = new MeasurementBatch(() => started++)
  batch.sink('jobs', 'counter', {}, 1, { kind: 'a' })
  batch.sink('jobs', 'counter', {}, 2, { kind: 'a' })
  batch.sink('jobs', 'counter', {}, 1, { kind: 'b' })
  expect(started).toBe(1)
  expect(batch.take()?.map((p) => [p.attributes, p.values])).toEqual([
    [{ kind: 'a' }, [3]],
    [{ kind: 'b' }, [1]],
  ])
  expect(batch.take()).toBeUndefined()
  batch.sink('jobs', 'counter', {}, 1, { kind: 'a' })
  expect(started).toBe(2)
})
