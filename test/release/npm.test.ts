import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pkg from '../../package.json' with { type: 'json' }
import { NPM_LAUNCHER } from '../../release/npm-packages'
import { runCommand, startMotia } from '../support/binary'
import { ensureRelease } from '../support/release'
import { tempDir } from '../support/runtime'

// The npm packages of a release, packed and installed from their tarballs as npm would from the
// registry: the launcher and this platform's package (the others are optional: npm skips them).
const work = tempDir('motia-npm-')
const tarballs: string[] = []
/** npm with its own cache, offline: nothing comes from the registry. */
const npm = (args: string[], cwd: string) =>
  runCommand(['npm', ...args, '--offline', '--no-audit', '--no-fund', '--cache', join(work.path, 'npm-cache')], {
    cwd,
  })

beforeAll(async () => {
  const dir = await ensureRelease()
  const packed = await npm(
    [
      'pack',
      '--pack-destination',
      work.path,
      join(dir, 'npm', NPM_LAUNCHER),
      join(dir, 'npm', `${NPM_LAUNCHER}-linux-x64`),
    ],
    work.path,
  )
  expect(packed.code).toBe(0)
  tarballs.push(
    ...packed.stdout
      .trim()
      .split('\n')
      .map((f) => join(work.path, f)),
  )
  expect(tarballs.map((t) => t.slice(work.path.length + 1))).toEqual([
    `${NPM_LAUNCHER}-${pkg.version}.tgz`,
    `${NPM_LAUNCHER}-linux-x64-${pkg.version}.tgz`,
  ])
}, 600_000)
afterAll(() => work.dispose())

function project(name: string, extra: Record<string, unknown> = {}): string {
  const dir = join(work.path, name)
  mkdirSync(dir)
  const dependencies = Object.fromEntries(
    [NPM_LAUNCHER, `${NPM_LAUNCHER}-linux-x64`].map((n, i) => [n, `file:${tarballs[i]}`]),
  )
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', private: true, dependencies, ...extra }),
  )
  return dir
}

test(`npx ${NPM_LAUNCHER} runs the platform's binary; the launcher passes SIGTERM on`, async () => {
  const dir = project('npx-app')
  const installed = await npm(['install'], dir)
  expect(installed).toMatchObject({ code: 0 })
  const version = await runCommand(['npx', '--offline', NPM_LAUNCHER, '--version'], { cwd: dir })
  expect([version.code, version.stdout.trim()]).toEqual([0, pkg.version])
  const info = JSON.parse(
    (await runCommand(['npx', '--offline', NPM_LAUNCHER, 'version', '--json'], { cwd: dir })).stdout,
  )
  expect(info).toMatchObject({ version: pkg.version, target: 'linux-x64' })
  // `motia start` through the launcher: stopping the launcher stops the server.
  const app = join(work.path, 'served')
  expect((await runCommand([join(dir, 'node_modules', '.bin', 'motia'), 'create', app], { cwd: dir })).code).toBe(0)
  const server = await startMotia(['start', '--dir', app, '--port', '0', '--host', '127.0.0.1'], {
    binary: join(dir, 'node_modules', '.bin', 'motia'),
  })
  expect((await fetch(`${server.url}/hello`)).status).toBe(200)
  expect(await server.stop('SIGTERM')).toBe(0)
  expect(await fetch(`${server.url}/hello`).catch(() => 'refused')).toBe('refused')
}, 120_000)

test(`a Motia app listing ${NPM_LAUNCHER} gets motia for its postinstall: motia install`, async () => {
  const dir = project('postinstall-app', { scripts: { postinstall: 'motia install' } })
  mkdirSync(join(dir, 'steps'))
  writeFileSync(
    join(dir, 'steps', 'hello.step.ts'),
    "export const config = { name: 'Hello', triggers: [{ type: 'http', method: 'GET', path: '/hello' }] }\nexport const handler = async () => ({ status: 200, body: { ok: true } })\n",
  )
  const installed = await npm(['install'], dir)
  expect(installed).toMatchObject({ code: 0 })
  const origin = join(dir, '.motia', 'runtime', 'origin.json')
  expect(existsSync(origin)).toBe(true)
  expect(JSON.parse(readFileSync(origin, 'utf8'))).toMatchObject({ version: pkg.version, target: 'linux-x64' })
  expect(existsSync(join(dir, '.motia', 'types', 'motia', 'index.d.ts'))).toBe(true)
}, 120_000)
