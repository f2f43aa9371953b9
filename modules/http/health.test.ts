import { describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultModules } from '../../cmd/default-modules'
import pkg from '../../package.json' with { type: 'json' }
import { createRuntime } from '../../runtime/runtime'
import { tempDir } from '../../test/support/runtime'

/** A project of its own: one hello route, one slow route, the rest from `files`. */
function project(files: Record<string, string> = {}) {
  const dir = tempDir('motia-health-')
  mkdirSync(join(dir.path, 'steps'))
  const all: Record<string, string> = {
    'config.yaml': 'sqlite: { path: ":memory:" }\nobservability: { store: memory }\nconsole: { enabled: false }\n',
    'steps/hello.step.ts': `import { http } from 'motia'
export const config = { name: 'Hello', triggers: [http('GET', '/hello')] }
export const handler = async () => ({ status: 200, body: 'hi' })`,
    'steps/slow.step.ts': `import { http } from 'motia'
export const config = { name: 'Slow', triggers: [http('GET', '/slow')] }
export const handler = async () => { await Bun.sleep(300); return { status: 200, body: 'done' } }`,
    ...files,
  }
  for (const [f, text] of Object.entries(all)) writeFileSync(join(dir.path, f), text)
  return dir
}

const boot = (dir: string, extra: { name: string; ready?: () => Promise<{ ok: boolean; detail?: string }> }[] = []) =>
  createRuntime({
    dir,
    mode: 'start',
    modules: (ctx) => [...defaultModules({ listen: false })(ctx), ...extra],
    env: { MOTIA_INSTANCE_ID: 'test-1' },
    logSinks: [() => {}],
  })

describe('health endpoints', () => {
  test('live and ready answer 200 with the instance and every module that answers probes', async () => {
    const dir = project()
    await using rt = await boot(dir.path)
    const live = await rt.request('/__motia/health')
    expect([live.status, live.headers.get('cache-control')]).toEqual([200, 'no-store'])
    expect(await live.json()).toMatchObject({
      status: 'ok',
      instance: 'test-1',
      // From source: no build date or commit; a binary names them (test/e2e/version.test.ts).
      motia: { version: pkg.version, commit: null, date: null, target: 'source' },
    })
    const ready = await rt.request('/__motia/ready')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({
      status: 'ready',
      instance: 'test-1',
      modules: { storage: { ok: true }, state: { ok: true }, queue: { ok: true }, streams: { ok: true } },
    })
    dir.dispose()
  })

  test('a module that is not ready makes ready 503 naming it; a probe that hangs is a no after 2 s', async () => {
    const dir = project()
    await using rt = await boot(dir.path, [
      { name: 'broken', ready: async () => ({ ok: false, detail: 'redis 127.0.0.1:1: connection refused' }) },
      { name: 'throws', ready: () => Promise.reject(new Error('boom')) },
      { name: 'hangs', ready: () => new Promise(() => {}) },
    ])
    const res = await rt.request('/__motia/ready')
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({
      status: 'not ready',
      notReady: ['broken', 'throws', 'hangs'],
      modules: {
        queue: { ok: true },
        broken: { ok: false, detail: 'redis 127.0.0.1:1: connection refused' },
        throws: { ok: false, detail: 'boom' },
        hangs: { ok: false, detail: 'no answer within 2000 ms' },
      },
    })
    // Liveness does not depend on the modules.
    expect((await rt.request('/__motia/health')).status).toBe(200)
    dir.dispose()
  }, 10_000)

  test('draining: ready 503 at once, new requests 503 E_SHUTTING_DOWN, the request in flight finishes', async () => {
    const dir = project()
    await using rt = await boot(dir.path)
    const inFlight = rt.request('/slow')
    await Bun.sleep(20)
    const drained = rt.drain(5000)
    const ready = await rt.request('/__motia/ready')
    expect([ready.status, ((await ready.json()) as { status: string }).status]).toEqual([503, 'draining'])
    const refused = await rt.request('/hello')
    expect([refused.status, refused.headers.get('connection'), await refused.json()]).toEqual([
      503,
      'close',
      { error: 'The server is shutting down', code: 'E_SHUTTING_DOWN' },
    ])
    expect(((await (await rt.request('/__motia/health')).json()) as { status: string }).status).toBe('draining')
    const res = await inFlight
    expect([res.status, await res.text()]).toEqual([200, 'done'])
    await drained
    dir.dispose()
  })

  test('paths and switch come from config.yaml', async () => {
    const dir = project({
      'config.yaml':
        'sqlite: { path: ":memory:" }\nconsole: { enabled: false }\nhealth: { live: /livez, ready: /readyz }\n',
    })
    await using rt = await boot(dir.path)
    expect([(await rt.request('/livez')).status, (await rt.request('/readyz')).status]).toEqual([200, 200])
    expect((await rt.request('/__motia/health')).status).toBe(404)
    await rt.stop()
    writeFileSync(join(dir.path, 'config.yaml'), 'sqlite: { path: ":memory:" }\nhealth: { enabled: false }\n')
    await using off = await boot(dir.path)
    expect((await off.request('/__motia/ready')).status).toBe(404)
    dir.dispose()
  })

  test('a step on a probe path is a load problem naming the step and the config key', async () => {
    const dir = project({
      'steps/mine.step.ts': `import { http } from 'motia'
export const config = { name: 'Mine', triggers: [http('GET', '/__motia/ready')] }
export const handler = async () => ({ status: 200 })`,
    })
    const err = (await boot(dir.path).then(
      () => undefined,
      (e: Error) => e,
    )) as Error & { code: string }
    expect(err.code).toBe('E_PROJECT_INVALID')
    expect(err.message).toContain(
      'steps/mine.step.ts: triggers[0].path: route GET /__motia/ready is the readiness probe (health.ready in config.yaml): give the step another path, or move the probe with health.ready',
    )
    dir.dispose()
  })
})
