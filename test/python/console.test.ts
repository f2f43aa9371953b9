/**
 * The console's JSON API on a polyglot project (test/fixtures/polyglot): Python steps are in
 * the manifest and the endpoints with `language: 'python'`, TS and JS steps with theirs.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultModules } from '../../cmd/default-modules'
import { createRuntime } from '../../runtime/runtime'
import { copyFixture } from '../support/runtime'

let app: ReturnType<typeof copyFixture>
let rt: Awaited<ReturnType<typeof createRuntime>>
let url: string
beforeAll(async () => {
  app = copyFixture('polyglot')
  writeFileSync(
    join(app.path, 'steps', 'quote_step.py'),
    'from motia import http\nconfig = {"name": "Quote", "flows": ["orders"], "triggers": [http("GET", "/quote")]}\n' +
      'def handler(req):\n    return {"status": 200, "body": {}}\n',
  )
  writeFileSync(
    join(app.path, 'config.yaml'),
    'http:\n  port: 0\n  host: 127.0.0.1\nstreams:\n  port: 0\n  host: 127.0.0.1\nconsole:\n  port: 0\n',
  )
  rt = await createRuntime({ dir: app.path, mode: 'dev', modules: defaultModules({ listen: true }), logSinks: [] })
  url = String(rt.services.shared.get('console.url')).replace(/\/$/, '')
}, 30_000)
afterAll(async () => {
  await rt?.stop()
  app?.dispose()
})

test('/api/project lists every step with its language; /api/endpoints too', async () => {
  const project = (await (await fetch(`${url}/api/project`)).json()) as {
    manifest: { steps: { name: string; file: string; language: string }[] }
  }
  expect(project.manifest.steps.map((s) => [s.name, s.file, s.language])).toEqual([
    ['GetResult', 'steps/result.step.ts', 'typescript'],
    ['PlaceOrder', 'steps/place-order.step.ts', 'typescript'],
    ['ProcessOrder', 'steps/process_order_step.py', 'python'],
    ['Quote', 'steps/quote_step.py', 'python'],
    ['RecordResult', 'steps/record-result.step.js', 'javascript'],
  ])
  const { endpoints } = (await (await fetch(`${url}/api/endpoints`)).json()) as {
    endpoints: { step: string; method: string; path: string; language: string }[]
  }
  expect(endpoints.map((e) => `${e.method} ${e.path} ${e.step} ${e.language}`)).toEqual([
    'POST /orders PlaceOrder typescript',
    'GET /quote Quote python',
    'GET /results/:id GetResult typescript',
  ])
})
