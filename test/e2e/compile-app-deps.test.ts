import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { copyFileSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { BINARY, ensureBinary, type RunningMotia, runCommand, runMotia, startMotia } from '../support/binary'
import { dropPrefix, freshPrefix, TEST_REDIS_URL } from '../support/redis'
import { copyFixture, tempDir, tempProject } from '../support/runtime'

// `motia build --compile` on an app shaped like a published Motia 0.x app, after a real
// `npm install` (ESM-only nanoid, CJS lodash, axios with nested deps and conditional exports,
// uuid's exports map, date-fns through tsconfig paths, zod 3, and sharp, a native addon).
let app: ReturnType<typeof copyFixture>
const out = tempDir('motia-compiled-deps-')
const prefix = freshPrefix('compile-deps')

beforeAll(async () => {
  await ensureBinary()
  app = copyFixture('real-apps/motia-0x')
  const install = await runCommand(['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: app.path,
    env: { PATH: `${dirname(BINARY)}:${process.env.PATH}` },
  })
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.stdout}\n${install.stderr}`)
}, 300_000)

afterAll(async () => {
  await dropPrefix(prefix)
  app?.dispose()
  out.dispose()
})

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

/** ELF e_machine of an executable: 0x3e x86-64, 0xb7 aarch64. */
function elfMachine(file: string): number {
  const fd = openSync(file, 'r')
  const head = Buffer.alloc(20)
  readSync(fd, head, 0, 20, 0)
  return head.readUInt16LE(18)
}

test('a step importing a native addon (sharp) is refused at compile time, naming the package and the file', async () => {
  const exe = join(out.path, 'refused')
  const r = await runMotia(['build', '--dir', app.path, '--compile', '--outfile', exe])
  expect(r.code).toBe(1)
  expect(r.stderr).toContain('a compiled app cannot carry native addons')
  expect(r.stderr).toMatch(
    /steps\/api\/thumbnail\.step\.ts imports sharp, a native addon \(node_modules\/@img\/sharp-linux-x64\/lib\/sharp-linux-x64\.node\)/,
  )
  expect(existsSync(exe)).toBe(false)
}, 120_000)

describe('the app without its native step, compiled', () => {
  const empty = join(out.path, 'empty')
  const exe = join(empty, 'orders')
  let server: RunningMotia
  beforeAll(async () => {
    rmSync(join(app.path, 'steps', 'api', 'thumbnail.step.ts'))
    const built = await runMotia(['build', '--dir', app.path, '--compile', '--outfile', join(out.path, 'orders')])
    expect(built.code).toBe(0)
    // Nothing of the project is reachable any more: no node_modules anywhere near the app.
    renameSync(join(app.path, 'node_modules'), join(app.path, 'node_modules.gone'))
    mkdirSync(empty)
    copyFileSync(join(out.path, 'orders'), exe)
    copyFileSync(join(out.path, 'orders'), join(out.path, 'orders.copy'))
    server = await startMotia(['--port', '0', '--host', '127.0.0.1'], {
      binary: exe,
      cwd: empty,
      env: {
        TMPDIR: out.path,
        XDG_RUNTIME_DIR: '',
        REDIS_URL: TEST_REDIS_URL,
        ORDERS_PREFIX: `${prefix}:`,
        GREETING: 'hello from the environment',
      },
    })
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
  })

  test('runs from an empty directory with no node_modules: ESM, CJS, exports maps, nested deps, tsconfig paths', async () => {
    const created = await fetch(`${server.url}/orders`, post({ item: 'book', price: 12.5 }))
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      item: 'book',
      cents: 1250,
      day: '1970-01-01',
      status: 'new',
    })
    expect(await (await fetch(`${server.url}/environment`)).json()).toEqual({
      greeting: 'hello from the environment',
      axiosTimeout: 1234,
      chunks: [[1, 2], [3, 4], [5]],
    })
  })

  test("its steps get the app's zod 3, on the engine thread and in workers; motia.config.ts plugins run", async () => {
    const invalid = await fetch(`${server.url}/orders`, post({ item: '', price: -1 }))
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toEqual({ message: 'Validation failed', errors: ['item', 'price'] })
    const { id } = (await (await fetch(`${server.url}/orders`, post({ item: 'pen', price: 1 }))).json()) as {
      id: string
    }
    let order: Record<string, unknown> = {}
    for (let i = 0; i < 100 && order.status !== 'processed'; i++) {
      await Bun.sleep(50)
      order = (await (await fetch(`${server.url}/orders/${id}`)).json()) as Record<string, unknown>
    }
    expect(order).toMatchObject({ status: 'processed', tags: ['a', 'b'], zodErrors: 1 })
    expect(order.ticket).toMatch(/^[\w-]{8}$/)
    const health = await fetch(`${server.url}/__motia/orders-tester/health?id=${id}`)
    expect(await health.json()).toMatchObject({ status: 'healthy', order: { id, item: 'pen' } })
    expect(server.output()).not.toContain('"level":"error"')
  })

  test("the build machine's project path is not in the executable (__dirname is where the app unpacks)", async () => {
    const bytes = await Bun.file(join(out.path, 'orders.copy')).bytes()
    expect(Buffer.from(bytes).includes(app.path)).toBe(false)
  })
})

test('files beside the code are found where the app unpacks (__dirname, import.meta.dir of an inlined module); a CommonJS step loads', async () => {
  const project = tempProject({
    'package.json': JSON.stringify({ name: 'beside', type: 'commonjs' }),
    'steps/note.txt': 'beside the step\n',
    'src/templates/mail.txt': 'from src/templates\n',
    'src/lib/template.ts': `import { readFileSync } from 'node:fs'
import { join } from 'node:path'
export const template = (name: string) => readFileSync(join(import.meta.dir, '..', 'templates', name), 'utf8').trim()
`,
    'steps/read.step.ts': `import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { http } from 'motia'
import { template } from '../src/lib/template'
export const config = { name: 'Read', triggers: [http('GET', '/read')] } as const
export const handler = async () => ({
  status: 200,
  body: { note: readFileSync(join(__dirname, 'note.txt'), 'utf8').trim(), mail: template('mail.txt') },
})
`,
    'steps/legacy.step.js': `module.exports = {
  config: { type: 'api', name: 'Legacy', path: '/legacy', method: 'GET', emits: [] },
  handler: async () => ({ status: 200, body: { cjs: true } }),
}
`,
  })
  try {
    const exe = join(out.path, 'beside')
    expect((await runMotia(['build', '--dir', project.path, '--compile', '--outfile', exe])).code).toBe(0)
    const cwd = join(out.path, 'beside-cwd')
    mkdirSync(cwd)
    const server = await startMotia(['--port', '0', '--host', '127.0.0.1'], {
      binary: exe,
      cwd,
      env: { TMPDIR: out.path, XDG_RUNTIME_DIR: '' },
    })
    try {
      expect(await (await fetch(`${server.url}/read`)).json()).toEqual({
        note: 'beside the step',
        mail: 'from src/templates',
      })
      expect(await (await fetch(`${server.url}/legacy`)).json()).toEqual({ cjs: true })
    } finally {
      await server.stop()
    }
  } finally {
    project.dispose()
  }
}, 120_000)

const qemu = Bun.which('qemu-aarch64')
test('--target linux-arm64 writes an aarch64 executable, which serves the app under qemu when it is installed', async () => {
  const exe = join(out.path, 'orders-arm64')
  // node_modules is back for this build (the previous describe moved it away).
  if (existsSync(join(app.path, 'node_modules.gone')))
    renameSync(join(app.path, 'node_modules.gone'), join(app.path, 'node_modules'))
  const built = await runMotia(['build', '--dir', app.path, '--compile', '--target', 'linux-arm64', '--outfile', exe])
  expect(built.code).toBe(0)
  expect(built.stdout).toContain(`compiled ${exe} for linux-arm64`)
  expect(elfMachine(exe)).toBe(0xb7)
  if (!qemu || !existsSync('/usr/aarch64-linux-gnu')) return
  // Emulated, the app takes ~20 s to start on this machine.
  const server = await startMotia([exe, '--port', '0', '--host', '127.0.0.1'], {
    binary: qemu,
    readyTimeout: 150_000,
    cwd: out.path,
    env: {
      QEMU_LD_PREFIX: '/usr/aarch64-linux-gnu',
      TMPDIR: out.path,
      XDG_RUNTIME_DIR: '',
      REDIS_URL: TEST_REDIS_URL,
      ORDERS_PREFIX: `${prefix}:`,
    },
  })
  try {
    const created = await fetch(`${server.url}/orders`, post({ item: 'arm', price: 2 }))
    expect(await created.json()).toMatchObject({ item: 'arm', cents: 200, status: 'new' })
  } finally {
    await server.stop('SIGKILL')
  }
}, 300_000)
