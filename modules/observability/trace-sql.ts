import type { Database } from 'bun:sqlite'
import { MAX_TRACE_LOGS, MAX_TRACE_SPANS } from './trace-deltas'

/**
 * One row per trace: its spans and log records as JSON lines appended on each write, so a
 * trace costs one upsert and, once out of retention, one delete (a row per span cost ~3x that
 * under load). Reads take the newest rows, never the whole table.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS motia_traces (
  trace_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  step TEXT,
  root INTEGER NOT NULL,
  start REAL NOT NULL,
  end REAL NOT NULL,
  status TEXT NOT NULL,
  spans INTEGER NOT NULL,
  steps TEXT NOT NULL,
  span_data TEXT NOT NULL,
  logs INTEGER NOT NULL,
  log_data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS motia_traces_start ON motia_traces(start);
`

// In DO UPDATE, bare column names are the stored row's values: the root span (no parent)
// names the trace, else the earliest span does.
const better = 'excluded.root > root OR (excluded.root = root AND excluded.start < start)'

/** Adds a write's part of a trace to its row (?1 trace id … ?12 log lines). */
export const UPSERT = `INSERT INTO motia_traces (trace_id, name, step, root, start, end, status, spans, steps, span_data, logs, log_data)
   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
   ON CONFLICT(trace_id) DO UPDATE SET
     name = CASE WHEN ${better} THEN excluded.name ELSE name END,
     step = CASE WHEN ${better} THEN excluded.step ELSE step END,
     root = max(root, excluded.root),
     start = min(start, excluded.start),
     end = max(end, excluded.end),
     status = CASE WHEN status = 'error' OR excluded.status = 'error' THEN 'error' ELSE status END,
     spans = spans + excluded.spans,
     steps = steps || excluded.steps,
     span_data = CASE WHEN span_data = '' THEN excluded.span_data
                      WHEN excluded.span_data = '' OR spans >= ${MAX_TRACE_SPANS} THEN span_data
                      ELSE span_data || char(10) || excluded.span_data END,
     logs = logs + excluded.logs,
     log_data = CASE WHEN log_data = '' THEN excluded.log_data
                     WHEN excluded.log_data = '' OR logs >= ${MAX_TRACE_LOGS} THEN log_data
                     ELSE log_data || char(10) || excluded.log_data END`

/** Creates the table, dropping one of an earlier layout. */
export function createTraceTable(db: Database): void {
  dropEarlierLayout(db)
  db.run(SCHEMA)
}

/** Traces are a cache for the console: tables of an earlier layout are dropped, not migrated. */
function dropEarlierLayout(db: Database): void {
  const columns = db.query<{ name: string }, []>('PRAGMA table_info(motia_traces)').all()
  if (columns.length > 0 && !columns.some((c) => c.name === 'logs')) {
    db.run('DROP TABLE IF EXISTS motia_traces')
    db.run('DROP TABLE IF EXISTS motia_spans')
    db.run('DROP TABLE IF EXISTS motia_trace_logs')
  }
}
