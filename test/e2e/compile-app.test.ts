import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBinary, runMotia } from '../support/binary'
import { copyFixture, tempDir } from '../support/runtime'

let project: ReturnType<typeof copyFixture>
let out: ReturnType<typeof tempDir>
beforeAll(async () => {
  await ensureBinary()
  project = copyFixture('queue')
  out = tempDir('motia-app-')
}, 120_000)
afterAll(() => {
  project?.dispose()
  out?.dispose()
})

test('motia build --compile: one executable with the steps inside; runs from anywhere, workers included, data in its cwd', async () => {
  // Named as the folder the project is embedded under (APP_DIR): Bun once refused that name.
  const app = join(out.path, 'app')
  const built = await runMotia(['build', '--dir', project.path, '--compile', '--outfile', app])
  expect(built.code).toBe(0)
  expect(built.stdout).toMatch(/compiled .*app \(\d+ project files/)
  // Run it where the project is not: everything it needs is inside the file.
  // TMPDIR: where the app unpacks its step files (removed with the test's dir).
  const proc = Bun.spawn([app, '--port', '0', '--host', '127.0.0.1'], {
    cwd: out.path,
    env: { ...process.env, TMPDIR: out.path },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  try {
    let text = ''
    const reader = proc.stdout.getReader()
    let url: string | undefined
    while (!url) {
      const { value, done } = await reader.read()
      if (done) throw new Error(`app exited: ${text}`)
      text += new TextDecoder().decode(value)
      url = text.match(/"msg":"motia start ready".*?"url":"([^"]+)"/)?.[1]?.replace(/\/$/, '')
    }
    const res = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'app-1', qty: 1 }),
    })
    expect(res.status).toBe(202)
    // The queue step runs in the app's worker pool and writes state, which the HTTP side reads back.
    const dbPath = join(out.path, '.motia', 'motia.db')
    let stored: unknown = null
    for (let i = 0; i < 200 && stored === null; i++) {
      await Bun.sleep(20)
      if (!existsSync(dbPath)) continue
      const db = new Database(dbPath, { readonly: true })
      try {
        const row = db.query("SELECT value FROM motia_state WHERE group_id = 'orders' AND key = 'app-1'").get() as {
          value: string
        } | null
        stored = row ? JSON.parse(row.value) : null
      } catch {
        // tables not created yet
      } finally {
        db.close()
      }
    }
    expect(stored).toMatchObject({ id: 'app-1', qty: 1, topic: 'order.created' })
    expect(existsSync(join(project.path, '.motia', 'motia.db'))).toBe(false)
  } finally {
    proc.kill()
    await proc.exited
  }
})
