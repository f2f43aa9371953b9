/**
 * What crosses the pipe between the engine and a python process, through the binary
 * (`motia start`): an answer holding a lone surrogate fails alone (500) while 60 others are in
 * flight on the same process, which lives on; a streamed response leaves the process write by
 * write even when the handler blocks its loop (`time.sleep()`); large state values.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { type RunningMotia, startMotia, testBinary } from '../support/binary'
import { tempProjects } from '../support/runtime'

const project = tempProjects('motia-py-frames-')

const ECHO = `import asyncio, os
from motia import http
config = {"name": "Echo", "triggers": [http("POST", "/echo")]}
async def handler(req):
    await asyncio.sleep(0.2)  # every request of the burst is in flight at once
    return {"status": 200, "body": {"echo": req.body, "pid": os.getpid()}}
`
const LONE = `import asyncio, os
from motia import ApiResponse, http, stateManager
config = {"name": "Lone", "triggers": [http("GET", "/lone/:kind")]}
async def handler(req):
    await asyncio.sleep(0.2)
    kind = req.path_params["kind"]
    if kind == "json":
        return {"status": 200, "body": {"a": "\\ud800"}}
    if kind == "text":
        return ApiResponse(status=200, body="x\\udfff", headers={"content-type": "text/plain"})
    if kind == "header":
        await req.response.headers({"x-a": "\\ud800"})
        req.response.stream.write("data: 1\\n\\n")
        req.response.close()
        return None
    if kind == "state":
        await stateManager.set("lone", "k", {"a": "\ud800"})
        stored = await stateManager.get("lone", "k")
        return {"status": 200, "body": {"same": stored == {"a": "\ud800"}}}
    return {"status": 200, "body": {"pid": os.getpid()}}
`
const SSE = `import time
from motia import http
config = {"name": "Sse", "triggers": [http("GET", "/sse")]}
async def handler(req):
    res = req.response
    await res.status(200)
    await res.headers({"content-type": "text/event-stream"})
    for i in range(3):
        res.writer.stream.write("data: %d\\n\\n" % i)
        if i < 2:
            time.sleep(0.3)  # blocks the loop, as Motia's playground SSE step does
    res.close()
`

const BIG = `import os, time
from motia import http, stateManager
config = {"name": "Big", "triggers": [http("GET", "/big/:mb")]}
async def handler(req):
    n = int(float(req.path_params["mb"]) * 1024 * 1024)
    value = {"text": "x" * n}
    t0 = time.perf_counter()
    try:
        await stateManager.set("big", "k" + req.path_params["mb"], value)
        stored = await stateManager.get("big", "k" + req.path_params["mb"])
    except Exception as err:
        return {"status": 200, "body": {"error": type(err).__name__, "code": getattr(err, "code", None),
                                        "message": str(err), "pid": os.getpid()}}
    ms = (time.perf_counter() - t0) * 1000
    return {"status": 200, "body": {"ms": ms, "same": stored == value, "pid": os.getpid()}}
`

let motia: RunningMotia
beforeAll(async () => {
  const binary = await testBinary()
  const dir = project({
    'config.yaml': 'http:\n  timeout: 60s\nstreams:\n  port: 0\npython:\n  workers: 1\n',
    'steps/echo_step.py': ECHO,
    'steps/lone_step.py': LONE,
    'steps/sse_step.py': SSE,
    'steps/big_step.py': BIG,
  })
  motia = await startMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], { binary })
}, 120_000)
afterAll(() => {
  if (process.env.DEBUG_OUT) console.log(motia?.output())
  return motia?.stop()
})

const get = (path: string) => fetch(`${motia.url}${path}`, { signal: AbortSignal.timeout(60_000) })
const pidOf = async () => ((await (await get('/lone/pid')).json()) as { pid: number }).pid

describe('a lone surrogate in a Python answer', () => {
  test('60 requests in flight: each surrogate answer is a 500 naming it, the others 200, the process lives on', async () => {
    const pid = await pidOf()
    const LONE_ECHO = '{"a":"\\ud800"}' // JSON text: the engine parses it to a string with a lone surrogate
    const kinds = ['echo-lone', 'echo-ok', 'json', 'text', 'header', 'pid'] as const
    const answers = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const kind = kinds[i % kinds.length]!
        const res =
          kind === 'echo-lone' || kind === 'echo-ok'
            ? await fetch(`${motia.url}/echo`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: kind === 'echo-lone' ? LONE_ECHO : '{"a":"ok"}',
                signal: AbortSignal.timeout(8_000),
              })
            : await get(`/lone/${kind}`)
        return { kind, status: res.status, body: (await res.json()) as Record<string, unknown> }
      }),
    )
    for (const a of answers) {
      if (a.kind === 'echo-ok') expect(a).toEqual({ kind: a.kind, status: 200, body: { echo: { a: 'ok' }, pid } })
      else if (a.kind === 'pid') expect(a).toEqual({ kind: a.kind, status: 200, body: { pid } })
      else
        expect(a).toEqual({
          kind: a.kind,
          status: 500,
          body: {
            error: 'The handler answered with a response HTTP cannot carry',
            code: 'E_HANDLER_FAILED',
            message: expect.stringMatching(/^the response holds the lone surrogate U\+D(800|FFF) \(a str/),
            traceId: expect.any(String),
          },
        })
    }
    expect(await pidOf()).toBe(pid)
    expect(motia.output()).not.toContain('replaced')
  }, 30_000)
})

test('a lone surrogate in a state value travels as the JSON escape and reads back the same', async () => {
  const res = await get('/lone/state')
  expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { same: true } })
})

describe('a streamed Python response while the handler blocks its loop', () => {
  test('each write reaches the client as it is made (time.sleep(0.3) between three writes)', async () => {
    const t0 = performance.now()
    const res = await get('/sse')
    expect(res.status).toBe(200)
    const arrivals: { at: number; text: string }[] = []
    const decoder = new TextDecoder()
    for await (const chunk of res.body!) arrivals.push({ at: performance.now() - t0, text: decoder.decode(chunk) })
    expect(arrivals.map((a) => a.text).join('')).toBe('data: 0\n\ndata: 1\n\ndata: 2\n\n')
    const end = arrivals.at(-1)!.at
    const firstOf = (n: number) => arrivals.find((a) => a.text.includes(`data: ${n}`))!.at
    // The handler takes 0.6 s: the first event is there well before it ends, the second between.
    expect(end).toBeGreaterThan(550)
    expect(firstOf(0)).toBeLessThan(end - 450)
    expect(firstOf(1)).toBeLessThan(end - 150)
    expect(firstOf(1)).toBeGreaterThan(firstOf(0) + 200)
  }, 15_000)
})

/** CPU time (user + system) a process has used, ms: what a transfer costs, whatever else the machine runs. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100 // utime, stime in clock ticks (USER_HZ 100)
}

describe('large state values from Python', () => {
  /** `state.set` then `get` of `mb` MB from a Python handler: its wall time and the CPU both processes spent. */
  const big = async (mb: number) => {
    const pid = await pidOf()
    const before = cpuMs(motia.proc.pid) + cpuMs(pid)
    const r = (await (await get(`/big/${mb}`)).json()) as { ms: number; same: boolean; pid: number }
    return { ...r, cpu: cpuMs(motia.proc.pid) + cpuMs(pid) - before }
  }

  test('5 MB and 30 MB: stored and read back at a cost proportional to the size (linear reads), the process serves on', async () => {
    const pid = await pidOf()
    const five = await big(5)
    const thirty = await big(30)
    console.log(
      `state.set + get from python: 5 MB ${five.ms.toFixed(0)} ms wall, ${five.cpu} ms CPU; 30 MB ${thirty.ms.toFixed(0)} ms wall, ${thirty.cpu} ms CPU (engine + python)`,
    )
    expect(five).toMatchObject({ same: true, pid })
    expect(thirty).toMatchObject({ same: true, pid })
    // Six times the size: ~6x the work when reading is linear, ~36x when each read of a frame
    // copied all that came before it (30 MB then took 4 s in python's reader alone).
    expect(thirty.cpu).toBeLessThan(Math.max(five.cpu, 100) * 12)
    expect(await pidOf()).toBe(pid)
  }, 120_000)
})
