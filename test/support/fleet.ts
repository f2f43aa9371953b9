import { afterAll, beforeAll, expect } from 'bun:test'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type RunningMotia, startMotia, testBinary } from './binary'
import { copyFixture, tempDir } from './runtime'

/**
 * Several `motia start` processes of the fleet fixture (test/fixtures/fleet) through the compiled
 * binary: the file-level setup, the instances, and what the fleet tests ask of them.
 */

/** The binary, a copy of the fleet fixture and a temp dir for the instances' data, for one test file. */
export interface FleetFixture {
  readonly binary: string
  readonly project: { path: string }
  readonly tmp: { path: string }
}

/** Builds the binary and copies the fixture before the file's tests; removes both dirs after them. */
export function fleetFixture(tmpPrefix: string): FleetFixture {
  const tmp = tempDir(tmpPrefix)
  let binary: string | undefined
  let project: ReturnType<typeof copyFixture> | undefined
  beforeAll(async () => {
    binary = await testBinary()
    project = copyFixture('fleet')
  }, 120_000)
  afterAll(() => {
    project?.dispose()
    tmp.dispose()
  })
  return {
    get binary() {
      if (binary === undefined) throw new Error('fleetFixture: the binary is built in beforeAll')
      return binary
    },
    get project() {
      if (project === undefined) throw new Error('fleetFixture: the project is copied in beforeAll')
      return project
    },
    tmp,
  }
}

export interface Fleet {
  nodes: RunningMotia[]
  urls(): string[]
  start(k: number): Promise<RunningMotia>
  [Symbol.asyncDispose](): Promise<void>
}

/**
 * `n` instances, instance `k` with its own SQLite file under `dataDir` and instance id `label-k`,
 * `VISIBILITY` 5 s, then `env` (the adapters), then `extra` over all of it. Disposing stops them
 * (errors ignored) and then runs `drop` (errors ignored).
 */
export async function startFleet(
  fx: FleetFixture,
  opts: {
    label: string
    n: number
    dataDir: string
    env: Record<string, string>
    extra?: Record<string, string>
    drop(): Promise<void>
  },
): Promise<Fleet> {
  mkdirSync(opts.dataDir, { recursive: true })
  const start = (k: number) =>
    startMotia(['start', '--dir', fx.project.path, '--port', '0', '--host', '127.0.0.1'], {
      binary: fx.binary,
      env: {
        ...opts.env,
        MOTIA_SQLITE: join(opts.dataDir, `${k}.db`),
        MOTIA_INSTANCE_ID: `${opts.label}-${k}`,
        VISIBILITY: '5',
        ...opts.extra,
      },
    })
  const nodes = await Promise.all(Array.from({ length: opts.n }, (_, k) => start(k)))
  const f: Fleet = {
    nodes,
    urls: () => f.nodes.map((m) => m.url),
    start,
    async [Symbol.asyncDispose]() {
      await Promise.all(f.nodes.map((m) => m.stop().catch(() => undefined)))
      await opts.drop().catch(() => undefined)
    },
  }
  return f
}

/** POSTs `body` as JSON (no body when `undefined`). */
export const post = (url: string, body?: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

export const json = async <T>(url: string) => (await (await fetch(url)).json()) as T

/** What the fixture's `/count/:group` answers. */
export interface Count {
  total: number
  deliveries: number
  duplicates: number
  values?: { n: number; s?: number }[]
}
export const count = (url: string, group: string, values = false) =>
  json<Count>(`${url}/count/${group}${values ? '?values=1' : ''}`)

/** Polls `probe` every 25 ms until it returns true: a condition on running processes, not a timer. */
export async function until(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!(await probe().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await Bun.sleep(25)
  }
}

/** What {@link loadThroughKill} saw. */
export interface KillLoad {
  /** ms until every message was accepted (202). */
  loadMs: number
  /** ms until every accepted message was handled. */
  doneMs: number
  /** Requests refused or cut, sent again to another instance. */
  retried: number
  handled: Count
}

/**
 * `total` messages POSTed to `/work` by 32 clients over the fleet's first three instances; once a
 * third are accepted, instance 2 is SIGKILLed and restarted. Like a proxy, a request refused or
 * cut is sent again to another instance. Asserts every message was accepted, then waits until
 * every one was handled (the fixture's `handled` count), at least once.
 */
export async function loadThroughKill(f: Fleet, total: number): Promise<KillLoad> {
  const accepted = new Set<number>()
  let retried = 0
  let next = 0
  let killed = false
  let down = -1
  const send = async (i: number): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const urls = f.urls().filter((_, k) => k !== down)
      const url = urls[(i + attempt) % urls.length]!
      try {
        if ((await post(`${url}/work`, { i })).status === 202) return void accepted.add(i)
      } catch {}
      retried++
    }
  }
  const worker = async () => {
    while (next < total) {
      await send(next++)
      if (!killed && accepted.size >= total / 3) {
        killed = true
        down = 2
        await f.nodes[2]!.stop('SIGKILL')
        f.nodes[2] = await f.start(2)
        down = -1
      }
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: 32 }, worker))
  const loadMs = performance.now() - t0
  expect(accepted.size).toBe(total)
  let handled: Count = { total: 0, deliveries: 0, duplicates: 0 }
  await until(
    async () => {
      handled = await count(f.urls()[0]!, 'handled')
      return handled.total === total
    },
    60_000,
    `all ${total} messages handled`,
  )
  return { loadMs, doneMs: performance.now() - t0, retried, handled }
}
