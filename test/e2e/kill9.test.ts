import { afterAll, beforeAll, expect, test } from 'bun:test'
import { ensureBinary, startMotia } from '../support/binary'
import { copyFixture } from '../support/runtime'

let project: ReturnType<typeof copyFixture>
beforeAll(async () => {
  await ensureBinary()
  project = copyFixture('durable')
}, 120_000)
afterAll(() => project?.dispose())

const TOTAL = 4000
const args = () => ['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1']
const count = async (url: string) =>
  (await (await fetch(`${url}/count`)).json()) as { handled: number; duplicates: number }

test(`SIGKILL with thousands of messages in flight: after a restart every one of ${TOTAL} is handled`, async () => {
  let motia = await startMotia(args())
  let beforeKill = { handled: 0, duplicates: 0 }
  try {
    const res = await fetch(`${motia.url}/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 0, count: TOTAL }),
    })
    expect(res.status).toBe(202)
    // Kill it mid-work: some handled, most still queued or in flight.
    for (let i = 0; i < 400 && beforeKill.handled < 300; i++) {
      await Bun.sleep(5)
      beforeKill = await count(motia.url)
    }
  } finally {
    await motia.stop('SIGKILL')
  }
  expect(beforeKill.handled).toBeLessThan(TOTAL)
  motia = await startMotia(args())
  try {
    let c = await count(motia.url)
    for (let i = 0; i < 600 && c.handled < TOTAL; i++) {
      await Bun.sleep(50)
      c = await count(motia.url)
    }
    console.log(
      `kill -9 test: ~${beforeKill.handled} handled before the kill, all ${c.handled} after restart, ${c.duplicates} delivered twice (at-least-once)`,
    )
    expect(c.handled).toBe(TOTAL)
  } finally {
    await motia.stop()
  }
}, 60_000)
