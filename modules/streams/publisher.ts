import type { Server } from 'bun'
import type { RuntimeMetrics } from '../observability/metrics/runtime-metrics'
import type { StreamChange } from './adapter'
import { encodeMessage, groupTopic, itemTopic } from './protocol'

/**
 * Fans a change out to every subscribed socket with Bun pub/sub: one JSON encoding, then
 * `server.publish` per topic on each server that accepts stream sockets (the stream port and,
 * when enabled, the API port). The loop over sockets runs in native code, never in JS.
 *
 * Routing, as Motia's servers do it: a message with an `id` (item change, or `send()` to an item)
 * goes to the item's room and the group's room; a group-level `send()` to the group's room only.
 */
export class Publisher {
  constructor(
    private readonly servers: () => readonly (Server<any> | undefined)[],
    private readonly metrics: () => RuntimeMetrics | undefined = () => undefined,
  ) {}

  publish(change: StreamChange): void {
    const frame = encodeMessage(change)
    const m = this.metrics()
    m?.count(m.streamMessagesOut, { 'motia.stream.name': change.streamName }, change.streamName)
    const group = groupTopic(change.streamName, change.groupId)
    const item = change.id === undefined ? undefined : itemTopic(change.streamName, change.groupId, change.id)
    for (const server of this.servers()) {
      if (!server) continue
      server.publish(group, frame)
      if (item !== undefined) server.publish(item, frame)
    }
  }
}
