import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { streamAdapterSuite } from '../adapter.suite'
import { SqliteStreamAdapter } from './sqlite'

streamAdapterSuite('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'motia-streams-'))
  const path = join(dir, 'motia.db')
  let current = SqliteStreamAdapter.open(path)
  return {
    adapter: current,
    async reopen() {
      await current.close()
      current = SqliteStreamAdapter.open(path)
      return current
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  }
})
