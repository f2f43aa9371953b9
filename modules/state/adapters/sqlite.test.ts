import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stateAdapterSuite } from '../adapter.suite'
import { SqliteStateAdapter } from './sqlite'

const dir = mkdtempSync(join(tmpdir(), 'motia-state-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const file = () => join(dir, `s${n++}.db`)

stateAdapterSuite('sqlite', () => SqliteStateAdapter.open(file()))

test('values survive closing and reopening the file', async () => {
  const path = file()
  const a = SqliteStateAdapter.open(path)
  await a.set('orders', 'o1', { total: 3 })
  await a.close()
  const b = SqliteStateAdapter.open(path)
  expect(await b.get('orders', 'o1')).toEqual({ total: 3 })
  await b.close()
})

test('two connections on one file: concurrent increments lose nothing', async () => {
  const path = file()
  const a = SqliteStateAdapter.open(path)
  const b = SqliteStateAdapter.open(path)
  const inc = (x: SqliteStateAdapter) => x.update('g', 'k', [{ type: 'increment', path: 'n', by: 1 }])
  await Promise.all(Array.from({ length: 200 }, (_, i) => inc(i % 2 ? a : b)))
  expect(await a.get('g', 'k')).toEqual({ n: 200 })
  await a.close()
  await b.close()
})

test('a worker thread and the main thread increment the same key: nothing lost', async () => {
  const path = file()
  const main = SqliteStateAdapter.open(path)
  const worker = new Worker(join(import.meta.dir, 'fixtures', 'increment-worker.ts'))
  const done = new Promise((r) => {
    worker.onmessage = r
  })
  worker.postMessage({ path, count: 300 })
  for (let i = 0; i < 300; i++) await main.update('g', 'shared', [{ type: 'increment', path: 'n', by: 1 }])
  await done
  worker.terminate()
  expect(await main.get('g', 'shared')).toEqual({ n: 600 })
  await main.close()
})
