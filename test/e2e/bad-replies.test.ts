/**
 * Answers HTTP cannot carry, from Python and TS handlers, through the binary (`motia start`):
 * a status outside 200-599, a non-integer status, a header name or value with CR/LF. Each is a
 * 500 E_HANDLER_FAILED whose body names the problem, and its concurrency slot is given back:
 * with `http.concurrency: 3`, four bad answers of each kind and then a good request answers 200.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type RunningMotia, startMotia, testBinary } from '../support/binary'
import { tempProjects } from '../support/runtime'

const project = tempProjects('motia-bad-replies-')
const CONCURRENCY = 3

const PY_STEPS = `from motia import ApiResponse, http
config = {"name": "PyBad", "triggers": [http("GET", "/py/:kind")]}
async def handler(req):
    kind = req.path_params["kind"]
    if kind == "status":
        return {"status": 999, "body": {"a": 1}}
    if kind == "float":
        return {"status": 200.5, "body": {"a": 1}}
    if kind == "text-status":
        return {"status": "teapot", "body": {"a": 1}}
    if kind == "header-value":
        return ApiResponse(status=200, body={"a": 1}, headers={"x-a": "a\\r\\nset-cookie: evil=1"})
    if kind == "header-name":
        return ApiResponse(status=200, body={"a": 1}, headers={"x-a\\r\\nb": "c"})
    if kind == "stream-header":
        await req.response.status(200)
        await req.response.headers({"x-a": "a\\nb"})
        req.response.stream.write("data: 1\\n\\n")
        req.response.close()
        return None
    return {"status": 200, "body": {"ok": True}}
`
const PY_SYNC = `from motia import http
config = {"name": "PyBadDef", "triggers": [http("GET", "/py-def/status")]}
def handler(req):
    return {"status": 999, "body": {"a": 1}}
`
const TS_STEP = `export const config = { name: 'TsBad', triggers: [{ type: 'http', method: 'GET', path: '/ts/:kind' }] }
export const handler = async (req: any) => {
  switch (req.pathParams.kind) {
    case 'status': return { status: 999, body: { a: 1 } }
    case 'float': return { status: 200.5, body: { a: 1 } }
    case 'header-value': return { status: 200, body: { a: 1 }, headers: { 'x-a': 'a\\r\\nset-cookie: evil=1' } }
    case 'header-name': return { status: 200, body: 'x', headers: { 'x-a\\r\\nb': 'c' } }
    default: return { status: 200, body: { ok: true } }
  }
}
`
const TS_STREAM = `export const config = { name: 'TsStream', triggers: [{ type: 'http', method: 'GET', path: '/ts-stream' }] }
export const handler = async ({ response }: any) => {
  response.status(200)
  response.headers({ 'x-a': 'a\\nb' })
  response.stream.write('data: 1\\n\\n')
  response.close()
}
`

const PROBLEMS: Record<string, string> = {
  status: 'status 999 is not a valid HTTP status (200-599)',
  float: 'status 200.5 is not a valid HTTP status (an integer 200-599)',
  'text-status': 'status "teapot" is not a valid HTTP status (an integer 200-599)',
  'header-value': 'header "x-a" has a CR (\\r) in its value, which HTTP cannot carry',
  'header-name': 'header name "x-a\\r\\nb" is not a valid HTTP header name',
  'stream-header': 'header "x-a" has an LF (\\n) in its value, which HTTP cannot carry',
}

let motia: RunningMotia
beforeAll(async () => {
  const binary = await testBinary()
  const dir = project({
    'config.yaml': `http:\n  concurrency: ${CONCURRENCY}\n  timeout: 20s\nstreams:\n  port: 0\npython:\n  workers: 1\n`,
    'steps/bad_step.py': PY_STEPS,
    'steps/bad_def_step.py': PY_SYNC,
    'steps/bad.step.ts': TS_STEP,
    'steps/stream.step.ts': TS_STREAM,
  })
  motia = await startMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], { binary })
}, 120_000)
afterAll(() => motia?.stop())

/** One more request than there are slots to `path`, one after another, each failing naming `problem`; then a good one. */
async function badThenGood(path: string, problem: string, good: string): Promise<void> {
  for (let i = 0; i <= CONCURRENCY; i++) {
    const res = await fetch(`${motia.url}${path}`, { signal: AbortSignal.timeout(10_000) })
    const a = { status: res.status, code: res.headers.get('x-motia-error-code'), body: await res.json() }
    expect(a).toEqual({
      status: 500,
      code: 'E_HANDLER_FAILED',
      body: {
        error: 'The handler answered with a response HTTP cannot carry',
        code: 'E_HANDLER_FAILED',
        message: problem,
        traceId: expect.any(String),
      },
    })
  }
  const ok = await fetch(`${motia.url}${good}`, { signal: AbortSignal.timeout(10_000) })
  expect(ok.status).toBe(200)
  expect(await ok.json()).toEqual({ ok: true })
}

describe('a Python answer HTTP cannot carry: 500 naming it, the slot given back', () => {
  for (const kind of Object.keys(PROBLEMS)) {
    test(kind, () => badThenGood(`/py/${kind}`, PROBLEMS[kind]!, '/py/good'), 30_000)
  }
  test('status 999 from a def handler', () => badThenGood('/py-def/status', PROBLEMS.status!, '/py/good'), 30_000)
  test('the python process was never replaced', () => {
    expect(motia.output()).not.toContain('replaced')
    expect(motia.output()).not.toContain('unhandled')
  })
})

describe("a TS answer HTTP cannot carry: 500 naming it (JSON, not Bun's plain text), the slot given back", () => {
  for (const kind of ['status', 'float', 'header-value', 'header-name']) {
    test(kind, () => badThenGood(`/ts/${kind}`, PROBLEMS[kind]!, '/ts/good'), 30_000)
  }
  test('a streamed response whose header has LF: 500 E_HANDLER_FAILED', async () => {
    const res = await fetch(`${motia.url}/ts-stream`)
    expect(res.status).toBe(500)
    expect(await res.json()).toMatchObject({ code: 'E_HANDLER_FAILED', message: PROBLEMS['stream-header'] })
  })
})
