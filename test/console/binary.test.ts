import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import pkg from '../../package.json' with { type: 'json' }
import { BINARY, ensureBinary, runMotia } from '../support/binary'
import { copyFixture, tempDir } from '../support/runtime'
import { launchChromium, watchErrors } from './browser'

// The console page is embedded in the executables: `dist/motia`, and an app built with
// `motia build --compile` (a two-stage build, see docs/console.md "How it is built").
setDefaultTimeout(120_000)

let project: ReturnType<typeof copyFixture>
let out: ReturnType<typeof tempDir>
let browser: Browser
beforeAll(async () => {
  await ensureBinary()
  project = copyFixture(join('..', '..', 'templates', 'starter'))
  writeFileSync(join(project.path, 'config.yaml'), 'streams:\n  port: 0\nconsole:\n  port: 0\n')
  out = tempDir('motia-console-app-')
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  project?.dispose()
  out?.dispose()
})

/** Runs an executable until it logs the console's address; returns it and a stop function. */
async function consoleOf(cmd: string[], cwd: string) {
  // TMPDIR: where a compiled app unpacks its step files (removed with the test's dir).
  const env = { ...process.env, TMPDIR: cwd }
  const proc = Bun.spawn(cmd, { cwd, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  let text = ''
  const decoder = new TextDecoder()
  void (async () => {
    for await (const chunk of proc.stderr) text += decoder.decode(chunk)
  })()
  const reader = proc.stdout.getReader()
  let url: string | undefined
  while (!url) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`exited before the console was up:\n${text}`)
    text += decoder.decode(value)
    url = text.match(/Console on (http:\/\/[^\s"/]+)/)?.[1]
  }
  reader.releaseLock()
  return {
    url,
    output: () => text,
    async stop() {
      proc.kill('SIGTERM')
      await proc.exited
    },
  }
}

async function expectWorkingPage(url: string, output: () => string) {
  const page = await browser.newPage()
  const errors = watchErrors(page)
  const res = await page.goto(`${url}/#/flows`)
  // The page comes from the embedded bundle through the console's own handler (frame guard).
  expect(res?.headers()['x-frame-options']).toBe('DENY')
  await page.waitForSelector('.flow-svg [data-step="CreateTodo"]')
  await page.waitForSelector('.live-status[data-connected="true"]')
  // The sidebar names the binary serving the project (motia version).
  await page.waitForSelector('#motia-version:not(:empty)')
  expect(await page.textContent('#motia-version')).toBe(`motia ${pkg.version}`)
  // The Metrics page reads the executable's own registry through /api/metrics.
  await page.goto(`${url}/#/metrics`)
  await page.waitForSelector('[data-stat="requests"]')
  expect(errors).toEqual([])
  expect(output()).not.toContain('web UI is not embedded')
  await page.close()
}

test('dist/motia dev serves the console page from the executable', async () => {
  const motia = await consoleOf([BINARY, 'dev', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'], out.path)
  try {
    await expectWorkingPage(motia.url, motia.output)
  } finally {
    await motia.stop()
  }
})

test('an app built with motia build --compile serves the console page too', async () => {
  const app = join(out.path, 'todo-app')
  const built = await runMotia(['build', '--dir', project.path, '--compile', '--outfile', app])
  expect({ code: built.code, stderr: built.stderr }).toEqual({ code: 0, stderr: '' })
  const running = await consoleOf([app, 'dev', '--port', '0', '--host', '127.0.0.1'], out.path)
  try {
    await expectWorkingPage(running.url, running.output)
  } finally {
    await running.stop()
  }
})
