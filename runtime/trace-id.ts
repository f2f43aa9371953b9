const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const POOL_IDS = 256
const pool = new Uint8Array(16 * POOL_IDS)
let next = POOL_IDS

/**
 * A W3C/OpenTelemetry trace id: 32 lowercase hex characters, never all zeros. Random bytes are
 * drawn in batches because one getRandomValues call per request shows up on the HTTP hot path.
 */
export function newTraceId(): string {
  if (next === POOL_IDS) {
    crypto.getRandomValues(pool)
    next = 0
  }
  const o = next++ * 16
  let s = ''
  for (let i = 0; i < 16; i++) s += HEX[pool[o + i]!]
  return s === '00000000000000000000000000000000' ? newTraceId() : s
}

const TRACE_ID = /^[0-9a-f]{32}$/

/** Reads the trace id from a W3C `traceparent` header (`00-<trace>-<span>-<flags>`). */
export function traceIdFromTraceparent(header: string | null): string | undefined {
  if (!header) return undefined
  const id = header.split('-')[1]
  return id && TRACE_ID.test(id) && id !== '00000000000000000000000000000000' ? id : undefined
}
