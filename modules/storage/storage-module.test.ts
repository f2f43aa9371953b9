import { expect, test } from 'bun:test'
import { statSync } from 'node:fs'
import { fixtureRuntime, tempProjects } from '../../test/support/runtime'

const project = tempProjects('motia-storage-')

const HELLO = {
  'steps/hello.step.ts':
    `export const config = { name: 'Hello', triggers: [{ type: 'http', method: 'GET', path: '/hello' }] }\n` +
    `export const handler = async () => ({ status: 200, body: { message: 'Hello' } })\n`,
}

test("a new database file's WAL is emptied once the stores made their tables, so the checkpointer waits for work", async () => {
  await using rt = await fixtureRuntime(project(HELLO))
  const path = rt.config.sqlite.path
  // The checkpointer's thread starts when the WAL holds more than its 32-byte header.
  expect(statSync(`${path}-wal`).size).toBe(0)
  expect(statSync(path).size).toBeGreaterThan(0)
})
