// Redis lost while running: calls that need it fail fast with E_REDIS_UNAVAILABLE (503), work
// resumes when it is back, and nothing acknowledged is lost. Runs its own redis-server (it is
// stopped and restarted; never the shared one), with an append-only file so a restart keeps data.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { BullmqQueueAdapter } from '../modules/queue/adapters/bullmq'
import { RedisStateAdapter } from '../modules/state/adapters/redis'

const server = Bun.which('redis-server')
// .ci/run installs redis-server: under CI its absence is a failure, not a skip.
if (!server && process.env.CI) throw new Error('redis-server is not on PATH; the outage test needs its own')
const dir = mkdtempSync(join(tmpdir(), 'motia-redis-outage-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

async function startRedis(port: number): Promise<Subprocess> {
  const proc = Bun.spawn(
    [
      server!,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ],
    { stdout: 'pipe', stderr: 'pipe' },
  )
  for (let i = 0; i < 100; i++) {
    const ok = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } }).then(
      (s) => {
        s.end()
        return true
      },
      () => false,
    )
    if (ok) return proc
    await Bun.sleep(50)
  }
  throw new Error('private redis-server did not start')
}

async function until<T>(fn: () => Promise<T>, ms = 15_000): Promise<T> {
  const end = performance.now() + ms
  for (;;) {
    try {
      return await fn()
    } catch (err) {
      if (performance.now() > end) throw err
      await Bun.sleep(100)
    }
  }
}

const config = {
  type: 'standard' as const,
  maxRetries: 3,
  backoffType: 'fixed' as const,
  backoffDelayMs: 10,
  concurrency: 10,
  visibilityTimeout: 30,
  delaySeconds: 0,
}

test.skipIf(!server)(
  'Redis stopped and restarted: 503s meanwhile, then work resumes with every queued message',
  async () => {
    const port = await freePort()
    const url = `redis://127.0.0.1:${port}`
    let redis = await startRedis(port)
    const state = await RedisStateAdapter.connect({ url, prefix: 'motia' })
    const queue = await BullmqQueueAdapter.connect({ url, prefix: 'motia' })
    try {
      await queue.setSubscriptions([{ id: 's', topic: 't', config }])
      await state.set('g', 'k', 1)
      for (let i = 0; i < 5; i++) await queue.enqueue({ topic: 't', data: i, traceId: 'x' })

      redis.kill('SIGTERM')
      await redis.exited
      const t0 = performance.now()
      // The client notices the closed socket at once; a call made after that fails, it does not wait.
      let failure: unknown
      while (failure === undefined && performance.now() - t0 < 3000) {
        await state.get('g', 'k').then(
          () => Bun.sleep(20),
          (err) => {
            failure = err
          },
        )
      }
      expect(failure).toMatchObject({ code: 'E_REDIS_UNAVAILABLE', status: 503, message: expect.stringContaining(url) })
      await expect(queue.enqueue({ topic: 't', data: 'lost?', traceId: 'x' })).rejects.toMatchObject({
        code: 'E_REDIS_UNAVAILABLE',
      })
      expect(performance.now() - t0).toBeLessThan(3000)

      redis = await startRedis(port)
      expect(await until(() => state.get('g', 'k'))).toBe(1)
      const got = await until(async () => {
        const batch = await queue.claim('s', 10)
        if (batch.length < 5) throw new Error(`only ${batch.length} back`)
        return batch
      })
      expect(got.map((m) => m.data)).toEqual([0, 1, 2, 3, 4])
      for (const m of got) await queue.ack(m.id)
      expect((await queue.stats())[0]).toMatchObject({ ready: 0, inFlight: 0 })
    } finally {
      await state.close()
      await queue.close()
      redis.kill('SIGTERM')
      await redis.exited
    }
  },
)
