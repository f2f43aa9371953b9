/**
 * Storage that goes wrong under a running app: a write lock held by another process on each
 * database, a full disk, read-only and damaged files. Where the point is that the process stays
 * up, through the compiled binary; the rest in-process. Loopback only, bounded in time.
 * Full disks and read-only files need root (mount, chattr): those tests skip without it.
 */
import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { WorkerEngineClient } from '../../modules/queue/pool/worker-engine-client'
import type { QueueModuleApi } from '../../modules/queue/queue-module'
import { MotiaError } from '../../runtime/errors'
import { ensureBinary, type RunningMotia, startMotia } from '../support/binary'
import { copyFixture, FIXTURES, fixtureRuntime, tempDir } from '../support/runtime'

const IS_ROOT = process.getuid?.() === 0
/** Mounting a tmpfs and `chattr +i` need root: skipped, with this reason, otherwise. */
const asRoot = IS_ROOT ? test : test.skip
const ROOT_REASON = IS_ROOT ? '' : ' [skipped: needs root for mount/chattr]'

let project: { path: string; dispose(): void }
beforeAll(async () => {
  await ensureBinary()
}, 120_000)
afterAll(() => project?.dispose())

const args = (dir: string) => ['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1']

function fresh(): string {
  project?.dispose()
  project = copyFixture('storage')
  return project.path
}

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

/** Calls GET /hello every 50 ms for `ms`, and returns the slowest answer (ms); each must be 200. */
async function helloLatency(url: string, ms: number): Promise<number> {
  let slowest = 0
  const until = Date.now() + ms
  while (Date.now() < until) {
    const t0 = performance.now()
    const res = await fetch(`${url}/hello`)
    slowest = Math.max(slowest, performance.now() - t0)
    expect(res.status).toBe(200)
    await Bun.sleep(50)
  }
  return slowest
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(50)
  }
}

/** A start-up that must be refused: the output of a process that exited with 1 before "ready". */
async function refusedStart(dir: string, env: Record<string, string> = {}): Promise<string> {
  const outcome = await startMotia(args(dir), { env }).then(
    async (motia) => {
      await motia.stop()
      return `it started:\n${motia.output()}`
    },
    (err: Error) => err.message,
  )
  expect(outcome).toStartWith('motia exited with 1 before ready')
  return outcome
}

const count = (text: string, needle: string) => text.split(needle).length - 1

/** An outside process's write lock (this test process is one): BEGIN IMMEDIATE until released. */
function holdWriteLock(file: string): { release(): void } {
  const db = new Database(file)
  db.run('PRAGMA busy_timeout = 5000')
  db.run('BEGIN IMMEDIATE')
  return {
    release() {
      db.run('ROLLBACK')
      db.close()
    },
  }
}

function run(cmd: string[]): boolean {
  return Bun.spawnSync(cmd, { stdout: 'ignore', stderr: 'ignore' }).exitCode === 0
}

