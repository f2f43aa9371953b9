import { afterAll, beforeAll, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pkg from '../../package.json' with { type: 'json' }
import { ensureBinary, runMotia, startMotia } from '../support/binary'
import { copyFixture } from '../support/runtime'

// Every binary knows what it is: version, commit, build date, target (build.ts sets them).
let project: ReturnType<typeof copyFixture>
const ROOT = join(import.meta.dir, '..', '..')

beforeAll(async () => {
  await ensureBinary()
  project = copyFixture('basic')
  writeFileSync(join(project.path, 'config.yaml'), 'streams:\n  port: 0\nconsole:\n  port: 0\n')
}, 120_000)
afterAll(() => project?.dispose())

function gitHead(): string {
  return Bun.spawnSync(['git', 'rev-parse', '--short=12', 'HEAD'], { cwd: ROOT }).stdout.toString().trim()
}

test('motia version, version --json and --version --json name version, commit, build date and target', async () => {
  const json = await runMotia(['version', '--json'])
  expect(json.code).toBe(0)
  const info = JSON.parse(json.stdout)
  expect(info).toEqual({
    version: pkg.version,
    commit: expect.stringMatching(new RegExp(`^${gitHead()}(-dirty)?$`)),
    date: expect.any(String),
    target: `${process.platform}-${process.arch}`,
  })
  expect(Date.now() - Date.parse(info.date)).toBeLessThan(24 * 3600_000)
  expect(JSON.parse((await runMotia(['--version', '--json'])).stdout)).toEqual(info)
  expect((await runMotia(['--version'])).stdout.trim()).toBe(pkg.version)
  const text = (await runMotia(['version'])).stdout
  expect(text).toContain(`motia ${pkg.version}`)
  expect(text).toContain(`commit  ${info.commit}`)
  expect(text).toContain(`target  ${info.target}`)
})

test('/__motia/health, the console and .motia/runtime/origin.json carry the same identity', async () => {
  const info = JSON.parse((await runMotia(['version', '--json'])).stdout)
  const motia = await startMotia(['dev', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'])
  try {
    const health = (await (await fetch(`${motia.url}/__motia/health`)).json()) as { motia: unknown }
    expect(health.motia).toEqual(info)
    const consoleUrl = motia.output().match(/Console on (http:\/\/[^\s"/]+)/)?.[1]
    expect(consoleUrl).toBeDefined()
    const project = (await (await fetch(`${consoleUrl}/api/project`)).json()) as { motia: unknown }
    expect(project.motia).toEqual(info)
  } finally {
    await motia.stop()
  }
  expect((await runMotia(['install'], { cwd: project.path })).code).toBe(0)
  const origin = JSON.parse(readFileSync(join(project.path, '.motia', 'runtime', 'origin.json'), 'utf8'))
  expect(origin).toMatchObject(info)
}, 60_000)
