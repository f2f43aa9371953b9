/** The Python SDK's own unit tests (`python3 -m unittest`), run as part of `bun test`. */
import { expect, test } from 'bun:test'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { SDK_FILES } from '../../modules/python/sdk-files'

const SDK = join(import.meta.dir, '..', '..', 'modules', 'python', 'sdk')

test('python3 -m unittest discover passes', async () => {
  const proc = Bun.spawn(['python3', '-m', 'unittest', 'discover', '-s', 'tests'], {
    cwd: SDK,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited])
  if (code !== 0) console.error(err)
  expect(code).toBe(0)
})

test('the embedded SDK files are exactly sdk/motia/*.py', () => {
  const onDisk = readdirSync(join(SDK, 'motia'))
    .filter((f) => f.endsWith('.py'))
    .map((f) => `motia/${f}`)
    .sort()
  expect(Object.keys(SDK_FILES).sort()).toEqual(onDisk)
})
