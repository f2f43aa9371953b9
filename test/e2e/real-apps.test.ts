import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { BINARY, ensureBinary, type RunningMotia, runCommand, startMotia } from '../support/binary'
import { dropPrefix, freshPrefix, TEST_REDIS_URL } from '../support/redis'
import { copyFixture, tempDir } from '../support/runtime'

// Apps shaped like published Motia apps, run the way a user of the binary runs them: a real
// `npm install` from the registry (npm's cache keeps reruns fast) whose `postinstall` is
// `motia install` found on PATH, then `dist/motia start` from another working directory.
let app: ReturnType<typeof copyFixture>
let install: { stdout: string; stderr: string; code: number }
let motia: RunningMotia
const elsewhere = tempDir('motia-cwd-')
const ordersPrefix = freshPrefix('real-apps')

const npmInstall = (dir: string) =>
  runCommand(['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    env: { PATH: `${dirname(BINARY)}:${process.env.PATH}` },
  })

beforeAll(async () => {
  await ensureBinary()
  app = copyFixture('real-apps/motia-0x')
  // Named so that the repository's own `bun test` does not pick the app's test up.
  renameSync(join(app.path, 'tests', 'orders.test.ts.fixture'), join(app.path, 'tests', 'orders.test.ts'))
  install = await npmInstall(app.path)
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.stdout}\n${install.stderr}`)
  // npm's own motia and Workbench plugins in node_modules must not be what the app gets.
  for (const [name, sub] of [
    ['motia', 'index.js'],
    ['@motiadev/core', 'index.js'],
    ['@motiadev/plugin-states', 'plugin.js'],
  ] as const) {
    const pkg = join(app.path, 'node_modules', name)
    mkdirSync(pkg, { recursive: true })
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name, main: 'index.js', exports: { '.': './index.js', './plugin': './plugin.js' } }),
    )
    writeFileSync(join(pkg, sub), `throw new Error('node_modules/${name} was loaded')`)
  }
  motia = await startMotia(['start', '--dir', app.path, '--port', '0', '--host', '127.0.0.1'], {
    cwd: elsewhere.path,
    // The app's motia.config.ts puts state on Redis (RedisStateAdapter): its own key prefix here.
    env: {
      MOTIA_SQLITE: join(app.path, '.motia', 'e2e.db'),
      REDIS_URL: TEST_REDIS_URL,
      ORDERS_PREFIX: `${ordersPrefix}:`,
    },
  })
}, 240_000)

afterAll(async () => {
  await motia?.stop()
  await dropPrefix(ordersPrefix)
  app?.dispose()
  elsewhere.dispose()
})

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

describe('a Motia 0.x app with npm packages and motia.config.ts, on dist/motia', () => {
  test('npm install runs the postinstall `motia install` with the binary', () => {
    expect(install.stdout).toContain('motia install: no Python steps in this project; nothing to install')
    expect(existsSync(join(app.path, 'node_modules', 'sharp'))).toBe(true)
  })

  test('steps import packages with exports maps, ESM-only and CJS-only packages, and tsconfig paths', async () => {
    const created = await fetch(`${motia.url}/orders`, post({ item: 'book', price: 12.5 }))
    expect(created.status).toBe(201)
    const order = (await created.json()) as Record<string, unknown>
    // uuid (exports map), date-fns through `@/lib/money` (tsconfig paths)
    expect(order).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      item: 'book',
      cents: 1250,
      day: '1970-01-01',
      status: 'new',
    })
    const env = (await (await fetch(`${motia.url}/environment`)).json()) as Record<string, unknown>
    // .env of the project (not of the working directory), axios (nested deps), lodash (CJS)
    expect(env).toEqual({ greeting: 'hello from .env', axiosTimeout: 1234, chunks: [[1, 2], [3, 4], [5]] })
  })

  test('a native addon (sharp) loads from node_modules', async () => {
    const res = await fetch(`${motia.url}/thumbnail`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]) // "PNG"
  })

  test("steps get the app's zod 3, on the engine thread and in workers", async () => {
    const invalid = await fetch(`${motia.url}/orders`, post({ item: '', price: -1 }))
    // A 0.x app validates in its handler, with zod 3's `ZodError.errors`.
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toEqual({ message: 'Validation failed', errors: ['item', 'price'] })

    const { id } = (await (await fetch(`${motia.url}/orders`, post({ item: 'pen', price: 1 }))).json()) as {
      id: string
    }
    let order: Record<string, unknown> = {}
    for (let i = 0; i < 100 && order.status !== 'processed'; i++) {
      await Bun.sleep(50)
      order = (await (await fetch(`${motia.url}/orders/${id}`)).json()) as Record<string, unknown>
    }
    // The event step ran on a worker thread: nanoid (ESM-only), lodash (CJS) and zod 3 there.
    expect(order).toMatchObject({ status: 'processed', tags: ['a', 'b'], zodErrors: 1 })
    expect(order.ticket).toMatch(/^[\w-]{8}$/)
  })

  test('plain `bun test` works after npm install, with npm-shaped motia and @motiadev packages in node_modules', async () => {
    expect(readFileSync(join(app.path, 'bunfig.toml'), 'utf8')).toContain('./.motia/runtime/motia-test.js')
    const proc = Bun.spawn([process.execPath, 'test'], { cwd: app.path, stdout: 'pipe', stderr: 'pipe' })
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    expect(`${out}${err}`).toContain('1 pass')
    expect(code).toBe(0)
  }, 60_000)

  test("motia.config.ts: Workbench plugins by import and require, a local plugin's registerApi route", async () => {
    const { id } = (await (await fetch(`${motia.url}/orders`, post({ item: 'cup', price: 2 }))).json()) as {
      id: string
    }
    const health = await fetch(`${motia.url}/__motia/orders-tester/health?id=${id}`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({
      status: 'healthy',
      plugin: 'orders-tester',
      order: { id, item: 'cup' },
    })
    const out = motia.output()
    expect(out).toContain('Workbench plugins are not loaded')
    for (const p of ['observability', 'states', 'endpoint', 'logs', 'bullmq'])
      expect(out).toContain(`@motiadev/plugin-${p}`)
    expect(out).toContain('Orders Tester')
    // What is not supported is a warning naming it, never an error.
    expect(out).toContain('\\"app\\" is an Express hook of Motia 0.x')
    // The 0.x adapter maps onto the redis state adapter, with the app's connection and prefix.
    expect(out).toContain(
      `adapters.state = new RedisStateAdapter(...) → state.adapter: redis (${TEST_REDIS_URL}, prefix \\"${ordersPrefix}\\")`,
    )
    expect(out).not.toContain('"level":"error"')
    expect(out).not.toContain('was loaded')
    expect((await fetch(`${motia.url}/express-only`)).status).toBe(404)
  })
})

describe('a Motia 1.x app on dist/motia', () => {
  let v1: ReturnType<typeof copyFixture>
  let server: RunningMotia
  beforeAll(async () => {
    v1 = copyFixture('real-apps/motia-1x')
    server = await startMotia(['start', '--dir', v1.path, '--port', '0', '--host', '127.0.0.1'], {
      cwd: elsewhere.path,
      env: { MOTIA_SQLITE: join(v1.path, '.motia', 'e2e.db') },
    })
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
    v1?.dispose()
  })

  test('request.requestBody.stream yields the raw body; response.status/headers/stream/close stream SSE', async () => {
    const body = new Uint8Array(300_000).fill(97)
    const res = await fetch(`${server.url}/echo-sse`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/plain' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const text = await res.text()
    const received = JSON.parse(text.match(/event: received\ndata: (.*)\n/)![1]!) as { bytes: number; chunks: number }
    expect(received.bytes).toBe(300_000)
    expect(received.chunks).toBeGreaterThan(1)
    expect(text).toContain('event: done')
  })

  test("a false condition is answered with Motia 1.x's exact 422; a 1.x bodySchema is enforced", async () => {
    const skipped = await fetch(`${server.url}/orders/premium`, post({ amount: 5 }))
    expect(skipped.status).toBe(422)
    expect(await skipped.text()).toBe('{"error":"Request condition not met","skipped":true}')
    expect(skipped.headers.get('x-motia-error-code')).toBe('E_CONDITION_NOT_MET')
    expect(skipped.headers.get('x-trace-id')).toBeTruthy()
    const invalid = await fetch(`${server.url}/orders/premium`, post({ amount: 'lots' }))
    expect(invalid.status).toBe(400)
    expect(((await invalid.json()) as { code: string }).code).toBe('E_BODY_INVALID')
  })

  test('a value that cannot be stored fails only that ctx call in a worker, with the call and path named', async () => {
    const ok = await fetch(`${server.url}/orders/premium`, post({ amount: 5000 }))
    expect(await ok.json()).toEqual({ accepted: 5000 })
    let last: { amount?: number; refused?: string } = {}
    for (let i = 0; i < 100 && last.amount !== 5000; i++) {
      await Bun.sleep(30)
      last = (await (await fetch(`${server.url}/orders/premium/last`)).json()) as typeof last
    }
    expect(last.amount).toBe(5000)
    expect(last.refused).toStartWith('state.set: value.total: a Promise (missing await?) cannot be stored')
    expect(server.output()).not.toContain('step worker crashed')
  })
})
