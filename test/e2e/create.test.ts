import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBinary, runMotia, startMotia } from '../support/binary'
import { tempDir } from '../support/runtime'

const TSC = join(import.meta.dir, '..', '..', 'node_modules', '.bin', 'tsc')
const TEMPLATES = ['polyglot', 'python', 'starter', 'starter-js', 'todo']
/** Templates with TS/JS tests and a tsconfig (python's tests are Python: test/python/templates.test.ts). */
const TS_TEMPLATES = TEMPLATES.filter((t) => t !== 'python')

let tmp: ReturnType<typeof tempDir>
// The first e2e file to run builds the binary: longer than the default 5 s hook timeout under load.
beforeAll(async () => {
  await ensureBinary()
  tmp = tempDir('motia-create-')
}, 120_000)
afterAll(() => tmp?.dispose())

/** A project created by the binary, in its own directory. */
async function create(template: string, name = `app-${template}`): Promise<string> {
  const r = await runMotia(['create', name, '--template', template], { cwd: tmp.path })
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  expect(r.stdout).toContain(`created ${name} from the ${template} template`)
  expect(r.stdout).toContain(`cd ${name}\n  motia dev`)
  return join(tmp.path, name)
}

/** Free ports only: a created project has no config.yaml, and the streams port would be 3112. */
function freePorts(dir: string): void {
  writeFileSync(join(dir, 'config.yaml'), 'streams:\n  port: 0\n')
}

test('motia create --list shows every template with its description', async () => {
  const r = await runMotia(['create', '--list'])
  expect(r.code).toBe(0)
  const names = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/)[0])
  expect(names).toEqual(TEMPLATES)
  expect(r.stdout).toMatch(/^todo\s+Live todo board/m)
}, 120_000)

describe.each(TS_TEMPLATES)('template %s', (template) => {
  test('created offline by the binary; motia test passes with no node_modules; tsc resolves motia and zod', async () => {
    const dir = await create(template)
    expect(existsSync(join(dir, 'node_modules'))).toBe(false)
    for (const f of ['tsconfig.json', 'types.d.ts', 'README.md', '.gitignore', '.motia/types/motia/index.d.ts'])
      expect(existsSync(join(dir, f))).toBe(true)
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toContain(`"name": "app-${template}"`)

    const r = await runMotia(['test'], { cwd: dir })
    expect(`${r.stdout}${r.stderr}`).toMatch(/\b[1-9]\d* pass\b/)
    expect(`${r.stdout}${r.stderr}`).toContain(' 0 fail')
    expect(r.code).toBe(0)
    expect(existsSync(join(dir, 'node_modules'))).toBe(false)

    // What an editor sees: the tsconfig maps motia, motia/testing, zod and bun:test to .motia/types.
    const tsc = Bun.spawn([TSC, '-p', dir], { cwd: dir, stdout: 'pipe' })
    expect(await new Response(tsc.stdout).text()).toBe('')
    expect(await tsc.exited).toBe(0)
  })
})

test('motia test: bun test arguments pass through, a failing test fails the command', async () => {
  const dir = await create('starter', 'app-failing')
  mkdirSync(join(dir, 'tests'), { recursive: true })
  writeFileSync(
    join(dir, 'tests', 'broken.test.ts'),
    `import { expect, test } from 'bun:test'\nimport { createTestRuntime } from 'motia/testing'\n` +
      `test('fails on purpose', async () => {\n  await using rt = await createTestRuntime({ dir: new URL('..', import.meta.url) })\n` +
      `  expect((await rt.request('/hello')).status).toBe(418)\n})\n`,
  )
  const failing = await runMotia(['test'], { cwd: dir })
  expect(failing.code).not.toBe(0)
  expect(`${failing.stdout}${failing.stderr}`).toContain('(fail) fails on purpose')
  const filtered = await runMotia(['test', 'tests/todos.test.ts', '-t', 'DailyReport'], { cwd: dir })
  expect(`${filtered.stdout}${filtered.stderr}`).toMatch(/ 1 pass\b/)
  expect(filtered.code).toBe(0)
})

test('motia create refuses a directory that is not empty and an unknown template', async () => {
  mkdirSync(join(tmp.path, 'taken'))
  writeFileSync(join(tmp.path, 'taken', 'x'), '')
  const taken = await runMotia(['create', 'taken'], { cwd: tmp.path })
  expect([taken.code, taken.stderr.trim()]).toEqual([1, 'motia: taken exists and is not empty'])
  const unknown = await runMotia(['create', 'other', '-t', 'nope'], { cwd: tmp.path })
  expect([unknown.code, unknown.stderr.trim()]).toEqual([
    1,
    `motia: no template "nope" (templates: ${TEMPLATES.join(', ')})`,
  ])
})

