import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { ensureBinary, type RunningMotia, startMotia } from '../support/binary'
import { tempProjects } from '../support/runtime'

// iii's Python SDK (the pinned source in suite/sdk/packages/python, README.md) as a worker of
// dist/motia: a TS step's ctx.enqueue reaches a Python function, which enqueues back to a TS step.
const HERE = import.meta.dir
const VENV = join(HERE, '.py')
const PY_SDK = join(HERE, 'suite', 'sdk', 'packages', 'python', 'iii', 'src')
const project = tempProjects('motia-iii-py-')
let motia: RunningMotia
let worker: Subprocess<'ignore', 'pipe', 'inherit'> | undefined

/** websockets ≥ 13 and pydantic 2, which the SDK needs (Debian 12's python3-websockets 10.4 and python3-pydantic 1.10 are too old), in a git-ignored venv. */
function ensureVenv(): string {
  const python = join(VENV, 'bin', 'python')
  const ok = () =>
    existsSync(python) && Bun.spawnSync([python, '-c', 'import websockets.asyncio.client, pydantic']).exitCode === 0
  if (ok()) return python
  const make = Bun.spawnSync(['python3', '-m', 'venv', VENV], { stderr: 'pipe' })
  const pip = Bun.spawnSync([join(VENV, 'bin', 'pip'), 'install', '-q', 'websockets>=13', 'pydantic>=2'], {
    stderr: 'pipe',
  })
  if (!ok()) {
    throw new Error(
      `could not make ${VENV} with websockets>=13 and pydantic>=2 (PyPI): ${make.stderr.toString()}${pip.stderr.toString()}`,
    )
  }
  return python
}

const WORKER = `
import os, time
from iii import register_worker, InitOptions

iii = register_worker(os.environ["III_URL"], InitOptions(worker_name="py-worker"))

def double(data):
    # Called by a TS step's enqueue; answers by enqueueing to a topic a TS step takes.
    iii.trigger({"function_id": "enqueue", "payload": {"topic": "from-py", "data": {"n": data["n"] * 2, "by": "python"}}})
    return None

def hello(req):
    return {"status_code": 200, "body": {"hello": req["path_params"]["name"], "from": "python"}}

iii.register_function({"id": "py::double"}, double)
iii.register_trigger({"type": "queue", "function_id": "py::double", "config": {"topic": "to-py"}})
iii.register_function({"id": "py::hello"}, hello)
iii.register_trigger({"type": "http", "function_id": "py::hello", "config": {"api_path": "py/hello/:name", "http_method": "GET"}})
print("registered", flush=True)
while True:
    time.sleep(3600)
`

beforeAll(async () => {
  const python = ensureVenv()
  await ensureBinary()
  const dir = project({
    'config.yaml': 'streams: { port: 0 }\nconsole: { enabled: false }\niii: { port: 0 }\n',
    'steps/to-py.step.ts': `export const config = { name: 'ToPy', triggers: [{ type: 'http', method: 'POST', path: '/to-py' }], enqueues: ['to-py'] }
export const handler = async (req, ctx) => { await ctx.enqueue({ topic: 'to-py', data: req.body }); return { status: 202, body: {} } }
`,
    'steps/from-py.step.ts': `export const config = { name: 'FromPy', triggers: [{ type: 'queue', topic: 'from-py' }] }
export const handler = async (input, ctx) => { await ctx.state.set('interop', 'result', input) }
`,
    'steps/result.step.ts': `export const config = { name: 'Result', triggers: [{ type: 'http', method: 'GET', path: '/result' }] }
export const handler = async (req, ctx) => ({ status: 200, body: { result: await ctx.state.get('interop', 'result') } })
`,
    'worker.py': WORKER,
  })
  motia = await startMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], {
    env: { MOTIA_SQLITE: `${dir}/.motia/e2e.db` },
  })
  for (let i = 0; i < 100 && !/iii worker port listening on (ws:\/\/[^"\s]+)/.test(motia.output()); i++)
    await Bun.sleep(20)
  const url = /iii worker port listening on (ws:\/\/[^"\s]+)/.exec(motia.output())![1]!
  const proc = Bun.spawn([python, join(dir, 'worker.py')], {
    env: { ...process.env, III_URL: url, PYTHONPATH: PY_SDK, OTEL_ENABLED: 'false' },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'inherit',
  })
  worker = proc
  const reader = proc.stdout.getReader()
  let out = ''
  while (!out.includes('registered')) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`the Python worker exited: ${out}`)
    out += new TextDecoder().decode(value)
  }
}, 180_000)
afterAll(async () => {
  worker?.kill()
  await worker?.exited
  await motia?.stop()
})

test('a Python iii worker serves a TS step (queue topic and HTTP route) and calls back into a TS step', async () => {
  // Registration frames travel after the print: wait for the route.
  let hello: Response | undefined
  for (let i = 0; i < 200; i++) {
    hello = await fetch(`${motia.url}/py/hello/ada`)
    if (hello.status !== 404) break
    await Bun.sleep(20)
  }
  expect(await hello!.json()).toEqual({ hello: 'ada', from: 'python' })

  const sent = await fetch(`${motia.url}/to-py`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ n: 21 }),
  })
  expect(sent.status).toBe(202)
  let result: unknown = null
  for (let i = 0; i < 300 && !result; i++) {
    result = ((await (await fetch(`${motia.url}/result`)).json()) as { result: unknown }).result
    if (!result) await Bun.sleep(20)
  }
  expect(result).toEqual({ n: 42, by: 'python' })
}, 60_000)
