import type { Database } from 'bun:sqlite'
import type { DeadLetterFilter, QueueMessage } from '../adapter'

/** Tables of the durable queue: messages (one row per subscription copy) and dead letters. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS motia_queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subscription TEXT NOT NULL,
  topic TEXT NOT NULL,
  data TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  group_id TEXT,
  idempotency_key TEXT,
  attempt INTEGER NOT NULL DEFAULT 0,
  inflight INTEGER NOT NULL DEFAULT 0,
  visible_at INTEGER NOT NULL,
  lease_until INTEGER,
  enqueued_at INTEGER NOT NULL,
  last_error TEXT,
  parent_span_id TEXT
);
-- Waiting messages only: a claim removes its rows from this index and an ack touches it not
-- at all (an index on inflight moved every claimed row, and an ack removed it again).
CREATE INDEX IF NOT EXISTS motia_queue_ready ON motia_queue (subscription, id, visible_at) WHERE inflight = 0;
-- FIFO: the messages of a group, in order.
CREATE INDEX IF NOT EXISTS motia_queue_group ON motia_queue (subscription, group_id, id) WHERE group_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS motia_queue_idem ON motia_queue (subscription, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS motia_dead_letters (
  id INTEGER PRIMARY KEY,
  subscription TEXT NOT NULL,
  topic TEXT NOT NULL,
  data TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  group_id TEXT,
  attempts INTEGER NOT NULL,
  error TEXT,
  reason TEXT NOT NULL,
  failed_at INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL
);`

/** Columns added after the first release, for files created before them. */
export function migrate(db: Database): void {
  db.run('DROP INDEX IF EXISTS motia_queue_order')
  const columns = db.query<{ name: string }, []>('PRAGMA table_info(motia_queue)').all()
  if (!columns.some((c) => c.name === 'parent_span_id'))
    db.run('ALTER TABLE motia_queue ADD COLUMN parent_span_id TEXT')
}

const COLUMNS = 'id, subscription, topic, data, trace_id, group_id, attempt, enqueued_at, parent_span_id'
/** A claim's rows: its subscription is the one claimed (a column less to turn into strings per row). */
const CLAIMED = COLUMNS.replace('subscription, ', '')

/**
 * Every statement the queue runs, prepared once per connection. None uses RETURNING: SQLite
 * builds a temporary table for it, which made an insert ~2.5× and a claim ~1.5× as costly.
 */
