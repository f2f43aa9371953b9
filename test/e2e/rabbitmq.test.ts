import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { Socket } from 'bun'
import { runMotia } from '../support/binary'
import { count, type Fleet, fleetFixture, loadThroughKill, post, startFleet, until } from '../support/fleet'
import { dropRabbitPrefix, freshRabbitPrefix, rabbitForTests, TEST_RABBITMQ_URL } from '../support/rabbitmq'
import { dropPrefix, freshPrefix, redisForTests, TEST_REDIS_URL } from '../support/redis'

/**
 * `queue.adapter: rabbitmq` through the compiled binary, on the fleet fixture (state and streams
 * on Redis, so instances count the same handled messages): start-up without a broker, several
 * instances sharing the work with one SIGKILLed, and the connection cut and restored.
 */
const up = (await rabbitForTests('rabbitmq e2e')) && (await redisForTests('rabbitmq e2e'))

const fx = fleetFixture('motia-rabbit-')

function fleet(label: string, n: number, extra: Record<string, string> = {}): Promise<Fleet> {
  const prefix = freshRabbitPrefix(label)
  const redisPrefix = freshPrefix(`rabbit-${label}`)
  return startFleet(fx, {
    label,
    n,
    dataDir: join(fx.tmp.path, prefix),
    env: {
      MOTIA_ADAPTER: 'redis',
      MOTIA_QUEUE_ADAPTER: 'rabbitmq',
      MOTIA_RABBITMQ_URL: TEST_RABBITMQ_URL,
      MOTIA_RABBITMQ_PREFIX: prefix,
      MOTIA_REDIS_URL: TEST_REDIS_URL,
      MOTIA_REDIS_PREFIX: redisPrefix,
    },
    extra,
    drop: async () => {
      await dropRabbitPrefix(prefix, { delays: [50] }).catch(() => undefined)
      await dropPrefix(redisPrefix)
    },
  })
}

/** A TCP proxy to the broker that the test cuts (every connection closed, new ones refused) and restores. */
function brokerProxy() {
  const target = new URL(TEST_RABBITMQ_URL)
  let open = true
  const pairs = new Set<{ client: Socket<unknown>; upstream?: Socket<unknown> }>()
  const server = Bun.listen<{ pair: { client: Socket<unknown>; upstream?: Socket<unknown>; pending: Buffer[] } }>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      async open(client) {
        if (!open) return void client.end()
        const pair = { client, pending: [] as Buffer[] } as {
          client: Socket<unknown>
          upstream?: Socket<unknown>
          pending: Buffer[]
        }
        client.data = { pair }
        pairs.add(pair)
        pair.upstream = await Bun.connect({
          hostname: target.hostname,
          port: Number(target.port || 5672),
          socket: {
            data: (_s, d) => void client.write(d),
            close: () => void client.end(),
            error: () => void client.end(),
          },
        })
        for (const chunk of pair.pending.splice(0)) pair.upstream.write(chunk)
      },
      data(client, d) {
        const pair = client.data.pair
        if (pair.upstream) pair.upstream.write(d)
        else pair.pending.push(Buffer.from(d))
      },
      close(client) {
        client.data?.pair.upstream?.end()
        if (client.data) pairs.delete(client.data.pair)
      },
    },
  })
  const url = new URL(TEST_RABBITMQ_URL)
  url.port = String(server.port)
  return {
    url: url.toString(),
    cut() {
      open = false
      for (const p of pairs) {
        p.upstream?.end()
        p.client.end()
      }
      pairs.clear()
    },
    restore() {
      open = true
    },
    stop: () => server.stop(true),
  }
}

