/**
 * Python faults: load errors with file and line, a handler past its timeout (its process is
 * replaced, the other invocations it held run again), os._exit() in a handler, 100 concurrent
 * requests, reload with requests in flight, no interpreter.
 */
import { describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PythonModuleApi } from '../../modules/python/python-module'
import type { QueueModuleApi } from '../../modules/queue/queue-module'
import { fixtureRuntime, tempProjects } from '../support/runtime'
import { SLOW_STEP } from './steps'

const project = tempProjects('motia-py-faults-')

const OK_STEP = `from motia import http
config = {"name": "Ok", "triggers": [http("GET", "/ok")]}
def handler(req):
    return {"status": 200, "body": {"ok": True}}
`
const TS_STEP = `export const config = { name: 'Ts', triggers: [{ type: 'http', method: 'GET', path: '/ts' }] }
export const handler = async () => ({ status: 200, body: { ts: true } })
`

describe('load problems', () => {
  test('syntax error, missing package, bad config: file, line and field; the rest serves (dev)', async () => {
    const dir = project({
      'steps/ok_step.py': OK_STEP,
      'steps/ts.step.ts': TS_STEP,
      'steps/syntax_step.py': 'from motia import http\n\nconfig = {"name": "S"\nhandler = 1\n',
      'steps/imports_step.py': 'import os\nimport definitely_not_installed_pkg\nconfig = {}\n',
      'steps/config_step.py':
        'from motia import http\nconfig = {"name": "C", "triggers": [http("GET", "no-slash")]}\ndef handler(r): pass\n',
    })
    await using rt = await fixtureRuntime(dir)
    const problems = rt.problems.map((p) => ({ file: p.file, field: p.field, message: p.message }))
    expect(problems).toContainEqual({
      file: 'steps/imports_step.py',
      field: undefined,
      message: "could not be loaded: ModuleNotFoundError: No module named 'definitely_not_installed_pkg' (line 2)",
    })
    expect(problems.find((p) => p.file === 'steps/syntax_step.py')!.message).toMatch(
      /^could not be loaded: SyntaxError: .* \(line 3\)$/,
    )
    expect(problems).toContainEqual({
      file: 'steps/config_step.py',
      field: 'triggers[0].path',
      message: 'expected a path starting with "/", got "no-slash"',
    })
    expect((await rt.request('/ok')).status).toBe(200)
    expect((await rt.request('/ts')).status).toBe(200)
  })

  test('start refuses a project with a broken Python step', async () => {
    const dir = project({ 'steps/ok_step.py': OK_STEP, 'steps/bad_step.py': 'def (:\n' })
    await expect(fixtureRuntime(dir, { mode: 'start' })).rejects.toThrow(/steps\/bad_step.py: could not be loaded/)
  })

  test('no interpreter: one problem naming what was tried; dev serves TS, start refuses', async () => {
    const dir = project({ 'steps/ok_step.py': OK_STEP, 'steps/ts.step.ts': TS_STEP })
    const saved = process.env.MOTIA_PYTHON
    process.env.MOTIA_PYTHON = '/nonexistent/python3'
    try {
      await using rt = await fixtureRuntime(dir)
      expect(rt.problems).toHaveLength(1)
      expect(rt.problems[0]!.message).toContain('no Python interpreter found')
      expect(rt.problems[0]!.message).toContain('MOTIA_PYTHON=/nonexistent/python3')
      expect((await rt.request('/ts')).status).toBe(200)
      await expect(fixtureRuntime(dir, { mode: 'start' })).rejects.toThrow(/no Python interpreter found/)
    } finally {
      if (saved === undefined) delete process.env.MOTIA_PYTHON
      else process.env.MOTIA_PYTHON = saved
    }
  })
})

