/**
 * `def` handlers (modules/python/sdk/motia/_placement.py): a quick one runs inline on the event
 * loop's thread (no thread-pool hop), one that blocks runs in the pool, so a request blocking in
 * a `def` handler does not hold up a quick request on the same python process.
 */
import { expect, test } from 'bun:test'
import { fixtureRuntime, tempProjects } from '../support/runtime'

const project = tempProjects('motia-py-sync-')

// Each answers with the thread that ran it: MainThread is the event loop's, motia-step_N the pool's.
const STEPS = {
  'steps/quick_step.py': `import threading
from motia import http
config = {"name": "Quick", "triggers": [http("GET", "/quick")]}
def handler(req):
    return {"status": 200, "body": {"thread": threading.current_thread().name}}
`,
  'steps/nap_step.py': `import threading, time
from motia import http
config = {"name": "Nap", "triggers": [http("GET", "/nap")]}
def handler(req):
    time.sleep(int(req.query_params.get("ms", "0")) / 1000)
    return {"status": 200, "body": {"thread": threading.current_thread().name}}
`,
}

type Rt = Awaited<ReturnType<typeof fixtureRuntime>>
const thread = async (rt: Rt, path: string): Promise<string> => {
  const res = await rt.request(path)
  expect(res.status).toBe(200)
  return ((await res.json()) as { thread: string }).thread
}

/** Requests `path` until python runs it inline (16 quick calls in a row; more on a loaded machine). */
async function untilInline(rt: Rt, path: string): Promise<number> {
  for (let n = 1; n <= 500; n++) if ((await thread(rt, path)) === 'MainThread') return n
  throw new Error(`${path} never ran inline`)
}

/** Starts a request blocking `ms` in /nap, then makes quick requests one after another while it
 * runs: each must be answered before the blocked one. */
async function quickWhileBlocked(rt: Rt, ms: number): Promise<{ blocked: string; quick: string[] }> {
  let done = false
  const blocked = thread(rt, `/nap?ms=${ms}`).finally(() => {
    done = true
  })
  await Bun.sleep(50) // the blocking call has started in python
  const quick: string[] = []
  for (let i = 0; i < 5; i++) {
    quick.push(await thread(rt, '/quick'))
    expect(done).toBe(false)
  }
  return { blocked: await blocked, quick }
}

test('a def handler that blocks runs in the pool: quick requests meanwhile are answered inline', async () => {
  await using rt = await fixtureRuntime(project(STEPS))
  expect(await untilInline(rt, '/quick')).toBeGreaterThan(16)
  const { blocked, quick } = await quickWhileBlocked(rt, 1500)
  expect(blocked).toStartWith('motia-step')
  expect(quick).toContain('MainThread') // inline, while the pool runs the blocked one
})

test('a quick def handler that turns slow: that one call runs inline, then it is back in the pool', async () => {
  await using rt = await fixtureRuntime(project(STEPS))
  await untilInline(rt, '/quick')
  await untilInline(rt, '/nap?ms=0')
  expect(await thread(rt, '/nap?ms=50')).toBe('MainThread') // past 10 ms: sent back to the pool
  const { blocked, quick } = await quickWhileBlocked(rt, 1500)
  expect(blocked).toStartWith('motia-step')
  expect(quick).toContain('MainThread') // inline, while the pool runs the blocked one
})
