import { expect, test } from 'bun:test'
import { embeddedEntry } from './embedded-entries'

test('a library entry is addressed from the root of the binary, whichever bundle asks', () => {
  expect([
    embeddedEntry('modules/storage/redis-libraries', '/$bunfs/root/motia'),
    embeddedEntry('modules/storage/redis-libraries', '/$bunfs/root/modules/queue/pool/worker-entry.js'),
    embeddedEntry('modules/storage/redis-libraries', 'B:\\~BUN\\root\\motia.exe'),
  ]).toEqual([
    '/$bunfs/root/modules/storage/redis-libraries.js',
    '/$bunfs/root/modules/storage/redis-libraries.js',
    'B:\\~BUN\\root\\modules\\storage\\redis-libraries.js',
  ])
})

test('outside a compiled binary there is no entry to import: the caller imports the source', () => {
  expect(() => embeddedEntry('modules/storage/redis-libraries', '/home/me/motia/runtime/embedded-entries.ts')).toThrow(
    'not inside a compiled binary',
  )
})
