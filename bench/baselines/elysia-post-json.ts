// Baseline for bench/post-json.ts: bare Elysia validating a JSON body with zod and writing it to
// bun:sqlite (WAL, synchronous=NORMAL: the pragmas of motia's sqlite state adapter), then
// answering 201. Listens on port 0 and prints its URL. It writes the row motia's adapter writes
// (the item with its id, and the time of the write): a row rewritten with the very same bytes is
// no page write for SQLite, and with the bench's 1,000 keys this baseline then wrote almost no
// WAL, so it never checkpointed or synced, which is most of a single connection's p99.
import { Database } from 'bun:sqlite'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import { z } from 'zod'

const db = new Database(join(mkdtempSync(join(tmpdir(), 'elysia-post-')), 'state.db'))
db.run('PRAGMA journal_mode = WAL')
db.run('PRAGMA synchronous = NORMAL')
db.run(
  'CREATE TABLE state (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (grp, key))',
)
const put = db.prepare(
  'INSERT INTO state (grp, key, value, updated_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
)
const Item = z.object({ name: z.string(), qty: z.number().int() })

const app = new Elysia()
  .post('/items/:id', ({ params, body, set }) => {
    const item = { id: params.id, ...Item.parse(body) }
    put.run('items', item.id, JSON.stringify(item), Date.now())
    set.status = 201
    return item
  })
  .listen({ port: 0, hostname: '127.0.0.1' })
console.log(`ready ${app.server!.url.href}`)
