import { encodeMessage } from './protocol'

/** The bounds of a group `sync` frame (`streams.maxSyncItems`, `streams.maxSyncBytes`). */
export interface SyncBounds {
  maxSyncItems: number
  maxSyncBytes: number
}

export interface SyncFrame {
  frame: string
  /** Items in the frame; fewer than the group holds when truncated. */
  sent: number
  truncated: boolean
}

/**
 * The reply to a group join: `{ streamName, groupId, timestamp, event: { type: 'sync', data } }`
 * with the group's items in creation order. A group past either bound gets its newest items
 * that fit, still in creation order, and `"truncated": true, "total": <items in the group>` in
 * the event. Not pages: Motia's clients replace their list on every `sync`, so a second page
 * would wipe the first (docs/streams.md, Limits, says why the newest).
 */
export function groupSyncFrame(
  head: { streamName: string; groupId: string; timestamp: number },
  items: readonly unknown[],
  bounds: SyncBounds,
): SyncFrame {
  if (items.length <= bounds.maxSyncItems) {
    const frame = encodeMessage({ ...head, event: { type: 'sync', data: items } })
    // The usual case costs what it did before the bounds: one encoding. Bytes are counted only
    // when the characters alone might not fit (a UTF-16 unit is at most 3 UTF-8 bytes).
    if (frame.length * 3 <= bounds.maxSyncBytes || Buffer.byteLength(frame) <= bounds.maxSyncBytes) {
      return { frame, sent: items.length, truncated: false }
    }
  }
  // Same key order as encodeMessage, with the items encoded one by one to measure them.
  const envelope = (data: string, extra: string) =>
    `{"streamName":${JSON.stringify(head.streamName)},"groupId":${JSON.stringify(head.groupId)},"timestamp":${head.timestamp},"event":{"type":"sync","data":${data}${extra}}}`
  const marker = `,"truncated":true,"total":${items.length}`
  const parts: string[] = []
  let bytes = Buffer.byteLength(envelope('[]', marker))
  for (let i = items.length - 1; i >= 0 && parts.length < bounds.maxSyncItems; i--) {
    const part = JSON.stringify(items[i])
    const size = Buffer.byteLength(part) + (parts.length > 0 ? 1 : 0)
    // Stop at the first item that does not fit: the client gets an unbroken run of the newest.
    if (bytes + size > bounds.maxSyncBytes) break
    bytes += size
    parts.push(part)
  }
  parts.reverse()
  return { frame: envelope(`[${parts.join(',')}]`, marker), sent: parts.length, truncated: true }
}
