/**
 * The release archives, written here rather than by `tar`/`zip` so a release needs nothing but
 * Bun: one executable per archive, at its root, with its exec bit.
 *   .tar.gz  ustar + gzip level 9 (Linux, macOS: `tar xzf` everywhere)
 *   .zip     deflate level 9 (Windows: Expand-Archive, Explorer)
 */
import { deflateRawSync } from 'node:zlib'

const BLOCK = 512

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`
}

/** One file in a ustar archive, gzip-compressed at the highest level. */
export function tarGz(name: string, data: Uint8Array, mtime: Date, mode = 0o755): Uint8Array {
  const header = Buffer.alloc(BLOCK)
  const put = (text: string, at: number) => header.write(text, at, 'latin1')
  put(name, 0)
  put(octal(mode, 8), 100)
  put(octal(0, 8), 108)
  put(octal(0, 8), 116)
  put(octal(data.length, 12), 124)
  put(octal(Math.floor(mtime.getTime() / 1000), 12), 136)
  put(' '.repeat(8), 148)
  put('0', 156)
  put('ustar\x0000', 257)
  put('root', 265)
  put('root', 297)
  let sum = 0
  for (const b of header) sum += b
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
  const padding = Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)
  const tar = Buffer.concat([header, data, padding, Buffer.alloc(BLOCK * 2)])
  return Bun.gzipSync(tar, { level: 9, memLevel: 9 })
}

/** MS-DOS date and time, as zip headers keep them (local time fields, 2 s resolution). */
function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  }
}

/** One file in a zip archive, deflated at the highest level, marked executable for unzip on Unix. */
export function zip(name: string, data: Uint8Array, mtime: Date): Uint8Array {
  const compressed = deflateRawSync(data, { level: 9, memLevel: 9 })
  const crc = Bun.hash.crc32(data)
  const { time, date } = dosTime(mtime)
  const fileName = Buffer.from(name, 'utf8')
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4) // version needed: 2.0 (deflate)
  local.writeUInt16LE(0x0800, 6) // UTF-8 name
  local.writeUInt16LE(8, 8) // deflate
  local.writeUInt16LE(time, 10)
  local.writeUInt16LE(date, 12)
  local.writeUInt32LE(crc, 14)
  local.writeUInt32LE(compressed.length, 18)
  local.writeUInt32LE(data.length, 22)
  local.writeUInt16LE(fileName.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE((3 << 8) | 20, 4) // made by: Unix, 2.0 (so the mode below is read)
  central.writeUInt16LE(20, 6)
  central.writeUInt16LE(0x0800, 8)
  central.writeUInt16LE(8, 10)
  central.writeUInt16LE(time, 12)
  central.writeUInt16LE(date, 14)
  central.writeUInt32LE(crc, 16)
  central.writeUInt32LE(compressed.length, 20)
  central.writeUInt32LE(data.length, 24)
  central.writeUInt16LE(fileName.length, 28)
  central.writeUInt32LE(0o100755 * 0x10000, 38) // external attributes: a regular file, rwxr-xr-x
  const centralAt = local.length + fileName.length + compressed.length
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(central.length + fileName.length, 12)
  end.writeUInt32LE(centralAt, 16)
  return Buffer.concat([local, fileName, compressed, central, fileName, end])
}
