import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { type RunningMotia, startMotia, testBinary } from '../support/binary'
import { dropPrefix, freshPrefix, redisForTests } from '../support/redis'
import { copyFixture, tempDir } from '../support/runtime'

const redisUp = await redisForTests('drain test on redis')

let project: ReturnType<typeof copyFixture>
let binary: string
beforeAll(async () => {
  binary = await testBinary()
  project = copyFixture('fleet')
}, 120_000)
afterAll(() => project?.dispose())

const json = async <T>(url: string, init?: RequestInit) => (await (await fetch(url, init)).json()) as T
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const count = (url: string, group: string) => json<{ total: number; deliveries: number }>(`${url}/count/${group}`)

/** Polls `probe` every 20 ms until it returns true (a condition on a running process, not a timer). */
async function until(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!(await probe().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await Bun.sleep(20)
  }
}

for (const adapter of ['sqlite', 'redis'] as const) {
  describe.skipIf(adapter === 'redis' && !redisUp)(`SIGTERM drain (${adapter})`, () => {
    const tmp = tempDir('motia-drain-')
    const prefix = freshPrefix('drain')
    const env = {
      MOTIA_ADAPTER: adapter,
      MOTIA_QUEUE_ADAPTER: adapter,
      MOTIA_REDIS_PREFIX: prefix,
      MOTIA_SQLITE: join(tmp.path, 'motia.db'),
      SHUTDOWN_TIMEOUT: '2s',
      VISIBILITY: '60',
    }
    const start = () =>
      startMotia(['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'], { env, binary })
    afterAll(async () => {
      tmp.dispose()
      if (adapter === 'redis') await dropPrefix(prefix)
    })

    test('the request in flight finishes 200, new connections are refused, a job past the deadline is released and handled after a restart, exit 0 within the deadline', async () => {
      let motia: RunningMotia = await start()
      let exit: number | null
      const t0 = performance.now()
      let elapsed: number
      try {
        expect((await post(`${motia.url}/work`, { i: 1, ms: 60_000 })).status).toBe(202)
        await until(async () => (await count(motia.url, 'started')).total === 1, 10_000, 'the job to start')
        const slow = fetch(`${motia.url}/slow?ms=1000`)
        await Bun.sleep(100) // the request reaches its handler
        const signalled = performance.now()
        motia.proc.kill('SIGTERM')
        // No new connection is accepted from here on (a proxy sends it to another instance).
        await until(
          () =>
            fetch(`${motia.url}/hello`).then(
              () => false,
              () => true,
            ),
          1000,
          'the listener to close',
        )
        const res = await slow
        expect([res.status, ((await res.json()) as { slept: number }).slept]).toEqual([200, 1000])
        exit = await motia.proc.exited
        elapsed = performance.now() - signalled
      } finally {
        motia.proc.kill('SIGKILL')
      }
      expect(exit).toBe(0)
      // The job held the drain to its deadline (2 s), not to its own end (60 s) nor the lease (60 s).
      expect(elapsed).toBeGreaterThan(1900)
      expect(elapsed).toBeLessThan(4000)
      expect(motia.output()).toContain(
        '1 message(s) still running at the shutdown deadline were released back to the queue',
      )

      motia = await start()
      try {
        const restarted = performance.now()
        await until(async () => (await count(motia.url, 'handled')).total === 1, 10_000, 'the released job')
        // Well inside the 60 s visibility timeout: released, not recovered from an expired lease.
        const after = performance.now() - restarted
        expect(after).toBeLessThan(10_000)
        expect([
          (await count(motia.url, 'started')).deliveries,
          (await count(motia.url, 'handled')).deliveries,
        ]).toEqual([2, 1])
        console.log(
          `drain (${adapter}): exit 0 ${Math.round(elapsed)} ms after SIGTERM (deadline 2 s); released job handled ${Math.round(after)} ms after restart; total ${Math.round(performance.now() - t0)} ms`,
        )
      } finally {
        expect(await motia.stop()).toBe(0)
      }
    }, 60_000)

    test('a second SIGTERM exits at once', async () => {
      const motia = await start()
      try {
        // The store is the previous test's: wait for this job's own start, not an earlier one.
        const before = (await count(motia.url, 'started')).deliveries
        expect((await post(`${motia.url}/work`, { i: 2, ms: 60_000 })).status).toBe(202)
        await until(async () => (await count(motia.url, 'started')).deliveries > before, 10_000, 'the job to start')
        motia.proc.kill('SIGTERM')
        await until(async () => motia.output().includes('draining'), 1000, 'the drain to begin')
        const t = performance.now()
        motia.proc.kill('SIGTERM')
        expect(await motia.proc.exited).toBe(143)
        expect(performance.now() - t).toBeLessThan(1000)
      } finally {
        motia.proc.kill('SIGKILL')
      }
    }, 30_000)
  })
}
