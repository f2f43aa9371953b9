import type { StreamsConfig } from '../../runtime/config/schema'

/**
 * What one client socket can make the server hold or send. Without them, one unauthenticated
 * socket joining 1,024 groups with 1 MB ids made the server hold about 3 GB, and one join of a
 * 10,000-item group made it send a 10 MB frame. docs/streams.md (Limits) explains each.
 */
export interface StreamLimits {
  /** UTF-8 bytes of each of `streamName`, `groupId`, `id`, `subscriptionId` in a client frame. */
  maxIdLength: number
  maxSubscriptions: number
  /** UTF-8 bytes of the four names of every subscription one socket holds, summed. */
  maxSubscriptionBytes: number
  maxSyncItems: number
  /** Bytes of a group `sync` frame; never above `backpressureLimit` (see `streamLimits`). */
  maxSyncBytes: number
}

export const STREAM_LIMIT_DEFAULTS: Readonly<StreamLimits> = Object.freeze({
  maxIdLength: 256,
  maxSubscriptions: 1024,
  maxSubscriptionBytes: 256 * 1024,
  maxSyncItems: 10_000,
  maxSyncBytes: 1024 ** 2,
})

/** Frames a socket may have waiting to be handled; one more closes it (1008). */
export const MAX_PENDING_MESSAGES = 1024

/**
 * The limits `config.yaml` sets, the rest defaulted. A sync frame larger than
 * `backpressureLimit` gets the socket closed as soon as anything else is sent to it before the
 * client has read the sync (Bun drops sends past the limit and closes), and Motia's clients then
 * reconnect and join again every 2 s: so a sync never exceeds it.
 */
export function streamLimits(config: StreamsConfig): StreamLimits {
  const d = STREAM_LIMIT_DEFAULTS
  return {
    maxIdLength: config.maxIdLength ?? d.maxIdLength,
    maxSubscriptions: config.maxSubscriptions ?? d.maxSubscriptions,
    maxSubscriptionBytes: config.maxSubscriptionBytes ?? d.maxSubscriptionBytes,
    maxSyncItems: config.maxSyncItems ?? d.maxSyncItems,
    maxSyncBytes: Math.min(config.maxSyncBytes ?? d.maxSyncBytes, config.backpressureLimit),
  }
}

/** UTF-8 bytes of a subscription's names: what it costs against `maxSubscriptionBytes`. */
export function subscriptionBytes(sub: {
  streamName: string
  groupId: string
  id?: string
  subscriptionId: string
}): number {
  return (
    Buffer.byteLength(sub.streamName) +
    Buffer.byteLength(sub.groupId) +
    (sub.id === undefined ? 0 : Buffer.byteLength(sub.id)) +
    Buffer.byteLength(sub.subscriptionId)
  )
}
