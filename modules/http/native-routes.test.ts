import { afterAll, beforeAll, expect, test } from 'bun:test'
import { fixtureRuntime, tempProjects } from '../../test/support/runtime'

// Over a real socket, Bun's native routes serve the steps (router.ts): a static path hands the
// handler an empty `pathParams` without reading `request.params`, a path with `:name` its values.
const project = tempProjects('motia-native-routes-')
const ECHO = `export const handler = async (req) => ({ status: 200, body: { params: req.pathParams } })\n`

let rt: Awaited<ReturnType<typeof fixtureRuntime>>
let url: string
beforeAll(async () => {
  rt = await fixtureRuntime(
    project({
      'config.yaml': 'http:\n  port: 0\nstreams:\n  port: 0\nconsole:\n  enabled: false\n',
      'steps/static.step.ts': `export const config = { name: 'Static', triggers: [{ type: 'http', method: 'GET', path: '/static' }, { type: 'http', method: 'POST', path: '/static' }] }\n${ECHO}`,
      'steps/item.step.ts': `export const config = { name: 'Item', triggers: [{ type: 'http', method: 'GET', path: '/items/:id' }, { type: 'http', method: 'POST', path: '/items/:id' }] }\n${ECHO}`,
    }),
    { mode: 'start', listen: true },
  )
  url = (rt.services.shared.get('http.url') as string).replace(/\/$/, '')
})
afterAll(() => rt.stop())

test('path params on the native routes: empty for a static path, named values for :params', async () => {
  const answers = await Promise.all(
    [
      ['GET', '/static'],
      ['POST', '/static'],
      ['GET', '/items/7'],
      ['POST', '/items/8'],
    ].map(async ([method, path]) => {
      const res = await fetch(`${url}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) })
      return [res.status, await res.json()]
    }),
  )
  expect(answers).toEqual([
    [200, { params: {} }],
    [200, { params: {} }],
    [200, { params: { id: '7' } }],
    [200, { params: { id: '8' } }],
  ])
})
