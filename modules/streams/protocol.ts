import type { StreamChange, StreamEvent } from './adapter'

/**
 * The wire protocol of Motia's stream clients (`@motiadev/stream-client*`), both generations.
 * Client → server: `{ type: 'join' | 'leave', data: { streamName, groupId, id?, subscriptionId } }`.
 * Server → client: `{ streamName, groupId, id?, timestamp, event }`, plus this runtime's
 * `{ type: 'error', error: { code, message } }` for frames it cannot act on.
 */

/** One subscription as the client names it: a group (no `id`) or one item. */
export interface Subscription {
  streamName: string
  groupId: string
  id?: string
  subscriptionId: string
}

export type ClientMessage = { type: 'join' | 'leave'; data: Subscription }

/** Events only the server sends: the join reply and the two refusals. */
export type ServerEvent = StreamEvent | { type: 'sync'; data: unknown } | { type: 'unauthorized' }

export interface ServerMessage {
  streamName: string
  groupId: string
  id?: string
  timestamp: number
  event: ServerEvent
}

/** Codes of `{ type: 'error', error: { code, message } }` frames (docs/streams.md lists them). */
export const PROTOCOL_ERRORS = {
  STREAM_MALFORMED_JSON: 'the frame is not valid JSON',
  STREAM_UNKNOWN_MESSAGE: 'the frame is not a { type: "join" | "leave", data } message',
  STREAM_INVALID_SUBSCRIPTION:
    'data lacks a string streamName, groupId or subscriptionId, id is not a string, or one is longer than streams.maxIdLength',
  STREAM_NOT_FOUND: 'no stream has that name',
  STREAM_JOIN_FAILED: 'the server could not read the items to sync (see the server log)',
  STREAM_TOO_MANY_SUBSCRIPTIONS: 'the socket holds the maximum number of subscriptions',
} as const

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS

export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export function errorFrame(code: ProtocolErrorCode, message: string, subscriptionId?: string): string {
  return JSON.stringify(
    subscriptionId === undefined
      ? { type: 'error', error: { code, message } }
      : { type: 'error', error: { code, message }, subscriptionId },
  )
}

/**
 * Parses and checks one client frame; throws ProtocolError naming what is wrong. Names longer
 * than `maxIdLength` UTF-8 bytes are refused here, before the server keeps anything of them.
 */
export function parseClientMessage(raw: string | Buffer, maxIdLength = Number.POSITIVE_INFINITY): ClientMessage {
  let msg: unknown
  try {
    msg = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'))
  } catch (err) {
    throw new ProtocolError('STREAM_MALFORMED_JSON', `malformed JSON: ${(err as Error).message}`)
  }
  if (!isObject(msg) || (msg.type !== 'join' && msg.type !== 'leave')) {
    const type = isObject(msg) ? JSON.stringify(msg.type) : Array.isArray(msg) ? 'an array' : typeof msg
    throw new ProtocolError('STREAM_UNKNOWN_MESSAGE', `expected a "join" or "leave" message, got ${type}`)
  }
  const data = msg.data
  if (!isObject(data)) {
    throw new ProtocolError('STREAM_INVALID_SUBSCRIPTION', `${msg.type}: "data" must be an object`)
  }
  for (const key of ['streamName', 'groupId', 'subscriptionId'] as const) {
    if (typeof data[key] !== 'string' || data[key] === '') {
      throw new ProtocolError('STREAM_INVALID_SUBSCRIPTION', `${msg.type}: data.${key} must be a non-empty string`)
    }
  }
  if (data.id !== undefined && data.id !== null && typeof data.id !== 'string') {
    throw new ProtocolError('STREAM_INVALID_SUBSCRIPTION', `${msg.type}: data.id must be a string when given`)
  }
  const sub: Subscription = {
    streamName: data.streamName as string,
    groupId: data.groupId as string,
    subscriptionId: data.subscriptionId as string,
  }
  if (typeof data.id === 'string' && data.id !== '') sub.id = data.id
  for (const key of ['streamName', 'groupId', 'id', 'subscriptionId'] as const) {
    const value = sub[key]
    // A UTF-16 unit is at most 3 UTF-8 bytes: short names need no measuring.
    if (value === undefined || value.length * 3 <= maxIdLength) continue
    const bytes = Buffer.byteLength(value)
    if (bytes > maxIdLength) {
      throw new ProtocolError(
        'STREAM_INVALID_SUBSCRIPTION',
        `${msg.type}: data.${key} is ${bytes} bytes, over the limit of ${maxIdLength} (streams.maxIdLength)`,
      )
    }
  }
  return { type: msg.type, data: sub }
}

export function encodeMessage(m: StreamChange | ServerMessage): string {
  // Fixed key order: the same bytes whatever built the object.
  return m.id === undefined
    ? JSON.stringify({ streamName: m.streamName, groupId: m.groupId, timestamp: m.timestamp, event: m.event })
    : JSON.stringify({ streamName: m.streamName, groupId: m.groupId, id: m.id, timestamp: m.timestamp, event: m.event })
}

/**
 * Millisecond timestamps that never repeat or go back within the process (`max(now, last + 1)`):
 * clients drop a message whose timestamp is not newer than the last one they applied.
 */
export class Clock {
  private last = 0
  constructor(private readonly now: () => number = Date.now) {}
  next(): number {
    const t = this.now()
    this.last = t > this.last ? t : this.last + 1
    return this.last
  }
}

/** Bun pub/sub topics: one per group and one per item; JSON arrays so no name can collide. */
export function groupTopic(streamName: string, groupId: string): string {
  return JSON.stringify([streamName, groupId])
}

export function itemTopic(streamName: string, groupId: string, id: string): string {
  return JSON.stringify([streamName, groupId, id])
}

export function topicOf(s: { streamName: string; groupId: string; id?: string }): string {
  return s.id === undefined ? groupTopic(s.streamName, s.groupId) : itemTopic(s.streamName, s.groupId, s.id)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