describe('processes', () => {
  test('a handler past its timeout: process replaced, the others it held run again', async () => {
    const dir = project({
      'steps/hang_step.py': `import time
from motia import queue
config = {"name": "Hang", "triggers": [queue("hang", config={"max_retries": 0})],
          "infrastructure": {"handler": {"timeout": 1}}}
def handler(data, ctx):
    time.sleep(60)
`,
      'steps/slow_step.py': SLOW_STEP,
    })
    await using rt = await fixtureRuntime(dir)
    const queue = rt.services.shared.get('queue') as QueueModuleApi
    const py = rt.services.shared.get('python') as PythonModuleApi
    const [first] = py.steps.pool!.pids()
    await rt.request('/emit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'hang', data: {} }),
    })
    await Bun.sleep(200)
    const slow = await rt.request('/slow')
    expect(slow.status).toBe(200)
    const { pid } = (await slow.json()) as { pid: number }
    expect(pid).not.toBe(first)
    await queue.idle({ delayed: true })
    const dead = await queue.adapter.deadLetters({ topic: 'hang' })
    expect(dead[0]!.error).toMatchObject({ code: 'E_HANDLER_TIMEOUT' })
    expect(rt.records.some((r) => r.msg.includes('timed out') && r.msg.includes('replaced'))).toBe(true)
  })

  test('os._exit() in a handler: the process is replaced and logged, the request fails alone', async () => {
    const dir = project({
      'steps/ok_step.py': OK_STEP,
      'steps/exit_step.py': `import os
config = {"name": "Exit", "triggers": [{"type": "http", "method": "GET", "path": "/exit"}]}
def handler(req):
    os._exit(3)
`,
    })
    await using rt = await fixtureRuntime(dir)
    const res = await rt.request('/exit')
    expect(res.status).toBe(500)
    expect(rt.records.some((r) => r.msg.includes('exited (code 3); replaced'))).toBe(true)
    let ok = await rt.request('/ok')
    for (let i = 0; i < 50 && ok.status !== 200; i++) {
      await Bun.sleep(100)
      ok = await rt.request('/ok')
    }
    expect(ok.status).toBe(200)
  })

  test('while no python process is up (the next one still loading), a request is a 504 at its timeout, not held', async () => {
    const dir = project({
      'config.yaml': 'http:\n  timeout: 300\n',
      'steps/ok_step.py': OK_STEP,
      // Processes started once `slow` exists take 3 s to load.
      'steps/exit_step.py': `import os, time
if os.path.exists(os.path.join(os.path.dirname(__file__), "slow")):
    time.sleep(3)
config = {"name": "Exit", "triggers": [{"type": "http", "method": "GET", "path": "/exit"}]}
def handler(req):
    os._exit(3)
`,
    })
    await using rt = await fixtureRuntime(dir)
    writeFileSync(join(dir, 'steps', 'slow'), '')
    expect([500, 504]).toContain((await rt.request('/exit')).status)
    const started = performance.now()
    const res = await rt.request('/ok')
    expect(res.status).toBe(504)
    expect(res.headers.get('x-motia-error-code')).toBe('E_HANDLER_TIMEOUT')
    expect(performance.now() - started).toBeLessThan(1500)
  })

  test('100 concurrent requests to one Python step', async () => {
    const dir = project({
      'steps/many_step.py': `import asyncio
from motia import http, stateManager
config = {"name": "Many", "triggers": [http("POST", "/many/:n")]}
async def handler(req, ctx):
    await asyncio.sleep(0.05)
    await stateManager.set("many", req.path_params["n"], {"trace": ctx.trace_id})
    return {"status": 200, "body": {"n": int(req.path_params["n"])}}
`,
    })
    await using rt = await fixtureRuntime(dir)
    const started = performance.now()
    const all = await Promise.all(
      Array.from({ length: 100 }, (_, n) => rt.request(`/many/${n}`, { method: 'POST' }).then((r) => r.json())),
    )
    expect(all).toEqual(Array.from({ length: 100 }, (_, n) => ({ n })))
    // Concurrent on one asyncio loop: far below 100 × 50 ms.
    expect(performance.now() - started).toBeLessThan(3000)
  })

  test('reload with requests in flight: they finish on the old code, new ones get the new', async () => {
    const step = (v: string) => `import asyncio
from motia import http
config = {"name": "Versioned", "triggers": [http("GET", "/v")]}
async def handler(req):
    await asyncio.sleep(0.5)
    return {"status": 200, "body": {"v": "${v}"}}
`
    const dir = project({ 'steps/v_step.py': step('one') })
    await using rt = await fixtureRuntime(dir)
    const inFlight = Promise.all([rt.request('/v'), rt.request('/v')])
    await Bun.sleep(100)
    writeFileSync(join(dir, 'steps/v_step.py'), step('two'))
    const { problems } = await rt.reload()
    expect(problems).toEqual([])
    const old = await inFlight
    expect(await Promise.all(old.map((r) => r.json()))).toEqual([{ v: 'one' }, { v: 'one' }])
    expect(await (await rt.request('/v')).json()).toEqual({ v: 'two' })
  })
})
