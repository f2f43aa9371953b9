/**
 * State: get / set / update(increment) ops/s of the sqlite state adapter on a temp file (WAL,
 * synchronous NORMAL), awaited one at a time and with 64 in flight, against two baselines
 * measured in the same run: the memory adapter, and raw bun:sqlite with SQLite's default
 * pragmas (rollback journal, synchronous FULL) running the same statements in the same
 * transactions. A third row, raw bun:sqlite with the adapter's pragmas, isolates what the
 * adapter layer itself costs. Each cell stops at --ops operations or --budget-ms, whichever comes first.
 *   bun bench/state.ts [--ops 50000] [--budget-ms 2000]
 */
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { StateAdapter } from '../modules/state/adapter'
import { MemoryStateAdapter } from '../modules/state/adapters/memory'
import { SqliteStateAdapter } from '../modules/state/adapters/sqlite'
import { openSqlite } from '../modules/storage/sqlite-database'
import { fmt } from './support'

const { values: args } = parseArgs({
  args: Bun.argv.slice(2),
  options: { ops: { type: 'string', default: '50000' }, 'budget-ms': { type: 'string', default: '2000' } },
})
const OPS = Number(args.ops)
const BUDGET_MS = Number(args['budget-ms'])
const KEYS = 1000
const value = (i: number) => ({ i, name: 'x'.repeat(32), tags: ['a', 'b'] })
const INC = [{ type: 'increment', path: 'n', by: 1 }] as const

/** The three operations under test; each returns a promise, as the adapter API does. */
interface Target {
  get(i: number): Promise<unknown>
  set(i: number): Promise<unknown>
  update(): Promise<unknown>
  close(): Promise<void>
}

interface Cell {
  opsPerSec: number
  ops: number
  /** Stopped by the time budget before reaching OPS. */
  capped: boolean
}

async function measure(op: (i: number) => Promise<unknown>, inFlight: number): Promise<Cell> {
  let started = 0
  const t0 = performance.now()
  const deadline = t0 + BUDGET_MS
  const lane = async () => {
    while (started < OPS && performance.now() < deadline) await op(started++)
  }
  await Promise.all(Array.from({ length: inFlight }, lane))
  const ms = performance.now() - t0
  return { opsPerSec: (started / ms) * 1000, ops: started, capped: started < OPS }
}

const COLUMNS = ['get', 'set', 'update', 'get ×64', 'set ×64', 'update ×64'] as const

async function run(t: Target): Promise<Cell[]> {
  const cells: Cell[] = []
  // set first, so get finds the keys
  const set = await measure((i) => t.set(i), 1)
  cells.push(await measure((i) => t.get(i), 1), set, await measure(() => t.update(), 1))
  const set64 = await measure((i) => t.set(i), 64)
  cells.push(await measure((i) => t.get(i), 64), set64, await measure(() => t.update(), 64))
  await t.close()
  return cells
}

function adapterTarget(a: StateAdapter): Target {
  return {
    get: (i) => a.get('bench', `k${i % KEYS}`),
    set: (i) => a.set('bench', `k${i % KEYS}`, value(i)),
    update: () => a.update('bench', 'counter', INC),
    close: () => a.close(),
  }
}

/**
 * The adapter's statements and transactions, without the adapter, on `db`: SQLite's default
 * pragmas (the baseline), or openSqlite's (to show what the adapter layer itself costs).
 */