test('motia generate-types follows the steps', async () => {
  const dir = await create('starter', 'app-types')
  writeFileSync(
    join(dir, 'steps', 'ping.step.ts'),
    `export const config = { type: 'event', name: 'Ping', subscribes: ['ping'], emits: [] }\nexport const handler = async () => {}\n`,
  )
  const r = await runMotia(['generate-types'], { cwd: dir })
  expect([r.code, r.stdout.trim()]).toEqual([0, 'wrote types.d.ts'])
  expect(readFileSync(join(dir, 'types.d.ts'), 'utf8')).toContain('Ping: EventHandler<unknown, never>')
  expect((await runMotia(['generate-types', '--dir', dir])).stdout.trim()).toBe('types.d.ts is up to date')
})

test('motia emit enqueues into a running motia start', async () => {
  const dir = await create('starter', 'app-emit')
  // motia start serves POST /emit only when enabled, with a token (docs/http.md).
  writeFileSync(
    join(dir, 'config.yaml'),
    'streams:\n  port: 0\nhttp:\n  emit:\n    enabled: true\n    token: ${MOTIA_EMIT_TOKEN}\n',
  )
  const token = { MOTIA_EMIT_TOKEN: 'create-test-token' }
  const motia = await startMotia(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: dir, env: token })
  try {
    const port = new URL(motia.url).port
    const data = { id: 'e1', text: 'from the CLI', priority: 'low' }
    const r = await runMotia([
      'emit',
      '--topic',
      'todo.created',
      '--data',
      JSON.stringify(data),
      '--port',
      port,
      '--token',
      token.MOTIA_EMIT_TOKEN,
    ])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({ success: true, emitted: { topic: 'todo.created', data } })
    // The 0.x flag name, --url, and the token from the environment.
    const legacy = await runMotia(
      ['emit', '-t', 'todo.created', '--message', '{"id":"e2","text":"x","priority":"low"}', '--url', motia.url],
      { env: token },
    )
    expect(legacy.code).toBe(0)
    let todo: unknown
    for (let i = 0; i < 200 && !todo; i++) {
      const res = await fetch(`${motia.url}/todos/e1`)
      if (res.ok) todo = await res.json()
      else await Bun.sleep(10)
    }
    expect(todo).toMatchObject({ ...data, done: false })
  } finally {
    await motia.stop()
  }
  const down = await runMotia(['emit', '--topic', 't', '--url', motia.url])
  expect(down.code).toBe(1)
  expect(down.stderr).toContain(`motia: no motia server answers at ${motia.url}`)
})

test('todo template: the page is served and its stream protocol gets live events', async () => {
  const dir = await create('todo', 'app-live')
  freePorts(dir)
  const motia = await startMotia(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: dir })
  try {
    const page = await (await fetch(`${motia.url}/`)).text()
    expect(page).toContain("streamName: 'todos', groupId: 'board'")
    // What the page does: one socket on the API port, a join of the board group.
    const ws = new WebSocket(motia.url.replace(/^http/, 'ws'))
    const frames: { event: { type: string; data?: any; event?: { type: string; data: any } } }[] = []
    ws.addEventListener('message', (e) => frames.push(JSON.parse(String(e.data))))
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve)
      ws.addEventListener('error', reject)
    })
    ws.send(JSON.stringify({ type: 'join', data: { streamName: 'todos', groupId: 'board', subscriptionId: 's1' } }))
    const until = async (n: number) => {
      for (let i = 0; i < 300 && frames.length < n; i++) await Bun.sleep(10)
      return frames.map((f) => f.event.type)
    }
    expect(await until(1)).toEqual(['sync'])
    const send = (method: string, path: string, body: unknown) =>
      fetch(`${motia.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const todo = (await (await send('POST', '/todos', { text: 'water the plants' })).json()) as { id: string }
    await send('PATCH', `/todos/${todo.id}`, { done: true })
    expect(await until(4)).toEqual(['sync', 'create', 'update', 'event'])
    expect(frames[3]!.event.event).toEqual({ type: 'celebrate', data: { text: 'water the plants', completed: 1 } })
    ws.close()
  } finally {
    await motia.stop()
  }
})

test('motia --help shows an example for every command', async () => {
  const r = await runMotia(['--help'])
  for (const command of ['dev', 'start', 'create', 'test', 'generate-types', 'emit', 'build', 'queue'])
    expect(r.stdout).toMatch(new RegExp(`^\\s+\\$ motia ${command}\\b`, 'm'))
})
