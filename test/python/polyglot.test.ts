/**
 * One flow across three languages through the compiled binary, in a project with no
 * node_modules and no pip install: a TS HTTP step enqueues → a Python queue step writes state
 * and a stream item (seen by a WebSocket client of a stream only Python names) and enqueues →
 * a JS step writes the result. One trace id throughout, Python's log lines included.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { ensureBinary, startMotia } from '../support/binary'
import { copyFixture } from '../support/runtime'

let project: ReturnType<typeof copyFixture>
beforeAll(async () => {
  await ensureBinary()
  project = copyFixture('polyglot')
}, 180_000)
afterAll(() => project?.dispose())

test('TS → Python → JS on one trace, with a live stream event from Python', async () => {
  const motia = await startMotia(['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'])
  try {
    const ws = new WebSocket(motia.url.replace('http', 'ws'))
    const frames: { event: { type: string; data?: unknown }; id?: string }[] = []
    ws.addEventListener('message', (e) => frames.push(JSON.parse(String(e.data))))
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve)
      ws.addEventListener('error', reject)
    })
    ws.send(JSON.stringify({ type: 'join', data: { streamName: 'orders', groupId: 'all', subscriptionId: 's' } }))
    for (let i = 0; i < 200 && frames.length < 1; i++) await Bun.sleep(10)
    expect(frames[0]).toMatchObject({ event: { type: 'sync', data: [] } })

    const res = await fetch(`${motia.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'o1' }),
    })
    expect(res.status).toBe(202)
    const { traceId } = (await res.json()) as { traceId: string }
    let result: Response | undefined
    for (let i = 0; i < 300; i++) {
      result = await fetch(`${motia.url}/results/o1`)
      if (result.status === 200) break
      await Bun.sleep(20)
    }
    expect(await result!.json()).toEqual({
      result: { traceId, pyTrace: traceId },
      processed: { by: 'python', trace: traceId },
    })
    for (let i = 0; i < 200 && frames.length < 2; i++) await Bun.sleep(10)
    expect(frames[1]).toMatchObject({ id: 'o1', event: { type: 'create', data: { id: 'o1', status: 'processed' } } })
    ws.close()

    const lines = motia
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; traceId?: string; step?: string })
    const ofTrace = (msg: string) => lines.find((l) => l.msg === msg)
    expect(ofTrace('order placed (ts)')).toMatchObject({ traceId, step: 'PlaceOrder' })
    expect(ofTrace('order processed (python)')).toMatchObject({ traceId, step: 'ProcessOrder' })
    expect(ofTrace('processing o1')).toMatchObject({ traceId, step: 'ProcessOrder' })
    expect(ofTrace('result recorded (js)')).toMatchObject({ traceId, step: 'RecordResult' })
  } finally {
    await motia.stop()
  }
}, 60_000)

test('motia dev: saving a .py file reloads the Python steps in place; static routes beat parameter routes', async () => {
  const dir = copyFixture('polyglot')
  const route = (body: string) => `from motia import http
config = {"name": "Item", "triggers": [http("GET", "/items/:id")]}
def handler(req):
    return {"status": 200, "body": ${body}}
`
  await Bun.write(`${dir.path}/steps/item_step.py`, route('{"id": req.path_params["id"], "v": 1}'))
  await Bun.write(
    `${dir.path}/steps/summary_step.py`,
    `config = {"name": "Summary", "triggers": [{"type": "http", "method": "GET", "path": "/items/summary"}]}
async def handler(req):
    return {"status": 200, "body": {"summary": True}}
`,
  )
  const motia = await startMotia(['dev', '--dir', dir.path, '--port', '0', '--host', '127.0.0.1'])
  try {
    expect(await (await fetch(`${motia.url}/items/summary`)).json()).toEqual({ summary: true })
    expect(await (await fetch(`${motia.url}/items/a`)).json()).toEqual({ id: 'a', v: 1 })
    await Bun.write(`${dir.path}/steps/item_step.py`, route('{"id": req.path_params["id"], "v": 2}'))
    // Within 20 s (a second alone; a loaded CI machine once took over 6): then the server's
    // log says what it did meanwhile.
    let body: unknown
    for (const until = performance.now() + 20_000; performance.now() < until; ) {
      body = await (await fetch(`${motia.url}/items/a`)).json()
      if ((body as { v: number }).v === 2) break
      await Bun.sleep(20)
    }
    if ((body as { v: number }).v !== 2)
      throw new Error(
        `not reloaded in 20 s (last answer ${JSON.stringify(body)}); the server printed:\n${motia.output()}`,
      )
    expect(body).toEqual({ id: 'a', v: 2 })
    expect(await (await fetch(`${motia.url}/items/summary`)).json()).toEqual({ summary: true })
  } finally {
    await motia.stop()
    dir.dispose()
  }
}, 60_000)
