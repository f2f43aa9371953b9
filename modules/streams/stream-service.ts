import type { StreamsService } from '../../runtime/engine'
import type { CallOrigin, StreamOp } from '../../runtime/engine-client'
import { MotiaError } from '../../runtime/errors'
import type { StructuredLogger } from '../../runtime/logger'
import type { StreamDefinition } from '../../runtime/step'
import type { UpdateOp } from '../../sdk/types'
import {
  type StreamAdapter,
  type StreamChange,
  type StreamEvent,
  type StreamItem,
  type StreamWriteResult,
  writtenAt,
} from './adapter'
import type { Clock } from './protocol'

export interface StreamServiceEnv {
  adapter: StreamAdapter
  clock: Clock
  log: StructuredLogger
  /** dev: check `set` / `update` results against the stream's schema and warn on a mismatch. */
  validate: boolean
  stream(name: string): StreamDefinition | undefined
  streamNames(): string[]
  /** Called after every change this process makes: fan-out, triggers, other instances. */
  changed(change: StreamChange, origin: CallOrigin): void
}

/**
 * `ctx.streams.<name>` on the engine side. Return shapes (see runtime/engine-client.ts): get →
 * item | null; set / update → `{ old_value, new_value }`; delete → the deleted item | null;
 * getGroup → items; send → void. Every write is announced after it is stored.
 */
export class StreamService implements StreamsService {
  constructor(private readonly env: StreamServiceEnv) {}

  has(name: string): boolean {
    return this.env.stream(name) !== undefined
  }

  async call(name: string, op: StreamOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown> {
    const def = this.env.stream(name)
    if (!def) {
      throw new MotiaError(
        'E_STREAM_UNKNOWN',
        `streams.${name}.${op}: no stream named "${name}" is defined (known streams: ${this.env.streamNames().join(', ') || 'none'})`,
      )
    }
    const { adapter } = this.env
    if (op === 'send') return this.send(def, args, origin)
    const groupId = args[0]
    if (typeof groupId !== 'string') throw invalidArg(name, op, 'groupId', groupId)
    if (op === 'getGroup') return adapter.getGroup(name, groupId)
    const id = args[1]
    if (typeof id !== 'string' || id === '') throw invalidArg(name, op, 'id', id)
    switch (op) {
      case 'get':
        return adapter.get(name, groupId, id)
      case 'set': {
        const data = args[2]
        if (data === null || typeof data !== 'object' || Array.isArray(data)) {
          throw new MotiaError(
            'E_STREAM_OP_INVALID',
            `streams.${name}.set("${groupId}", "${id}"): data must be a JSON object, got ${Array.isArray(data) ? 'an array' : data === null ? 'null' : typeof data}`,
          )
        }
        return this.written(
          def,
          groupId,
          id,
          await adapter.set(name, groupId, id, data as Record<string, unknown>),
          origin,
        )
      }
      case 'update':
        return this.written(def, groupId, id, await adapter.update(name, groupId, id, args[2] as UpdateOp[]), origin)
      case 'delete': {
        const old = await adapter.delete(name, groupId, id)
        if (old) this.emit(def, groupId, id, { type: 'delete', data: old }, origin, writtenAt(old))
        return old
      }
      default:
        throw new MotiaError('E_STREAM_OP_INVALID', `streams.${name}: unknown operation "${String(op)}"`)
    }
  }

  private written(def: StreamDefinition, groupId: string, id: string, r: StreamWriteResult, origin: CallOrigin) {
    if (this.env.validate && def.schema) this.check(def, r.new_value, origin)
    this.emit(def, groupId, id, { type: r.old_value ? 'update' : 'create', data: r.new_value }, origin, writtenAt(r))
    return r
  }

  private send(def: StreamDefinition, args: readonly unknown[], origin: CallOrigin): void {
    const [channel, event] = args as [
      { groupId?: unknown; id?: unknown } | undefined,
      { type?: unknown; data?: unknown },
    ]
    if (!channel || typeof channel.groupId !== 'string')
      throw invalidArg(def.name, 'send', 'channel.groupId', channel?.groupId)
    if (channel.id !== undefined && typeof channel.id !== 'string')
      throw invalidArg(def.name, 'send', 'channel.id', channel.id)
    if (!event || typeof event.type !== 'string') throw invalidArg(def.name, 'send', 'event.type', event?.type)
    const payload = event.data === undefined ? { type: event.type } : { type: event.type, data: event.data }
    this.emit(def, channel.groupId, channel.id as string | undefined, { type: 'event', event: payload }, origin)
  }

  /** `timestamp`: the one a fanOut adapter's store gave the write (shared by every instance). */
  private emit(
    def: StreamDefinition,
    groupId: string,
    id: string | undefined,
    event: StreamEvent,
    origin: CallOrigin,
    timestamp = this.env.clock.next(),
  ) {
    const change: StreamChange = { streamName: def.name, groupId, timestamp, event }
    if (id !== undefined) change.id = id
    this.env.changed(change, origin)
  }

  /** Motia never enforced stream schemas; the item is stored anyway, the author is told in dev. */
  private check(def: StreamDefinition, item: StreamItem, origin: CallOrigin): void {
    const r = def.schema!.validate(item)
    if (r.ok) return
    this.env.log.warn(
      `stream "${def.name}": item "${item.id}" does not match the stream schema (${def.relFile}); stored anyway`,
      { step: origin.step, traceId: origin.traceId, issues: r.issues },
    )
  }
}

function invalidArg(stream: string, op: string, what: string, got: unknown): MotiaError {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got
  return new MotiaError('E_STREAM_OP_INVALID', `streams.${stream}.${op}: ${what} must be a string, got ${kind}`)
}
