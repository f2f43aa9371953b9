// Baseline for bench/post-json.ts: bare Elysia validating a JSON body with zod and writing it to
// bun:sqlite (WAL, synchronous=NORMAL: the pragmas of motia's sqlite state adapter), then
// answering 201. Listens on port 0 and prints its URL.
import { Database } from 'bun:sqlite'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import { z } from 'zod'

const db = new Database(join(mkdtempSync(join(tmpdir(), 'elysia-post-')), 'state.db'))
db.run('PRAGMA journal_mode = WAL')
db.run('PRAGMA synchronous = NORMAL')
db.run('CREATE TABLE state (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (grp, key))')
const put = db.prepare(
  'INSERT INTO state (grp, key, value) VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET value = excluded.value',
)
const Item = z.object({ name: z.string(), qty: z.number().int() })

const app = new Elysia()
  .post('/items/:id', ({ params, body, set }) => {
    const item = Item.parse(body)
    put.run('items', params.id, JSON.stringify(item))
    set.status = 201
    return { id: params.id, ...item }
  })
  .listen({ port: 0, hostname: '127.0.0.1' })
console.log(`ready ${app.server!.url.href}`)
