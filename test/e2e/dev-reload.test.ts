import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBinary, startMotia } from '../support/binary'
import { copyFixture } from '../support/runtime'

let project: ReturnType<typeof copyFixture>
beforeAll(async () => {
  await ensureBinary()
  project = copyFixture('reload')
}, 120_000)
afterAll(() => project?.dispose())

/** Polls until `check` passes: file events take a few milliseconds to arrive. */
async function eventually<T>(get: () => Promise<T>, check: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = performance.now() + ms
  let v = await get()
  while (!check(v) && performance.now() < end) {
    await Bun.sleep(10)
    v = await get()
  }
  return v
}

test('motia dev reloads in place: edits, broken files and deletions, with a WebSocket open and a message in flight', async () => {
  const motia = await startMotia(['dev', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'])
  try {
    const wsUrl = motia.output().match(/Streams listening on (ws:\/\/\S+)/)?.[1]
    expect(wsUrl).toBeTruthy()
    const ws = new WebSocket(wsUrl!)
    const events: { event: { type: string } }[] = []
    await new Promise((r) => ws.addEventListener('open', r))
    ws.addEventListener('message', (e) => events.push(JSON.parse(String(e.data))))
    ws.send(JSON.stringify({ type: 'join', data: { streamName: 'counter', groupId: 'g', subscriptionId: 's1' } }))
    await eventually(
      async () => events.length,
      (n) => n >= 1,
    )

    // A message is in its (400 ms) handler while the project reloads.
    await fetch(`${motia.url}/emit`, {
      method: 'POST',
      body: JSON.stringify({ topic: 'slow', data: { id: 'm1' } }),
      headers: { 'content-type': 'application/json' },
    })
    const hello = join(project.path, 'steps', 'hello.step.ts')
    writeFileSync(
      hello,
      "export const config = { name: 'Hello', triggers: [{ type: 'http', method: 'GET', path: '/hello' }] }\nexport const handler = async () => ({ status: 200, body: { version: 'v2' } })\n",
    )
    const v2 = await eventually(
      async () => (await (await fetch(`${motia.url}/hello`)).json()) as { version: string },
      (b) => b.version === 'v2',
    )
    expect(v2.version).toBe('v2')

    // The socket opened before the reload still receives stream events.
    await fetch(`${motia.url}/bump`, { method: 'POST' })
    await eventually(
      async () => events.filter((e) => e.event.type !== 'sync').length,
      (n) => n >= 1,
    )
    expect(ws.readyState).toBe(WebSocket.OPEN)
    expect(events.some((e) => e.event.type === 'create' || e.event.type === 'update')).toBe(true)

    // The queued message is still processed.
    const done = await eventually(
      async () => (await (await fetch(`${motia.url}/done/m1`)).json()) as { done: boolean | null },
      (b) => b.done === true,
    )
    expect(done.done).toBe(true)

    // A broken file keeps its previous version serving and reports file:line.
    writeFileSync(hello, 'export const config = {\n  name: "Hello",\n')
    await eventually(
      async () => motia.output(),
      (o) => o.includes('steps/hello.step.ts: could not be loaded'),
    )
    expect(motia.output()).toMatch(/steps\/hello\.step\.ts: could not be loaded: .*\(line \d+:\d+\)/)
    expect(await (await fetch(`${motia.url}/hello`)).json()).toEqual({ version: 'v2' })

    // Fixing it recovers; deleting a step makes its route 404.
    writeFileSync(
      hello,
      "export const config = { name: 'Hello', triggers: [{ type: 'http', method: 'GET', path: '/hello' }] }\nexport const handler = async () => ({ status: 200, body: { version: 'v3' } })\n",
    )
    await eventually(
      async () => (await (await fetch(`${motia.url}/hello`)).json()) as { version: string },
      (b) => b.version === 'v3',
    )
    rmSync(join(project.path, 'steps', 'bye.step.ts'))
    const gone = await eventually(
      async () => (await fetch(`${motia.url}/bye`)).status,
      (s) => s === 404,
    )
    expect(gone).toBe(404)
    ws.close()
  } finally {
    await motia.stop()
  }
}, 30_000)

/** inotify watches the process holds (Linux: one `inotify wd:` line per watch in fdinfo). */
function inotifyWatches(pid: number): number {
  let n = 0
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      n += (readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').match(/^inotify wd:/gm) ?? []).length
    } catch {}
  }
  return n
}

test('motia dev follows links only inside the project: what is loaded is what is watched and reloaded', async () => {
  const dir = project.path
  mkdirSync(join(dir, 'shared'), { recursive: true })
  const target = join(dir, 'shared', 'linked.step.ts')
  const linked = (v: string) =>
    `export const config = { name: 'Linked', triggers: [{ type: 'http', method: 'GET', path: '/linked' }] }\nexport const handler = async () => ({ status: 200, body: { v: '${v}' } })\n`
  writeFileSync(target, linked('v1'))
  symlinkSync(target, join(dir, 'steps', 'linked.step.ts'))
  symlinkSync('/usr/share', join(dir, 'steps', 'usr-share'))
  const motia = await startMotia(['dev', '--dir', dir, '--port', '0', '--host', '127.0.0.1'])
  try {
    expect(await (await fetch(`${motia.url}/linked`)).json()).toEqual({ v: 'v1' })
    expect(motia.output()).toContain('steps/usr-share is a link to /usr/share, outside the project: not followed')
    // Following /usr/share cost ~52k watches; the project needs a handful.
    expect(inotifyWatches(motia.proc.pid)).toBeLessThan(200)
    // The linked step's real file is watched: an edit there is served after the reload.
    writeFileSync(target, linked('v2'))
    const v2 = await eventually(
      async () => (await (await fetch(`${motia.url}/linked`)).json()) as { v: string },
      (b) => b.v === 'v2',
    )
    expect(v2).toEqual({ v: 'v2' })
  } finally {
    await motia.stop()
    rmSync(join(dir, 'steps', 'usr-share'))
    rmSync(join(dir, 'steps', 'linked.step.ts'))
  }
})