/** A tmpfs of `size` at `dir`, always unmounted by the caller's `finally`. */
function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true })
  if (!run(['mount', '-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]))
    throw new Error(`cannot mount a tmpfs at ${dir}`)
}

/** Fills the file system holding `dir` to the last byte. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w')
  const chunk = Buffer.alloc(64 * 1024, 1)
  try {
    for (;;) writeSync(fd, chunk)
  } catch {
    // ENOSPC: now byte by byte, so not even a small write fits.
    try {
      for (;;) writeSync(fd, chunk, 0, 1)
    } catch {}
  } finally {
    closeSync(fd)
  }
}

function createDatabase(file: string): void {
  const db = new Database(file, { create: true })
  db.run('PRAGMA journal_mode = WAL')
  db.run('CREATE TABLE IF NOT EXISTS filler (a)')
  db.close()
}

describe('a write lock held by another process', () => {
  test('on motia.db: routes without storage answer fast throughout, a write waits then gets 503, all resumes', async () => {
    const dir = fresh()
    const motia = await startMotia(args(dir))
    try {
      expect((await post(motia.url, '/state/before', { size: 10 })).status).toBe(200)
      const lock = holdWriteLock(join(dir, '.motia', 'motia.db'))
      let slowest: number
      let blocked: Response
      try {
        const write = post(motia.url, '/state/locked', { size: 10 })
        slowest = await helloLatency(motia.url, 6000)
        blocked = await write
      } finally {
        lock.release()
      }
      expect(slowest).toBeLessThan(200)
      // The HTTP status (503) is the code's: see 'HTTP answers a storage error with its status' below.
      expect(((await blocked.json()) as { code: string }).code).toBe('E_STORAGE_BUSY')
      // Everything works again without a restart: state, and the queue (enqueue, claim, ack).
      expect((await post(motia.url, '/state/after', { size: 10 })).status).toBe(200)
      expect((await post(motia.url, '/enqueue', { id: 'after' })).status).toBe(202)
      await waitFor('the message to be handled', async () => {
        const r = (await (await fetch(`${motia.url}/done/after`)).json()) as { done: boolean }
        return r.done
      })
      // The lease sweeper failed every second meanwhile: said once, and once that it recovered.
      expect(count(motia.output(), 'queue: lease recovery failed')).toBeLessThanOrEqual(1)
      expect(motia.proc.exitCode).toBeNull()
    } finally {
      await motia.stop()
    }
  }, 30_000)

  test('on traces.db for 6 s: the server stays up and fast, one warning, recording resumes', async () => {
    const dir = fresh()
    const motia = await startMotia(args(dir))
    try {
      await helloLatency(motia.url, 1200) // traces.db has been written to
      const lock = holdWriteLock(join(dir, '.motia', 'traces.db'))
      let slowest: number
      try {
        slowest = await helloLatency(motia.url, 6000)
      } finally {
        lock.release()
      }
      expect(slowest).toBeLessThan(200)
      await waitFor(
        'trace recording to resume',
        async () => {
          await fetch(`${motia.url}/hello`)
          return motia.output().includes('works again')
        },
        20_000,
      )
      expect(count(motia.output(), 'traces: writing')).toBe(2) // "failed", then "works again"
      expect(motia.output()).toContain(join(dir, '.motia', 'traces.db'))
      expect(motia.proc.exitCode).toBeNull()
    } finally {
      await motia.stop()
    }
  }, 40_000)
})

describe('a full disk', () => {
  asRoot(
    `writes fail with E_STORAGE_FULL naming the file, workers catch it, nothing dies, all resumes when space returns${ROOT_REASON}`,
    async () => {
      const dir = fresh()
      const mnt = join(dir, 'small-disk')
      mountTmpfs(mnt, '5m')
      let motia: RunningMotia | undefined
      try {
        const dbFile = join(mnt, 'motia.db')
        motia = await startMotia(args(dir), { env: { MOTIA_SQLITE: dbFile, MOTIA_CRON: 'true' } })
        const url = motia.url
        expect((await post(url, '/state/before', { size: 10 })).status).toBe(200)
        fillDisk(join(mnt, 'filler'))
        const big = { size: 1_000_000 }
        const answers: Response[] = [
          await post(url, '/state/full', big),
          await post(url, '/enqueue', { id: 'full', ...big }),
          await post(url, '/stream/full', big),
        ]
        const bodies = (await Promise.all(answers.map((r) => r.json()))) as { code: string }[]
        // The HTTP status (507) is the code's: see 'HTTP answers a storage error with its status' below.
        expect(answers.every((r) => r.status >= 500)).toBe(true)
        expect(bodies.map((b) => b.code)).toEqual(['E_STORAGE_FULL', 'E_STORAGE_FULL', 'E_STORAGE_FULL'])
        // The cron step's write, from a worker thread, fails with a code its try/catch sees.
        await waitFor('a worker to catch the storage error', () =>
          motia!.output().includes('tick caught E_STORAGE_FULL'),
        )
        expect(motia.output()).toContain(`tick caught E_STORAGE_FULL: ${dbFile}`)
        expect(await helloLatency(url, 2500)).toBeLessThan(200)
        expect(count(motia.output(), 'traces: writing')).toBeLessThanOrEqual(1)
        expect(motia.proc.exitCode).toBeNull()

        // Space comes back: no restart needed.
        Bun.spawnSync(['rm', '-f', join(mnt, 'filler')])
        expect((await post(url, '/state/after', { size: 1000 })).status).toBe(200)
        expect((await post(url, '/enqueue', { id: 'after' })).status).toBe(202)
        await waitFor('the message to be handled', async () => {
          const r = (await (await fetch(`${url}/done/after`)).json()) as { done: boolean }
          return r.done
        })
        const before = motia.output().lastIndexOf('tick caught')
        await waitFor('the cron step to write again', () => motia!.output().indexOf('tick stored', before) > before)
        expect(motia.proc.exitCode).toBeNull()
      } finally {
        await motia?.stop()
        run(['umount', '-l', mnt])
      }
    },
    60_000,
  )
})

describe('read-only and damaged files', () => {
  asRoot(
    `an immutable motia.db stops start-up with a message naming it${ROOT_REASON}`,
    async () => {
      const dir = fresh()
      const file = join(dir, '.motia', 'motia.db')
      // A database the app has used (its tables exist): only writes would fail.
      const first = await startMotia(args(dir))
      expect((await post(first.url, '/state/k', { size: 10 })).status).toBe(200)
      await first.stop()
      if (!run(['chattr', '+i', file])) return console.warn('skipped: chattr +i is not supported here')
      try {
        expect(await refusedStart(dir)).toContain(`${file}: it cannot be written`)
      } finally {
        run(['chattr', '-i', file])
      }
    },
    30_000,
  )

  asRoot(
    `motia.db on a read-only mount stops start-up with a message naming it${ROOT_REASON}`,
    async () => {
      const dir = fresh()
      const mnt = join(dir, 'ro')
      mountTmpfs(mnt, '5m')
      try {
        const file = join(mnt, 'motia.db')
        createDatabase(file)
        expect(run(['mount', '-o', 'remount,ro', mnt])).toBe(true)
        expect(await refusedStart(dir, { MOTIA_SQLITE: file })).toContain(`${file}: it cannot be opened`)
      } finally {
        run(['umount', '-l', mnt])
      }
    },
    30_000,
  )

  asRoot(
    `an immutable traces.db: the server runs without traces, one warning${ROOT_REASON}`,
    async () => {
      const dir = fresh()
      const file = join(dir, '.motia', 'traces.db')
      mkdirSync(join(dir, '.motia'))
      createDatabase(file)
      if (!run(['chattr', '+i', file])) return console.warn('skipped: chattr +i is not supported here')
      let motia: RunningMotia | undefined
      try {
        motia = await startMotia(args(dir))
        expect(await helloLatency(motia.url, 3500)).toBeLessThan(200)
        expect(motia.proc.exitCode).toBeNull()
        // Its schema cannot even be created: traces stay in memory, said once at start-up.
        expect(count(motia.output(), `${file}: it cannot be written`)).toBe(1)
      } finally {
        await motia?.stop()
        run(['chattr', '-i', file])
      }
    },
    30_000,
  )

  test('a damaged traces.db is moved aside and a fresh one started; a damaged motia.db is named', async () => {
    const dir = fresh()
    mkdirSync(join(dir, '.motia'))
    const traces = join(dir, '.motia', 'traces.db')
    await Bun.write(traces, 'this is not a database '.repeat(500))
    const motia = await startMotia(args(dir))
    try {
      expect((await fetch(`${motia.url}/hello`)).status).toBe(200)
      expect(motia.output()).toContain(`${traces}: it is not a database`)
      const aside = readdirSync(join(dir, '.motia')).filter((f) => f.startsWith('traces.db.corrupt-'))
      expect(aside).toHaveLength(1)
      expect(await Bun.file(join(dir, '.motia', aside[0]!)).text()).toStartWith('this is not a database')
    } finally {
      await motia.stop()
    }
    const db = new Database(traces, { readonly: true })
    expect(db.query('SELECT count(*) AS n FROM motia_traces').get()).toEqual({ n: expect.any(Number) })
    db.close()

    const main = join(dir, '.motia', 'motia.db')
    await Bun.write(main, 'this is not a database either '.repeat(500))
    expect(await refusedStart(dir)).toContain(`${main}: it is not a database or is damaged (SQLITE_NOTADB`)
  }, 30_000)

  test('a clean SIGTERM leaves motia.db complete on its own (the WAL is emptied), even with a reader open', async () => {
    const dir = fresh()
    const motia = await startMotia(args(dir))
    expect((await post(motia.url, '/state/kept', { size: 1234 })).status).toBe(200)
    // Another connection to the file (a shell, a backup tool): the server's close is not the
    // last one, so SQLite would not fold the WAL back by itself.
    const reader = new Database(join(dir, '.motia', 'motia.db'), { readonly: true })
    try {
      expect(await motia.stop('SIGTERM')).toBe(0)
      const wal = join(dir, '.motia', 'motia.db-wal')
      expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0)
    } finally {
      reader.close()
    }
    const copy = tempDir()
    try {
      copyFileSync(join(dir, '.motia', 'motia.db'), join(copy.path, 'backup.db'))
      const db = new Database(join(copy.path, 'backup.db'), { readonly: true })
      const row = db.query("SELECT value FROM motia_state WHERE group_id = 'data' AND key = 'kept'").get() as {
        value: string
      } | null
      db.close()
      expect(JSON.parse(row!.value).size).toBe(1234)
    } finally {
      copy.dispose()
    }
  }, 30_000)
})

describe('storage errors reaching a worker', () => {
  test('a reply with a code the catalogue lacks rejects the ctx call (catchable), keeping the code', async () => {
    const client = new WorkerEngineClient(() => {}, 'error', new Set())
    const call = client.state('set', ['g', 'k', 1], { step: 's', traceId: 't' })
    expect(() =>
      client.reply(1, false, { name: 'SQLiteError', message: 'database or disk is full', code: 'SQLITE_FULL' }),
    ).not.toThrow()
    const err = (await call.catch((e: unknown) => e)) as MotiaError
    expect(err).toBeInstanceOf(MotiaError)
    expect({ code: err.code, status: err.status, details: err.details, message: err.message }).toEqual({
      code: 'E_INTERNAL',
      status: 500,
      details: { originalCode: 'SQLITE_FULL' },
      message: 'database or disk is full',
    })
  })
})

describe('in-process', () => {
  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

  test('a queue claim that fails is logged once, retried with backoff, and the message handled once it passes', async () => {
    await using rt = await fixtureRuntime(join(FIXTURES, 'storage'))
    const db = rt.services.shared.get('sqlite.db') as Database
    const queue = rt.services.shared.get('queue') as QueueModuleApi
    await queue.adapter.enqueue({ topic: 'work', data: { id: 'late' }, traceId: 't1', delayMs: 200 })
    // Every write of the engine's connection now fails (SQLITE_READONLY), claims included.
    db.run('PRAGMA query_only = ON')
    const failing = () => rt.records.filter((r) => r.msg.startsWith('queue: claiming messages failed'))
    await waitFor('a failed claim', () => failing().length > 0, 5000)
    await Bun.sleep(800) // several retries meanwhile
    db.run('PRAGMA query_only = OFF')
    await waitFor('the message to be handled', async () => {
      const r = (await (await rt.request('/done/late')).json()) as { done: boolean }
      return r.done
    })
    expect(failing()).toHaveLength(1)
    expect(failing()[0]!.msg).toContain(`${rt.config.sqlite.path}: it cannot be written`)
    expect(rt.records.some((r) => r.msg.startsWith('queue: claiming messages works again'))).toBe(true)
  }, 15_000)

  test('a write from an HTTP handler that cannot be stored: the code, and a message naming the file', async () => {
    await using rt = await fixtureRuntime(join(FIXTURES, 'storage'))
    const db = rt.services.shared.get('sqlite.db') as Database
    db.run('PRAGMA query_only = ON')
    const res = await rt.request('/state/x', json({ size: 10 }))
    const body = (await res.json()) as { code: string; message?: string }
    db.run('PRAGMA query_only = OFF')
    expect(body.code).toBe('E_STORAGE_READONLY')
    expect(body.message).toStartWith(`${rt.config.sqlite.path}: it cannot be written`)
    expect((await rt.request('/state/x', json({ size: 10 }))).status).toBe(200)
  })

  // The storage codes carry 503 / 507 in the catalogue (runtime/error-codes.ts); step-route.ts uses them.
  test('HTTP answers a storage error with its status (503 for E_STORAGE_READONLY / _BUSY, 507 for _FULL)', async () => {
    await using rt = await fixtureRuntime(join(FIXTURES, 'storage'))
    const db = rt.services.shared.get('sqlite.db') as Database
    db.run('PRAGMA query_only = ON')
    const res = await rt.request('/state/x', json({ size: 10 }))
    db.run('PRAGMA query_only = OFF')
    expect(res.status).toBe(503)
  })
})
