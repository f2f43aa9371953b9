import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { connect } from 'node:net'
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
    // Made when a test of this block runs (beforeAll), not when the file is read: a run filtered
    // to other tests (bun test -t) skips this block's afterAll and would leave the dir behind.
    let tmp: ReturnType<typeof tempDir> | undefined
    beforeAll(() => {
      tmp = tempDir('motia-drain-')
    })
    const prefix = freshPrefix('drain')
    const start = () => {
      const env = {
        MOTIA_ADAPTER: adapter,
        MOTIA_QUEUE_ADAPTER: adapter,
        MOTIA_REDIS_PREFIX: prefix,
        MOTIA_SQLITE: join(tmp!.path, 'motia.db'),
        SHUTDOWN_TIMEOUT: '2s',
        VISIBILITY: '60',
      }
      return startMotia(['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'], { env, binary })
    }
    afterAll(async () => {
      tmp?.dispose()
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

interface KeepAliveRun {
  /** Each response in order: status and whether it said `Connection: close`. */
  responses: { status: number; close: boolean }[]
  /** How the socket ended: 'closed by the client' after a Connection: close, else the error. */
  end: Promise<string>
}

/**
 * One HTTP/1.1 keep-alive connection sending `paths[0]`, then `paths[1]`, ... (the last repeated)
 * one after another, each as soon as the previous answer is complete, until an answer says
 * `Connection: close` (then the client closes) or the socket fails.
 */
function keepAliveClient(url: string, paths: string[]): KeepAliveRun {
  const { hostname, port } = new URL(url)
  const responses: KeepAliveRun['responses'] = []
  const end = new Promise<string>((resolve) => {
    const socket = connect(Number(port), hostname)
    let buf = Buffer.alloc(0)
    let done = false
    const finish = (how: string) => {
      if (done) return
      done = true
      socket.destroy()
      resolve(how)
    }
    const send = () =>
      socket.write(`GET ${paths[Math.min(responses.length, paths.length - 1)]} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`)
    socket.on('connect', send)
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      for (;;) {
        const headEnd = buf.indexOf('\r\n\r\n')
        if (headEnd < 0) return
        const head = buf.subarray(0, headEnd).toString('latin1')
        const length = /\r\ncontent-length: *(\d+)/i.exec(head)
        if (!length) return finish(`a response without content-length: ${head}`)
        const total = headEnd + 4 + Number(length[1])
        if (buf.length < total) return
        buf = buf.subarray(total)
        const close = /\r\nconnection: *close/i.test(head)
        responses.push({ status: Number(head.split(' ')[1]), close })
        if (close) return finish('closed by the client')
        send()
      }
    })
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message))
    socket.on('close', () => finish('closed by the server without Connection: close'))
  })
  return { responses, end }
}

describe('SIGTERM drain with keep-alive clients', () => {
  let tmp: ReturnType<typeof tempDir> | undefined
  beforeAll(() => {
    tmp = tempDir('motia-drain-ka-')
  })
  afterAll(() => tmp?.dispose())

  test('clients looping on kept-alive sockets get complete answers, the last with Connection: close; never a reset', async () => {
    const env = {
      MOTIA_ADAPTER: 'sqlite',
      MOTIA_QUEUE_ADAPTER: 'sqlite',
      MOTIA_REDIS_PREFIX: 'unused',
      MOTIA_SQLITE: join(tmp!.path, 'motia.db'),
    }
    const motia = await startMotia(['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'], {
      env: { ...env, SHUTDOWN_TIMEOUT: '5s' },
      binary,
    })
    let exit: number | null = null
    const clients: KeepAliveRun[] = []
    try {
      for (let i = 0; i < 8; i++) clients.push(keepAliveClient(motia.url, ['/hello']))
      // Its second request is in flight when SIGTERM arrives, and outlasts the listener's grace.
      const slow = keepAliveClient(motia.url, ['/hello', '/slow?ms=800', '/hello'])
      await until(
        async () => clients.every((c) => c.responses.length >= 20) && slow.responses.length >= 1,
        10_000,
        'traffic',
      )
      motia.proc.kill('SIGTERM')
      const ends = await Promise.all([...clients, slow].map((c) => c.end))
      exit = await motia.proc.exited
      expect(new Set(ends)).toEqual(new Set(['closed by the client']))
      for (const c of [...clients, slow]) {
        expect(c.responses.every((r) => r.status === 200 || (r.status === 503 && r.close))).toBe(true)
        expect(c.responses.at(-1)!.close).toBe(true)
      }
      // The request in flight at SIGTERM finished normally, and said the socket closes after it.
      expect(slow.responses).toEqual([
        { status: 200, close: false },
        { status: 200, close: true },
      ])
      const total = clients.reduce((n, c) => n + c.responses.length, 0)
      console.log(`keep-alive drain: ${total} responses on 8 looping sockets, every socket closed by its client`)
    } finally {
      motia.proc.kill('SIGKILL')
    }
    expect(exit).toBe(0)
  }, 30_000)
})
