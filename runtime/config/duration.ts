const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/
const BYTES = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i
const MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const B: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }

/** `"250ms"`, `"5s"`, `"2m"`, `"1h"` or a number of ms → ms. Throws with the expected forms. */
export function parseDuration(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v
  const m = typeof v === 'string' ? DURATION.exec(v.trim()) : null
  if (!m)
    throw new Error(
      `expected a duration such as "500ms", "30s", "5m" or a number of milliseconds, got ${JSON.stringify(v)}`,
    )
  return Number(m[1]) * MS[m[2] ?? 'ms']!
}

/** `"512kb"`, `"1mb"`, `"1gb"` or a number of bytes → bytes. */
export function parseBytes(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v
  const m = typeof v === 'string' ? BYTES.exec(v.trim()) : null
  if (!m) throw new Error(`expected a size such as "64kb", "1mb" or a number of bytes, got ${JSON.stringify(v)}`)
  return Math.round(Number(m[1]) * B[(m[2] ?? 'b').toLowerCase()]!)
}