describe.skipIf(!up)('queue.adapter: rabbitmq through the binary', () => {
  test('broker unreachable at start: one clear error naming the URL without its password', async () => {
    const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    const port = probe.port
    probe.stop(true)
    const r = await runMotia(['start', '--dir', fx.project.path, '--port', '0', '--host', '127.0.0.1'], {
      binary: fx.binary,
      env: {
        MOTIA_ADAPTER: 'sqlite',
        MOTIA_QUEUE_ADAPTER: 'rabbitmq',
        MOTIA_RABBITMQ_URL: `amqp://guest:s3cret@127.0.0.1:${port}`,
        MOTIA_REDIS_PREFIX: 'unused',
        MOTIA_SQLITE: join(fx.tmp.path, 'unreachable.db'),
      },
    })
    const out = r.stdout + r.stderr
    expect(r.code).not.toBe(0)
    expect(out.trim()).toBe(
      `motia start: RabbitMQ at amqp://guest:***@127.0.0.1:${port}: cannot connect: connect ECONNREFUSED 127.0.0.1:${port}`,
    )
    expect(out).not.toContain('s3cret')
  }, 30_000)

  test('three instances share the work; one SIGKILLed and restarted mid-load: every accepted message handled', async () => {
    await using f = await fleet('load', 3)
    const TOTAL = 3000
    const { doneMs, handled } = await loadThroughKill(f, TOTAL)
    const by = await count(f.urls()[0]!, 'handled-by', true)
    console.log(
      `rabbitmq fleet: ${TOTAL} handled in ${Math.round(doneMs)} ms over 3 instances (one SIGKILLed), per instance ${by.values!.map((v) => v.n).join('/')}, ${handled.duplicates} handled twice or more`,
    )
    expect(by.values!.length).toBe(3)
    expect(by.values!.every((v) => v.n > 0)).toBe(true)
  }, 120_000)

  test('FIFO groups keep their order while messages are enqueued through three instances (one consumes, single active consumer)', async () => {
    await using f = await fleet('fifo', 3)
    const GROUPS = 5
    const PER = 40
    await Promise.all(
      Array.from({ length: GROUPS }, async (_, g) => {
        for (let seq = 0; seq < PER; seq++) {
          const url = f.urls()[(g + seq) % 3]!
          expect((await post(`${url}/fifo`, { group: `g${g}`, seq })).status).toBe(202)
        }
      }),
    )
    const want = Array.from({ length: PER }, (_, i) => i).join(',')
    for (let g = 0; g < GROUPS; g++) {
      let seqs: number[] = []
      await until(
        async () => {
          seqs = ((await (await fetch(`${f.urls()[g % 3]!}/fifo/g${g}`)).json()) as { seqs: number[] }).seqs
          return seqs.length >= PER
        },
        30_000,
        `group g${g} handled`,
      )
      expect(`g${g}: ${seqs.join(',')}`).toBe(`g${g}: ${want}`)
    }
  }, 60_000)

  test('connection cut while running: enqueues fail with 503 E_RABBITMQ_UNAVAILABLE, readiness drops, then it reconnects and resumes', async () => {
    const proxy = brokerProxy()
    try {
      await using f = await fleet('cut', 1, { MOTIA_RABBITMQ_URL: proxy.url })
      const url = f.urls()[0]!
      const send = async (from: number, to: number) =>
        (await Promise.all(Array.from({ length: to - from }, (_, k) => post(`${url}/work`, { i: from + k })))).map(
          (r) => r.status,
        )
      expect(new Set(await send(0, 100))).toEqual(new Set([202]))
      await until(async () => (await count(url, 'handled')).total === 100, 20_000, '100 handled')

      proxy.cut()
      await until(async () => (await fetch(`${url}/__motia/ready`)).status === 503, 10_000, 'not ready')
      const res = await post(`${url}/work`, { i: 999_999 })
      const body = (await res.json()) as { code: string; message?: string; error?: string }
      expect([res.status, body.code]).toEqual([503, 'E_RABBITMQ_UNAVAILABLE'])
      expect(JSON.stringify(body)).not.toContain('guest:guest')
      expect((await fetch(`${url}/hello`)).status).toBe(200)

      proxy.restore()
      await until(async () => (await fetch(`${url}/__motia/ready`)).status === 200, 20_000, 'ready again')
      expect(new Set(await send(100, 200))).toEqual(new Set([202]))
      await until(async () => (await count(url, 'handled')).total === 200, 20_000, '200 handled')
      const out = f.nodes[0]!.output()
      expect(out).toContain('connection lost')
      expect(out).toContain('connected again')
    } finally {
      proxy.stop()
    }
  }, 90_000)
})
