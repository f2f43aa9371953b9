import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import pkg from '../../package.json' with { type: 'json' }
import { ensureBinary, runMotia, startMotia, threadsOf } from '../support/binary'
import { copyFixture } from '../support/runtime'

// The product is the compiled binary: these tests build dist/motia and drive it over real
// sockets, on a fixture copied to a temp dir that has no node_modules.
let project: ReturnType<typeof copyFixture>

beforeAll(async () => {
  await ensureBinary()
  project = copyFixture('basic')
  expect(existsSync(join(project.path, 'node_modules'))).toBe(false)
}, 120_000)
afterAll(() => project?.dispose())

const json = (body: unknown, method = 'POST') => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

describe('motia binary', () => {
  test('--version and --help', async () => {
    const v = await runMotia(['--version'])
    expect(v.stdout.trim()).toBe(pkg.version)
    const h = await runMotia(['--help'])
    expect(h.stdout).toContain('dev')
    expect(h.stdout).toContain('start')
    expect(h.stdout).toContain('Examples:')
  })

  test('start: HTTP routes, validation errors and state over real HTTP; state survives a restart', async () => {
    const env = { MOTIA_SQLITE: join(project.path, '.motia', 'e2e.db') }
    let motia = await startMotia(['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'], { env })
    try {
      const params = await fetch(`${motia.url}/users/1/posts/2?tag=a&tag=b`)
      expect(params.status).toBe(200)
      expect(((await params.json()) as any).queryParams).toEqual({ tag: ['a', 'b'] })
      const invalid = await fetch(`${motia.url}/orders`, json({ item: 1 }))
      expect(invalid.status).toBe(400)
      expect(((await invalid.json()) as any).code).toBe('E_BODY_INVALID')
      const boom = (await (await fetch(`${motia.url}/boom`)).json()) as any
      expect(boom).toEqual({ error: 'Internal server error', code: 'E_HANDLER_FAILED', traceId: boom.traceId })
      expect((await fetch(`${motia.url}/nope`)).status).toBe(404)
      const put = await fetch(`${motia.url}/state/e2e/k`, json({ v: 1 }, 'PUT'))
      expect((await put.json()) as any).toEqual({ old_value: null, new_value: { v: 1 } })
      expect((await fetch(`${motia.url}/legacy/zed`, { method: 'POST' })).status).toBe(200)
      expect((await (await fetch(`${motia.url}/greet/x`)).json()) as any).toEqual({ text: 'Hello, x!' })
      // Step workers yield the CPU (SCHED_IDLE, set through bun:ffi inside the binary); the engine
      // and the SQLite checkpointer thread do not. Workers load after start-up, the checkpointer
      // once the WAL holds a commit (the PUT above): wait for all of them (queue.workers defaults
      // to the CPU count) to have lowered themselves, and for the checkpointer.
      const workersOf = (policy: number) =>
        threadsOf(motia.proc.pid).filter((t) => t.name === 'Worker' && t.policy === policy)
      const idleWorkers = () => workersOf(5)
      for (let i = 0; i < 100 && (idleWorkers().length < availableParallelism() || workersOf(0).length === 0); i++)
        await Bun.sleep(50)
      expect(idleWorkers()).toHaveLength(availableParallelism())
      const threads = threadsOf(motia.proc.pid)
      const workers = threads.filter((t) => t.name === 'Worker')
      expect(workers.filter((w) => w.policy === 5).length).toBeGreaterThan(0)
      expect(workers.filter((w) => w.policy === 0)).toHaveLength(1)
      expect(threads.find((t) => t.tid === motia.proc.pid)!.policy).toBe(0)
    } finally {
      expect(await motia.stop()).toBe(0)
    }
    motia = await startMotia(['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'], { env })
    try {
      expect((await (await fetch(`${motia.url}/state/e2e/k`)).json()) as any).toEqual({ v: 1 })
    } finally {
      await motia.stop()
    }
  })

  test('a broken step: dev reports it and serves the rest; start refuses and lists every problem', async () => {
    const broken = copyFixture('basic')
    try {
      writeFileSync(
        join(broken.path, 'steps', 'syntax.step.ts'),
        'export const config = {\n  name: "Broken",\n  triggers: [\n',
      )
      writeFileSync(
        join(broken.path, 'steps', 'bad-config.step.ts'),
        "export const config = { name: 'BadConfig', triggers: [{ type: 'http', method: 'FETCH', path: 'nope' }] }\nexport const handler = async () => ({ status: 200 })\n",
      )
      writeFileSync(
        join(broken.path, 'steps', 'zz-dup-route.step.ts'),
        "export const config = { name: 'DupRoute', triggers: [{ type: 'http', method: 'GET', path: '/text' }] }\nexport const handler = async () => ({ status: 200 })\n",
      )
      const env = { MOTIA_SQLITE: join(broken.path, '.motia', 'dev.db') }
      const dev = await startMotia(['dev', '--dir', broken.path, '--port', '0', '--host', '127.0.0.1'], { env })
      try {
        expect((await fetch(`${dev.url}/text`)).status).toBe(200)
        const out = dev.output()
        expect(out).toContain('steps/syntax.step.ts')
        expect(out).toContain('steps/bad-config.step.ts: triggers[0].method: expected one of GET, POST')
        expect(out).toContain('steps/bad-config.step.ts: triggers[0].path: expected a path starting with')
        expect(out).toContain('steps/zz-dup-route.step.ts: triggers[0].path: route GET /text is already served by step')
      } finally {
        await dev.stop()
      }
      const start = await runMotia(['start', '--dir', broken.path, '--port', '0'], { env })
      expect(start.code).toBe(1)
      expect(start.stderr).toContain('the project has 4 problems')
      expect(start.stderr).toContain('steps/syntax.step.ts')
      expect(start.stderr).toContain('steps/zz-dup-route.step.ts')
    } finally {
      broken.dispose()
    }
  })

  test("step files import packages from the project's own node_modules", async () => {
    const app = copyFixture('basic')
    try {
      const pkg = join(app.path, 'node_modules', 'shout')
      mkdirSync(pkg, { recursive: true })
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'shout', version: '1.0.0', main: 'index.js' }))
      writeFileSync(join(pkg, 'index.js'), 'module.exports = (s) => String(s).toUpperCase() + "!"\n')
      writeFileSync(
        join(app.path, 'steps', 'shout.step.ts'),
        "import shout from 'shout'\nexport const config = { name: 'Shout', triggers: [{ type: 'http', method: 'GET', path: '/shout/:w' }] }\nexport const handler = async (req: any) => ({ status: 200, body: shout(req.pathParams.w) })\n",
      )
      const motia = await startMotia(['start', '--dir', app.path, '--port', '0', '--host', '127.0.0.1'], {
        env: { MOTIA_SQLITE: join(app.path, '.motia', 'pkg.db') },
      })
      try {
        expect(await (await fetch(`${motia.url}/shout/hey`)).text()).toBe('HEY!')
      } finally {
        await motia.stop()
      }
    } finally {
      app.dispose()
    }
  })

  test('motia build validates and writes motia.lock.json; a broken project fails listing its problems', async () => {
    const r = await runMotia(['build', '--dir', project.path])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/wrote motia\.lock\.json: \d+ steps/)
    const lock = JSON.parse(readFileSync(join(project.path, 'motia.lock.json'), 'utf8'))
    expect(lock.steps.find((s: { name: string }) => s.name === 'Validate').triggers[0]).toMatchObject({
      type: 'http',
      method: 'POST',
      path: '/orders',
      bodySchema: { type: 'object', required: ['item', 'qty'] },
    })
    expect(lock.topics['legacy.greeted']).toEqual({
      producers: ['LegacyApi'],
      consumers: ['HumanReview', 'LegacyEvent'],
    })
    expect(lock.flows.legacy.sort()).toEqual(['HumanReview', 'LegacyApi', 'LegacyCron', 'LegacyEvent'])
    const broken = copyFixture('basic')
    try {
      writeFileSync(
        join(broken.path, 'steps', 'x.step.ts'),
        "export const config = { name: 'X', triggers: [{ type: 'cron', expression: 'often' }] }\nexport const handler = async () => {}\n",
      )
      const b = await runMotia(['build', '--dir', broken.path])
      expect(b.code).toBe(1)
      expect(b.stderr).toContain('steps/x.step.ts: triggers[0].expression: invalid cron expression "often"')
    } finally {
      broken.dispose()
    }
  })

  test('logging.level warn with --port 0: the ready line still names every listen address, and they answer', async () => {
    const quiet = copyFixture('basic')
    try {
      const yaml = readFileSync(join(quiet.path, 'config.yaml'), 'utf8')
      writeFileSync(
        join(quiet.path, 'config.yaml'),
        `${yaml.replace('console:\n', 'console:\n  enabled: true\n')}logging:\n  level: warn\n`,
      )
      const motia = await startMotia(['start', '--dir', quiet.path, '--port', '0', '--host', '127.0.0.1'])
      try {
        const line = motia.output().match(/^.*"motia start ready".*$/m)![0]
        const ready = JSON.parse(line)
        expect(Object.keys(ready)).toEqual(expect.arrayContaining(['url', 'streams', 'console']))
        expect(motia.output()).not.toContain('HTTP listening') // an info line: the level holds for the rest
        expect((await fetch(`${motia.url}/greet/x`)).status).toBe(200)
        expect((await fetch(ready.console)).status).toBe(200)
        const ws = new WebSocket(ready.streams)
        await new Promise((resolve, reject) => {
          ws.onopen = resolve
          ws.onerror = reject
        })
        ws.close()
      } finally {
        await motia.stop()
      }
    } finally {
      quiet.dispose()
    }
  })

  test('an invalid config.yaml stops start-up naming the problem and its location', async () => {
    const bad = copyFixture('basic')
    try {
      writeFileSync(join(bad.path, 'config.yaml'), 'http:\n  port: not-a-port\n')
      const r = await runMotia(['start', '--dir', bad.path])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('config.yaml:2')
      expect(r.stderr).toContain('http.port')
    } finally {
      bad.dispose()
    }
  })
})
