import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import {
  type Fleet as BaseFleet,
  type Count,
  count,
  fleetFixture,
  json,
  loadThroughKill,
  post,
  startFleet,
  until,
} from '../support/fleet'
import { dropPrefix, freshPrefix, redisAnswers, redisForTests, TEST_REDIS_URL } from '../support/redis'
import { tempDir } from '../support/runtime'

/**
 * Several `motia start` processes of one project (test/fixtures/fleet) on one Redis: state,
 * streams and queues on the redis adapters, a fresh key prefix per test, dropped after it.
 */
const redisUp = await redisForTests('fleet tests')

const fx = fleetFixture('motia-fleet-')

interface Fleet extends BaseFleet {
  prefix: string
}

/** `n` instances on one Redis under a fresh prefix; disposing stops them and drops the prefix. */
async function fleet(label: string, n: number, extra: Record<string, string> = {}): Promise<Fleet> {
  const prefix = freshPrefix(`fleet-${label}`)
  const redisUrl = extra.MOTIA_REDIS_URL ?? TEST_REDIS_URL
  const f = await startFleet(fx, {
    label,
    n,
    dataDir: join(fx.tmp.path, prefix.replaceAll(':', '_')),
    env: {
      MOTIA_ADAPTER: 'redis',
      MOTIA_QUEUE_ADAPTER: 'redis',
      MOTIA_REDIS_URL: redisUrl,
      MOTIA_REDIS_PREFIX: prefix,
    },
    extra,
    drop: () => dropPrefix(prefix, redisUrl),
  })
  return Object.assign(f, { prefix })
}