export function statements(db: Database) {
  return {
    // ON CONFLICT (a repeated idempotency key): nothing is inserted and `changes` is 0.
    insert: db.query<
      unknown,
      [string, string, string, string, string | null, string | null, number, number, string | null]
    >(
      `INSERT INTO motia_queue (subscription, topic, data, trace_id, group_id, idempotency_key, visible_at, enqueued_at, parent_span_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    byIdem: db.query<{ id: number }, [string, string]>(
      'SELECT id FROM motia_queue WHERE subscription = ? AND idempotency_key = ?',
    ),
    // A claim reads the oldest ready messages, then leases each (`lease`), inside one IMMEDIATE
    // transaction (the group commit): no other connection to the file can claim in between.
    ready: db.query(
      `SELECT ${CLAIMED} FROM motia_queue INDEXED BY motia_queue_ready
       WHERE subscription = ?1 AND inflight = 0 AND visible_at <= ?2 ORDER BY id LIMIT ?3`,
    ),
    // FIFO: a message of a group only when no older message of its group is left (waiting,
    // delayed for a retry or in flight): the oldest of each group, and none while one is in
    // flight (a group's in-flight message is always its oldest).
    readyFifo: db.query(
      `SELECT ${CLAIMED.replace(/(\w+)/g, 'm.$1')} FROM motia_queue m INDEXED BY motia_queue_ready
       WHERE m.subscription = ?1 AND m.inflight = 0 AND m.visible_at <= ?2
         AND (m.group_id IS NULL OR NOT EXISTS (
              SELECT 1 FROM motia_queue o INDEXED BY motia_queue_group
              WHERE o.subscription = ?1 AND o.group_id = m.group_id AND o.id < m.id))
       ORDER BY m.id LIMIT ?3`,
    ),
    get: db.query(`SELECT ${COLUMNS} FROM motia_queue WHERE id = ?`),
    delete: db.query<unknown, [number]>('DELETE FROM motia_queue WHERE id = ?'),
    retry: db.query<unknown, [number, string, number]>(
      'UPDATE motia_queue SET inflight = 0, lease_until = NULL, visible_at = ?, last_error = ? WHERE id = ?',
    ),
    release: db.query<unknown, [number]>(
      'UPDATE motia_queue SET inflight = 0, lease_until = NULL, attempt = MAX(attempt - 1, 0) WHERE id = ? AND inflight = 1',
    ),
    expired: db.query(`SELECT ${COLUMNS} FROM motia_queue WHERE inflight = 1 AND lease_until < ?`),
    unlease: db.query<unknown, [number]>('UPDATE motia_queue SET inflight = 0, lease_until = NULL WHERE id = ?'),
    nextVisible: db.query('SELECT MIN(visible_at) AS at FROM motia_queue WHERE subscription = ? AND inflight = 0'),
    // FIFO: only the oldest message of each group can become ready (readyFifo); the others wait
    // for it, however long ago they were visible.
    nextVisibleFifo: db.query(
      `SELECT MIN(m.visible_at) AS at FROM motia_queue m
       WHERE m.subscription = ?1 AND m.inflight = 0
         AND (m.group_id IS NULL OR NOT EXISTS (
              SELECT 1 FROM motia_queue o INDEXED BY motia_queue_group
              WHERE o.subscription = ?1 AND o.group_id = m.group_id AND o.id < m.id))`,
    ),
    stats: db.query(
      `SELECT subscription, topic,
         SUM(inflight = 0 AND visible_at <= ?1) AS ready, SUM(inflight = 0 AND visible_at > ?1) AS delayed,
         SUM(inflight = 1) AS inflight,
         MIN(CASE WHEN inflight = 0 AND visible_at <= ?1 THEN enqueued_at END) AS oldest
       FROM motia_queue GROUP BY subscription, topic`,
    ),
    deadStats: db.query(
      'SELECT subscription, topic, COUNT(*) AS n FROM motia_dead_letters GROUP BY subscription, topic',
    ),
    insertDead: db.query(
      `INSERT OR REPLACE INTO motia_dead_letters
       (id, subscription, topic, data, trace_id, group_id, attempts, error, reason, failed_at, enqueued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    resurrect: db.query(
      `INSERT INTO motia_queue (subscription, topic, data, trace_id, group_id, visible_at, enqueued_at)
       SELECT subscription, topic, data, trace_id, group_id, ?1, enqueued_at FROM motia_dead_letters WHERE id = ?2`,
    ),
    deleteDead: db.query<unknown, [number]>('DELETE FROM motia_dead_letters WHERE id = ?'),
  }
}

/** Ids bound as one `IN (?, ?, ...)` list: a statement per list length, prepared on first use. */
const IN_LISTS = 64

/**
 * The statements that take a list of ids: a claim leases its rows, and a turn's acks delete
 * theirs, in one statement instead of one per message.
 */
export function idListStatements(db: Database) {
  const lease: ReturnType<Database['query']>[] = []
  const remove: ReturnType<Database['query']>[] = []
  const list = (n: number) => Array.from({ length: n }, () => '?').join(', ')
  /** Runs `stmt(n)` over `ids` in slices of at most IN_LISTS, each slice's ids after `head`. */
  const over = (
    cache: ReturnType<Database['query']>[],
    sql: (inList: string) => string,
    head: number[],
    ids: readonly number[],
  ) => {
    for (let i = 0; i < ids.length; i += IN_LISTS) {
      const slice = ids.length <= IN_LISTS ? ids : ids.slice(i, i + IN_LISTS)
      const n = slice.length
      cache[n] ??= db.query(sql(list(n)))
      cache[n]!.run(...head, ...slice)
    }
  }
  return {
    lease: (leaseUntil: number, ids: readonly number[]) =>
      over(
        lease,
        (l) => `UPDATE motia_queue SET inflight = 1, attempt = attempt + 1, lease_until = ? WHERE id IN (${l})`,
        [leaseUntil],
        ids,
      ),
    delete: (ids: readonly number[]) => over(remove, (l) => `DELETE FROM motia_queue WHERE id IN (${l})`, [], ids),
  }
}

/** A message row as a claim reads it (the claim names its subscription). */
export interface Row {
  id: number
  topic: string
  data: string
  trace_id: string
  group_id: string | null
  attempt: number
  enqueued_at: number
  parent_span_id: string | null
}

/** A message row read whole (maintenance, dead-lettering). */
export type FullRow = Row & { subscription: string }

/** A claimed row as the adapter contract's message. */
export function toMessage(r: Row, subscription: string): QueueMessage {
  const m: QueueMessage = {
    id: String(r.id),
    topic: r.topic,
    subscription,
    data: JSON.parse(r.data),
    traceId: r.trace_id,
    attempt: r.attempt,
    enqueuedAt: r.enqueued_at,
  }
  if (r.group_id !== null) m.messageGroupId = r.group_id
  if (r.parent_span_id) m.parentSpanId = r.parent_span_id
  return m
}

/** The WHERE clause of the dead-letter maintenance calls. */
export function deadFilter(f: DeadLetterFilter): { where: string; params: string[] } {
  const clauses: string[] = []
  const params: string[] = []
  if (f.topic) {
    clauses.push('topic = ?')
    params.push(f.topic)
  }
  if (f.subscription) {
    clauses.push('subscription = ?')
    params.push(f.subscription)
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params }
}
