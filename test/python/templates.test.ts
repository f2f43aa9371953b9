/**
 * The Python templates through the binary, offline: `motia create -t python` (its unittest
 * suite passes with the SDK create wrote, no pip install; the task flow over HTTP under `motia
 * start`) and `motia create -t polyglot` (TS API → Python → JS over HTTP; `motia test` and plain
 * `bun test` pass on its TS tests).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runMotia, startMotia, testBinary } from '../support/binary'
import { tempDir } from '../support/runtime'

const BUN = join(import.meta.dir, '..', '..', 'node_modules', '.bin', 'bun')
let tmp: ReturnType<typeof tempDir>
let binary: string
beforeAll(async () => {
  binary = await testBinary()
  tmp = tempDir('motia-pytemplates-')
}, 180_000)
afterAll(() => tmp?.dispose())

async function create(template: string): Promise<{ dir: string; stdout: string }> {
  const name = `app-${template}`
  const r = await runMotia(['create', name, '--template', template], { cwd: tmp.path, binary })
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' })
  const dir = join(tmp.path, name)
  writeFileSync(join(dir, 'config.yaml'), 'streams:\n  port: 0\n')
  return { dir, stdout: r.stdout }
}

async function until<T>(fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await fn()
    if (v !== undefined) return v
    await Bun.sleep(20)
  }
  throw new Error('gave up waiting')
}

const json = { 'content-type': 'application/json' }

describe('motia create -t python', () => {
  let dir: string
  test('created offline with the SDK in .motia/python and no TS tooling; python3 -m unittest passes', async () => {
    const created = await create('python')
    dir = created.dir
    expect(created.stdout).toContain('python3 -m unittest')
    expect(existsSync(join(dir, '.motia', 'python', 'motia', '__init__.py'))).toBe(true)
    for (const f of ['tsconfig.json', 'types.d.ts', 'bunfig.toml', 'node_modules', '.venv'])
      expect(existsSync(join(dir, f))).toBe(false)
    const unit = Bun.spawnSync(['python3', '-m', 'unittest', '-v'], { cwd: dir, stdout: 'pipe', stderr: 'pipe' })
    const out = `${unit.stdout}${unit.stderr}`
    expect(out).toMatch(/Ran [1-9]\d* tests/)
    expect(out).toContain('\nOK')
    expect(unit.exitCode).toBe(0)
  }, 60_000)

  test('motia start: hello, POST /tasks → queue step → state, over HTTP', async () => {
    const motia = await startMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], { binary })
    try {
      const hello = await fetch(`${motia.url}/hello`)
      expect(await hello.json()).toEqual({ message: 'Hello from Python!', traceId: expect.any(String) })
      const refused = await fetch(`${motia.url}/tasks`, { method: 'POST', headers: json, body: '{}' })
      expect(refused.status).toBe(400)
      const res = await fetch(`${motia.url}/tasks`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ title: 'ship it' }),
      })
      expect(res.status).toBe(202)
      const { id } = (await res.json()) as { id: string }
      const tasks = await until(async () => {
        const body = (await (await fetch(`${motia.url}/tasks`)).json()) as { tasks: unknown[] }
        return body.tasks.length > 0 ? body.tasks : undefined
      })
      expect(tasks).toEqual([{ id, title: 'ship it', done: false }])
    } finally {
      await motia.stop()
    }
  }, 60_000)
})

describe('motia create -t polyglot', () => {
  let dir: string
  test('motia start: POST to the TS API, scored by Python, notified by JS; GET shows both', async () => {
    dir = (await create('polyglot')).dir
    const motia = await startMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], { binary })
    try {
      const res = await fetch(`${motia.url}/orders`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ customer: 'ada@example.com', items: [{ sku: 'tv', quantity: 2, price: 300 }] }),
      })
      expect(res.status).toBe(202)
      const { id } = (await res.json()) as { id: string }
      const order = await until(async () => {
        const r = await fetch(`${motia.url}/orders/${id}`)
        const body = r.status === 200 ? ((await r.json()) as { order: unknown; notification: unknown }) : undefined
        return body?.notification ? body : undefined
      })
      expect(order).toEqual({
        order: { id, customer: 'ada@example.com', total: 600, status: 'review' },
        notification: {
          to: 'ada@example.com',
          message: `Order ${id} (600) is being reviewed; we will write again soon.`,
          traceId: expect.any(String),
        },
      })
      // NotifyCustomer logs after it stores the notification: its line may still be on the way.
      const lines = await until(async () => {
        const out = motia.output()
        return out.includes('"msg":"customer notified"') ? out : undefined
      })
      expect(lines).toContain('"msg":"order scored"')
    } finally {
      await motia.stop()
    }
  }, 60_000)

  test('motia test and plain bun test pass on its TS tests', async () => {
    const viaMotia = await runMotia(['test'], { cwd: dir, binary })
    expect(`${viaMotia.stdout}${viaMotia.stderr}`).toMatch(/\b4 pass\b/)
    expect(viaMotia.code).toBe(0)
    const plain = Bun.spawnSync([BUN, 'test'], { cwd: dir, stdout: 'pipe', stderr: 'pipe' })
    expect(`${plain.stdout}${plain.stderr}`).toMatch(/\b4 pass\b/)
    expect(plain.exitCode).toBe(0)
  }, 90_000)
})