function rawTarget(db: Database): Target & { pragmas: string } {
  db.run(`CREATE TABLE motia_state (group_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    updated_at INTEGER NOT NULL, PRIMARY KEY (group_id, key)) WITHOUT ROWID`)
  const get = db.prepare<{ value: string }, [string, string]>(
    'SELECT value FROM motia_state WHERE group_id = ? AND key = ?',
  )
  const put = db.prepare<unknown, [string, string, string, number]>(
    `INSERT INTO motia_state (group_id, key, value, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (group_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  )
  const setTx = db.transaction((key: string, json: string) => {
    const old = get.get('bench', key)?.value ?? null
    put.run('bench', key, json, Date.now())
    return old
  })
  const incTx = db.transaction((key: string) => {
    const row = get.get('bench', key)
    const old = row ? (JSON.parse(row.value) as { n: number }) : { n: 0 }
    const json = JSON.stringify({ ...old, n: old.n + 1 })
    put.run('bench', key, json, Date.now())
    return { old, json }
  })
  const journal = db.query<{ journal_mode: string }, []>('PRAGMA journal_mode').get()!.journal_mode
  const sync = db.query<{ synchronous: number }, []>('PRAGMA synchronous').get()!.synchronous
  return {
    pragmas: `journal_mode=${journal}, synchronous=${['OFF', 'NORMAL', 'FULL', 'EXTRA'][sync]}`,
    get: async (i) => {
      const row = get.get('bench', `k${i % KEYS}`)
      return row ? JSON.parse(row.value) : null
    },
    set: async (i) => {
      const json = JSON.stringify(value(i))
      const old = setTx.immediate(`k${i % KEYS}`, json)
      return { old_value: old === null ? null : JSON.parse(old), new_value: JSON.parse(json) }
    },
    update: async () => {
      const { old, json } = incTx.immediate('counter')
      return { old_value: old, new_value: JSON.parse(json) }
    },
    close: async () => db.close(),
  }
}

const dir = mkdtempSync(join(tmpdir(), 'motia-state-bench-'))
try {
  const adapter = SqliteStateAdapter.open(join(dir, 'state.db'))
  const raw = rawTarget(new Database(join(dir, 'raw-default.db'), { create: true, strict: true }))
  const rawTuned = rawTarget(openSqlite(join(dir, 'raw-tuned.db')))
  const rows: [string, Cell[]][] = []
  rows.push([`sqlite adapter (${rawTuned.pragmas})`, await run(adapterTarget(adapter))])
  rows.push(['memory adapter', await run(adapterTarget(new MemoryStateAdapter()))])
  rows.push([`raw bun:sqlite, SQLite defaults (${raw.pragmas})`, await run(raw)])
  rows.push([`raw bun:sqlite, adapter pragmas (${rawTuned.pragmas})`, await run(rawTuned)])

  const width = Math.max(...rows.map(([n]) => n.length)) + 2
  const times = (r: number) => `${fmt(r, r >= 10 ? 0 : r >= 1 ? 1 : 2)}×`
  const cell = (c: Cell) => `${fmt(c.opsPerSec)}${c.capped ? '*' : ' '}`.padStart(12)
  console.log(
    `State ops/s: ${fmt(OPS)} ops per cell or ${fmt(BUDGET_MS)} ms, whichever comes first (temp file in ${dir})`,
  )
  console.log(`${''.padEnd(width)}${COLUMNS.map((c) => `${c} `.padStart(12)).join('')}`)
  for (const [name, cells] of rows) console.log(`${name.padEnd(width)}${cells.map(cell).join('')}`)
  const ratio = (label: string, over: Cell[]) =>
    console.log(
      `${label.padEnd(width)}${rows[0]![1].map((c, i) => `${times(c.opsPerSec / over[i]!.opsPerSec)} `.padStart(12)).join('')}`,
    )
  ratio('ratio sqlite adapter / raw default pragmas', rows[2]![1])
  ratio('ratio sqlite adapter / raw, same pragmas', rows[3]![1])
  ratio('ratio sqlite adapter / memory adapter', rows[1]![1])
  const capped = rows.flatMap(([name, cells]) =>
    cells.flatMap((c, i) => (c.capped ? [`${name.split(' (')[0]} ${COLUMNS[i]} ${fmt(c.ops)}`] : [])),
  )
  if (capped.length > 0) console.log(`* stopped by the time budget; ops done: ${capped.join(', ')}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
