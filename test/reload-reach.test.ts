import { expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fixtureRuntime, tempProjects } from './support/runtime'

const project = tempProjects('motia-reload-reach-')
/** A step whose file counts its own evaluations (per project dir) and answers with a helper's value. */
const step = (
  name: string,
  path: string,
  helper?: string,
) => `${helper ? `import { value } from '../src/lib/${helper}'\n` : ''}
const g = globalThis as unknown as Record<string, number>
const key = import.meta.dir + '/${name}'
g[key] = (g[key] ?? 0) + 1
export const config = { name: '${name}', triggers: [{ type: 'http', method: 'GET', path: '${path}' }] }
export const handler = async () => ({ status: 200, body: { evaluated: g[key], value: ${helper ? 'value' : 'null'} } })
`
const evaluations = (dir: string, name: string) =>
  (globalThis as unknown as Record<string, number>)[join(dir, 'steps', name)]

test('a dev reload re-imports the changed files and what imports them, not the other steps', async () => {
  const dir = project({
    'steps/a.step.ts': step('A', '/a', 'helper'),
    'steps/b.step.ts': step('B', '/b'),
    'src/lib/helper.ts': 'export const value = 1\n',
  })
  await using rt = await fixtureRuntime(dir, { mode: 'dev' })
  const body = async (path: string) => (await rt.request(path)).json()
  expect([await body('/a'), await body('/b')]).toEqual([
    { evaluated: 1, value: 1 },
    { evaluated: 1, value: null },
  ])

  // A helper changes: the step importing it is imported afresh, the other is not.
  writeFileSync(join(dir, 'src/lib/helper.ts'), 'export const value = 2\n')
  await rt.reload([join(dir, 'src/lib/helper.ts')])
  expect([await body('/a'), await body('/b')]).toEqual([
    { evaluated: 2, value: 2 },
    { evaluated: 1, value: null },
  ])

  // A step changes: only it.
  writeFileSync(join(dir, 'steps/b.step.ts'), step('B', '/b2'))
  await rt.reload([join(dir, 'steps/b.step.ts')])
  expect((await rt.request('/b')).status).toBe(404)
  expect([await body('/a'), await body('/b2')]).toEqual([
    { evaluated: 2, value: 2 },
    { evaluated: 2, value: null },
  ])

  // Without a list (the API's default), everything is imported afresh, as before.
  await rt.reload()
  expect([evaluations(dir, 'A'), evaluations(dir, 'B')]).toEqual([3, 3])
})

test('a file that failed to load is retried on the next reload, whatever changed', async () => {
  const dir = project({
    'steps/a.step.ts': step('A', '/a', 'helper'),
    'steps/b.step.ts': step('B', '/b'),
    'src/lib/helper.ts': 'export const value = \n',
  })
  await using rt = await fixtureRuntime(dir, { mode: 'dev' })
  expect(rt.problems.map((p) => p.file)).toEqual(['steps/a.step.ts'])
  // The helper is fixed; the watcher names it, and the step that failed through it is retried.
  writeFileSync(join(dir, 'src/lib/helper.ts'), 'export const value = 3\n')
  const { problems } = await rt.reload([join(dir, 'src/lib/helper.ts')])
  expect(problems).toEqual([])
  expect(await (await rt.request('/a')).json()).toEqual({ evaluated: 1, value: 3 })
})
