import { afterAll, beforeAll, expect, test } from 'bun:test'
import { ensureBinary, startMotia } from '../support/binary'
import { copyFixture } from '../support/runtime'

let project: ReturnType<typeof copyFixture>
beforeAll(async () => {
  await ensureBinary()
  project = copyFixture('reload')
}, 120_000)
afterAll(() => project?.dispose())

interface Frame {
  streamName: string
  groupId: string
  id?: string
  timestamp: number
  event: { type: string; data?: unknown }
}

async function client(url: string) {
  const ws = new WebSocket(url)
  const frames: Frame[] = []
  ws.addEventListener('message', (e) => frames.push(JSON.parse(String(e.data))))
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve)
    ws.addEventListener('error', reject)
  })
  const next = async (n: number) => {
    for (let i = 0; i < 200 && frames.length < n; i++) await Bun.sleep(10)
    return frames
  }
  return { ws, frames, next }
}

test('streams through the compiled binary: stream port and API port, live events, items survive a restart', async () => {
  const args = ['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1']
  let motia = await startMotia(args)
  try {
    const wsUrl = motia.output().match(/Streams listening on (ws:\/\/\S+)/)![1]!
    const a = await client(wsUrl)
    const b = await client(motia.url.replace('http', 'ws')) // older clients use the API address
    for (const c of [a, b])
      c.ws.send(JSON.stringify({ type: 'join', data: { streamName: 'counter', groupId: 'g', subscriptionId: 'x' } }))
    await a.next(1)
    await b.next(1)
    expect(a.frames[0]).toMatchObject({ streamName: 'counter', groupId: 'g', event: { type: 'sync', data: [] } })
    expect(await (await fetch(`${motia.url}/bump`, { method: 'POST' })).json()).toEqual({ n: 1, id: 'c' })
    await a.next(2)
    await b.next(2)
    for (const c of [a, b])
      expect(c.frames[1]).toMatchObject({ id: 'c', event: { type: 'create', data: { id: 'c', n: 1 } } })
    a.ws.close()
    b.ws.close()
  } finally {
    await motia.stop()
  }
  motia = await startMotia(args)
  try {
    const c = await client(motia.output().match(/Streams listening on (ws:\/\/\S+)/)![1]!)
    c.ws.send(
      JSON.stringify({ type: 'join', data: { streamName: 'counter', groupId: 'g', id: 'c', subscriptionId: 'y' } }),
    )
    await c.next(1)
    expect(c.frames[0]).toMatchObject({ id: 'c', event: { type: 'sync', data: { id: 'c', n: 1 } } })
    c.ws.close()
  } finally {
    await motia.stop()
  }
})
