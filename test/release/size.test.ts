import { expect, test } from 'bun:test'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { testBinary } from '../support/binary'

// What motia adds to Bun's own runtime (docs/release.md "Size"): the runtime code, its source
// map, and two packs (the bundled runtime for `build --compile`, the CLI assets), < 1 MB each.
const BUN_RUNTIME = join(import.meta.dir, '..', '..', 'node_modules', 'bun', 'bin', 'bun.exe')
const MB = 1024 * 1024

test('dist/motia adds at most 15 MB to the Bun runtime it is compiled on', async () => {
  const added = statSync(await testBinary()).size - statSync(BUN_RUNTIME).size
  expect(added / MB).toBeLessThan(15)
}, 120_000)
