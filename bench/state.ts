/**
 * State: get / set / update(increment) ops/s of the sqlite adapter on a temp file (WAL,
 * synchronous NORMAL), sequential and with 64 in flight, against two baselines in the same
 * run: the memory adapter, and raw bun:sqlite with SQLite's default pragmas (rollback journal,
 * synchronous FULL) doing the same statements.
 *   bun bench/state.ts [--ops 20000]
 */
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { StateAdapter } from '../modules/state/adapter'
import { MemoryStateAdapter } from '../modules/state/adapters/memory'
import { SqliteStateAdapter } from '../modules/state/adapters/sqlite'
import { fmt } from './support'

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { ops: { type: 'string', default: '20000' } } })
const N = Number(values.ops)
const dir = mkdtempSync(join(tmpdir(), 'motia-state-bench-'))

async function measure(run: (i: number) => Promise<unknown> | unknown, parallel = 1): Promise<number> {
  const t0 = performance.now()
  if (parallel === 1) for (let i = 0; i < N; i++) await run(i)
  else {
    let next = 0
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < N) await run(next++)
      }),
    )
  }
  return (N / (performance.now() - t0)) * 1000
}

async function adapterRow(name: string, a: StateAdapter) {
  const set = await measure((i) => a.set('bench', `k${i % 1000}`, { i, name: 'x'.repeat(32) }))
  const get = await measure((i) => a.get('bench', `k${i % 1000}`))
  const upd = await measure(() => a.update('bench', 'counter', [{ type: 'increment', path: 'n', by: 1 }]))
  const upd64 = await measure(() => a.update('bench', 'counter64', [{ type: 'increment', path: 'n', by: 1 }]), 64)
  await a.close()
  return { name, set, get, upd, upd64 }
}

/** Baseline: the same statements on raw bun:sqlite with SQLite's default pragmas. */
async function rawDefaultRow() {
  const db = new Database(join(dir, 'raw.db'), { create: true })
  db.run('CREATE TABLE s (g TEXT, k TEXT, v TEXT, PRIMARY KEY (g, k)) WITHOUT ROWID')
  const put = db.query('INSERT INTO s VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET v = excluded.v')
  const get = db.query('SELECT v FROM s WHERE g = ? AND k = ?')
  const inc = db.transaction((k: string) => {
    const row = get.get('bench', k) as { v: string } | null
    const n = row ? JSON.parse(row.v).n + 1 : 1
    put.run('bench', k, JSON.stringify({ n }))
  })
  const n = Math.min(N, 2000) // default pragmas are slow; fewer ops keep the run short
  const timed = async (f: (i: number) => unknown) => {
    const t0 = performance.now()
    for (let i = 0; i < n; i++) f(i)
    return (n / (performance.now() - t0)) * 1000
  }
  const row = {
    name: 'raw bun:sqlite, default pragmas',
    set: await timed((i) => put.run('bench', `k${i % 1000}`, JSON.stringify({ i }))),
    get: await timed((i) => get.get('bench', `k${i % 1000}`)),
    upd: await timed(() => inc.immediate('counter')),
    upd64: Number.NaN,
  }
  db.close()
  return row
}

try {
  const rows = [
    await adapterRow('sqlite adapter (WAL, NORMAL)', SqliteStateAdapter.open(join(dir, 'state.db'))),
    await adapterRow('memory adapter', new MemoryStateAdapter()),
    await rawDefaultRow(),
  ]
  console.log(`State ops/s, ${fmt(N)} ops each (values ~60 bytes of JSON)`)
  console.log(
    `  ${'adapter'.padEnd(34)} ${'set'.padStart(9)} ${'get'.padStart(9)} ${'update'.padStart(9)} ${'update×64'.padStart(10)}`,
  )
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(34)} ${fmt(r.set).padStart(9)} ${fmt(r.get).padStart(9)} ${fmt(r.upd).padStart(9)} ${(Number.isNaN(r.upd64) ? '-' : fmt(r.upd64)).padStart(10)}`,
    )
  }
  const [s, , raw] = rows as [(typeof rows)[0], unknown, (typeof rows)[0]]
  console.log(
    `  ratio sqlite adapter / raw default pragmas: set ${fmt(s.set / raw.set, 1)}×, update ${fmt(s.upd / raw.upd, 1)}×`,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
