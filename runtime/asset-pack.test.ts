import { expect, test } from 'bun:test'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../test/support/runtime'
import { pack, packName, readTree, unpack, writeTree } from './asset-pack'

test('a directory packs into one compressed file and unpacks to the same files, byte for byte', () => {
  const from = tempDir('motia-pack-')
  const to = tempDir('motia-unpack-')
  try {
    mkdirSync(join(from.path, 'runtime', 'deep'), { recursive: true })
    const js = 'export const runtime = 1;\n'.repeat(20_000)
    writeFileSync(join(from.path, 'runtime', 'motia-test.js'), js)
    writeFileSync(join(from.path, 'runtime', 'deep', 'empty.txt'), '')
    writeFileSync(join(from.path, 'types.json'), JSON.stringify({ 'motia/index.d.ts': 'export {}' }))
    writeFileSync(join(from.path, 'bytes.bin'), new Uint8Array([0, 255, 1, 254]))
    const tree = readTree(from.path)
    expect([...tree.keys()]).toEqual(['bytes.bin', 'runtime/deep/empty.txt', 'runtime/motia-test.js', 'types.json'])
    const packed = pack(tree, 3)
    expect(packed.length).toBeLessThan(js.length / 50)
    const back = unpack(packed)
    expect([...back.keys()]).toEqual([...tree.keys()])
    for (const [path, bytes] of tree) expect(Buffer.from(back.get(path)!).equals(Buffer.from(bytes))).toBe(true)
    writeTree(back, to.path)
    expect(readFileSync(join(to.path, 'runtime', 'motia-test.js'), 'utf8')).toBe(js)
    expect(packName('dist/.motia-assets')).toBe('motia-assets.pack')
  } finally {
    from.dispose()
    to.dispose()
  }
})
