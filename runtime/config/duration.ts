const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i
const BYTES = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i
const MS_PER: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const BYTES_PER: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }

/**
 * A duration in whole milliseconds: `"250ms"`, `"5s"`, `"2m"`, `"1h"`, `"1d"`, or a number (or
 * digits) meaning milliseconds. Throws an Error naming the accepted forms and the value given.
 *
 * @example parseDuration('5s') // 5000
 */
export function parseDuration(value: unknown): number {
  const match = typeof value === 'string' ? DURATION.exec(value.trim()) : null
  const n =
    typeof value === 'number' ? value : match ? Number(match[1]) * MS_PER[(match[2] ?? 'ms').toLowerCase()]! : NaN
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(
      `expected a duration such as "500ms", "30s", "5m", "1h" or a number of milliseconds, got ${show(value)}`,
    )
  }
  return Math.round(n)
}

/**
 * A size in bytes: `"512kb"`, `"1mb"`, `"1gb"` (binary multiples: 1kb = 1024 bytes), or a whole
 * number (or digits) of bytes. Throws an Error naming the accepted forms and the value given.
 *
 * @example parseBytes('1mb') // 1048576
 */
export function parseBytes(value: unknown): number {
  const match = typeof value === 'string' ? BYTES.exec(value.trim()) : null
  const n =
    typeof value === 'number' && Number.isInteger(value)
      ? value
      : match
        ? Number(match[1]) * BYTES_PER[(match[2] ?? 'b').toLowerCase()]!
        : NaN
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`expected a size such as "512kb", "1mb", "1gb" or a whole number of bytes, got ${show(value)}`)
  }
  return Math.round(n)
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}