describe.skipIf(!redisUp)('fleet: three motia start on one Redis', () => {
  test('1. HTTP load over three instances, one SIGKILLed and restarted mid-load: every accepted message handled', async () => {
    await using f = await fleet('load', 3)
    const TOTAL = 3000
    const { loadMs, doneMs, retried, handled: c } = await loadThroughKill(f, TOTAL)
    console.log(
      `fleet load: ${TOTAL} accepted in ${Math.round(loadMs)} ms over 3 instances (one SIGKILLed and restarted, ${retried} request(s) retried elsewhere); all handled after ${Math.round(doneMs)} ms; ${c.duplicates} handled twice or more (${c.deliveries - c.total} extra deliveries, at-least-once)`,
    )
  }, 120_000)

  test('2. a WebSocket client on B receives the create, update and delete made through HTTP on A, in order', async () => {
    await using f = await fleet('ws', 3)
    const [a, b] = f.urls() as [string, string]
    const ws = new WebSocket(b.replace('http', 'ws'))
    const frames: { id?: string; event: { type: string; data?: unknown } }[] = []
    ws.addEventListener('message', (e) => frames.push(JSON.parse(String(e.data))))
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve)
      ws.addEventListener('error', reject)
    })
    try {
      ws.send(JSON.stringify({ type: 'join', data: { streamName: 'items', groupId: 'g', subscriptionId: 's' } }))
      await until(async () => frames.length >= 1, 5000, 'the sync frame')
      expect((await post(`${a}/items/g/x`, { label: 'x', v: 1 })).status).toBe(201)
      const patch = await fetch(`${a}/items/g/x`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ v: 2 }),
      })
      expect(patch.status).toBe(200)
      expect((await fetch(`${a}/items/g/x`, { method: 'DELETE' })).status).toBe(200)
      await until(async () => frames.length >= 4, 5000, 'three events on B')
      expect(frames.map((fr) => [fr.event.type, fr.event.data])).toEqual([
        ['sync', []],
        ['create', { label: 'x', v: 1, id: 'x' }],
        ['update', { label: 'x', v: 2, id: 'x' }],
        ['delete', { label: 'x', v: 2, id: 'x' }],
      ])
    } finally {
      ws.close()
    }
  }, 60_000)

  test('3. a cron step firing every second for 10 s across three instances: each tick handled once', async () => {
    await using f = await fleet('cron', 3, { CRON: 'true' })
    const from = Math.ceil(Date.now() / 1000) + 1
    await Bun.sleep(10_500) // the schedule itself is what is under test: ten real seconds
    const to = Math.floor(Date.now() / 1000) - 1
    const c = await count(f.urls()[0]!, 'ticks', true)
    const seconds = new Set(c.values!.map((v) => v.s))
    const missing = []
    for (let s = from; s <= to; s++) if (!seconds.has(s)) missing.push(s)
    console.log(`fleet cron: ${c.total} ticks, ${c.duplicates} run more than once, ${missing.length} missed`)
    expect([c.duplicates, c.deliveries - c.total, missing]).toEqual([0, 0, []])
    expect(to - from + 1).toBeGreaterThanOrEqual(8)
  }, 60_000)

  test('4. 3 × 200 concurrent state increments through HTTP: the total is exact', async () => {
    await using f = await fleet('incr', 3)
    const results = await Promise.all(
      f.urls().flatMap((url) => Array.from({ length: 200 }, () => post(`${url}/counter/c`).then((r) => r.status))),
    )
    expect(results.filter((s) => s !== 200)).toEqual([])
    expect(await json<{ n: number }>(`${f.urls()[1]!}/counter/c`)).toEqual({ n: 600 })
  }, 60_000)

  test('5. FIFO groups keep their order while messages are enqueued and handled across instances', async () => {
    await using f = await fleet('fifo', 3)
    const GROUPS = 5
    const PER = 40
    await Promise.all(
      Array.from({ length: GROUPS }, async (_, g) => {
        // In order per group, each message through another instance than the one before.
        for (let seq = 0; seq < PER; seq++) {
          const url = f.urls()[(g + seq) % 3]!
          expect((await post(`${url}/fifo`, { group: `g${g}`, seq })).status).toBe(202)
        }
      }),
    )
    const want = Array.from({ length: PER }, (_, i) => i)
    for (let g = 0; g < GROUPS; g++) {
      await until(
        async () => (await json<{ seqs: number[] }>(`${f.urls()[g % 3]!}/fifo/g${g}`)).seqs.length >= PER,
        30_000,
        `group g${g} handled`,
      )
      const { seqs } = await json<{ seqs: number[] }>(`${f.urls()[0]!}/fifo/g${g}`)
      expect(`g${g}: ${seqs.join(',')}`).toBe(`g${g}: ${want.join(',')}`)
    }
  }, 60_000)

  test('6. Redis restarted mid-run: routes without Redis keep answering, Redis calls are 503 JSON, work resumes, no acknowledged message lost', async () => {
    const redis = await privateRedis()
    try {
      await using f = await fleet('redis-restart', 3, { MOTIA_REDIS_URL: redis.url })
      const send = async (from: number, to: number) => {
        const statuses = await Promise.all(
          Array.from({ length: to - from }, (_, k) => post(`${f.urls()[k % 3]!}/work`, { i: from + k })),
        )
        return statuses.map((r) => r.status)
      }
      expect(new Set(await send(0, 200))).toEqual(new Set([202]))

      await redis.stop()
      for (const url of f.urls()) {
        expect((await fetch(`${url}/hello`)).status).toBe(200)
        const res = await post(`${url}/counter/r`)
        const body = (await res.json()) as { code: string }
        expect([res.status, body.code]).toEqual([503, 'E_REDIS_UNAVAILABLE'])
        const ready = await fetch(`${url}/__motia/ready`)
        expect(ready.status).toBe(503)
        expect(((await ready.json()) as { notReady: string[] }).notReady.length).toBeGreaterThan(0)
      }
      // Not acknowledged while Redis is away: the caller knows to retry.
      expect((await post(`${f.urls()[0]!}/work`, { i: 999_999 })).status).toBe(503)

      await redis.start()
      for (const url of f.urls())
        await until(async () => (await fetch(`${url}/__motia/ready`)).status === 200, 20_000, `${url} ready again`)
      expect(new Set(await send(200, 400))).toEqual(new Set([202]))
      let c: Count = { total: 0, deliveries: 0, duplicates: 0 }
      await until(
        async () => {
          c = await count(f.urls()[1]!, 'handled')
          return c.total >= 400
        },
        60_000,
        'the 400 acknowledged messages handled',
      )
      expect(c.total).toBe(400)
      console.log(`fleet redis restart: 400/400 acknowledged messages handled, ${c.duplicates} more than once`)
    } finally {
      await redis.stop()
      redis.dispose()
    }
  }, 120_000)
})

/** A redis-server of this test's own on a free port, with an append-only file that survives its restarts. */
async function privateRedis() {
  const dir = tempDir('motia-redis-')
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = probe.port
  probe.stop(true)
  const url = `redis://127.0.0.1:${port}`
  let proc: Subprocess | undefined
  const start = async () => {
    proc = Bun.spawn(
      [
        'redis-server',
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir.path,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
      { stdout: 'ignore', stderr: 'ignore' },
    )
    await until(() => redisAnswers(url), 5000, `redis-server on ${port}`)
  }
  await start()
  return {
    url,
    start,
    async stop() {
      if (!proc || proc.exitCode !== null) return
      proc.kill('SIGTERM')
      await proc.exited
    },
    dispose: () => dir.dispose(),
  }
}
