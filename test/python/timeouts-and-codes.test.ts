/**
 * Python faults over HTTP, with their stable codes: a handler hanging past its timeout answers
 * 504 and its process is replaced, while another request in flight on that process is sent to
 * the new one and answered; a process that exits under a handler answers 500
 * E_PYTHON_PROCESS_EXITED; no interpreter is one E_PYTHON_UNAVAILABLE load problem.
 */
import { expect, test } from 'bun:test'
import type { PythonModuleApi } from '../../modules/python/python-module'
import { fixtureRuntime, tempProjects } from '../support/runtime'
import { SLOW_STEP } from './steps'

const project = tempProjects('motia-py-timeouts-')

test('an HTTP handler past its timeout: 504, process replaced, the other request in flight retried and answered', async () => {
  const dir = project({
    'steps/hang_step.py': `import time
from motia import http
config = {"name": "Hang", "triggers": [http("GET", "/hang")], "infrastructure": {"handler": {"timeout": 1}}}
def handler(req):
    time.sleep(60)
`,
    'steps/slow_step.py': SLOW_STEP,
  })
  await using rt = await fixtureRuntime(dir)
  const pool = (rt.services.shared.get('python') as PythonModuleApi).steps.pool!
  const [first] = pool.pids()
  const slow = rt.request('/slow')
  await Bun.sleep(100) // both on the one process
  const started = performance.now()
  const hang = await rt.request('/hang')
  expect(hang.status).toBe(504)
  expect(hang.headers.get('x-motia-error-code')).toBe('E_HANDLER_TIMEOUT')
  expect(performance.now() - started).toBeLessThan(3000)

  const answered = await slow
  expect(answered.status).toBe(200)
  const { pid } = (await answered.json()) as { pid: number }
  expect(pid).not.toBe(first)
  expect(pool.pids()).toEqual([pid])
  expect(rt.records.some((r) => r.msg.includes('a handler of step "Hang" timed out'))).toBe(true)
})

test('a process that exits under a handler: 500 E_PYTHON_PROCESS_EXITED', async () => {
  const dir = project({
    'steps/exit_step.py': `import os
from motia import http
config = {"name": "Exit", "triggers": [http("GET", "/exit")]}
def handler(req):
    os._exit(3)
`,
  })
  await using rt = await fixtureRuntime(dir)
  const res = await rt.request('/exit')
  expect(res.status).toBe(500)
  expect(res.headers.get('x-motia-error-code')).toBe('E_PYTHON_PROCESS_EXITED')
  expect(await res.json()).toMatchObject({ code: 'E_PYTHON_PROCESS_EXITED' })
})

test('no interpreter: one E_PYTHON_UNAVAILABLE problem', async () => {
  const dir = project({
    'steps/ok_step.py':
      'from motia import http\nconfig = {"name": "Ok", "triggers": [http("GET", "/ok")]}\ndef handler(r): pass\n',
  })
  const saved = process.env.MOTIA_PYTHON
  process.env.MOTIA_PYTHON = '/nonexistent/python3'
  try {
    await using rt = await fixtureRuntime(dir)
    expect(rt.problems.map((p) => [p.file, p.code])).toEqual([['steps/ok_step.py', 'E_PYTHON_UNAVAILABLE']])
  } finally {
    if (saved === undefined) delete process.env.MOTIA_PYTHON
    else process.env.MOTIA_PYTHON = saved
  }
})
