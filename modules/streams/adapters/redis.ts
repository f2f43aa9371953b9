import type Redis from 'ioredis'
import type { UpdateOp } from '../../../sdk/types'
import { applyUpdateOps } from '../../state/update-ops'
import { casLoop, KeyedQueue } from '../../storage/redis-cas'
import { connectRedis, guarded, type RedisTarget } from '../../storage/redis-connection'
import {
  type StreamAdapter,
  type StreamChange,
  type StreamChangeListener,
  type StreamItem,
  type StreamWriteResult,
  stampWrite,
  toItem,
} from '../adapter'

/*
 * One script for every write. It stores the item, keeps the creation order (a sorted set scored
 * by a global sequence) and the set of groups, takes the change's timestamp from the shared
 * clock (max(Redis TIME, last + 1): strictly increasing across every instance) and PUBLISHes
 * the change, all atomically: the channel carries changes in exactly the order they were
 * stored, so every instance sends them to its sockets in that order, per item and per group.
 *
 * KEYS: items hash, order zset, groups zset, clock, sequence
 * ARGV: id, mode (set | cas | del), json, groupId, hasExpected, expected, channel, header
 * Reply: {0, current?} the compare-and-set lost; {1} nothing to delete; {1, ts, old?} written.
 */
const WRITE = `local cur = redis.call('HGET', KEYS[1], ARGV[1])
local mode = ARGV[2]
if mode == 'cas' and not ((ARGV[5] == '1' and cur == ARGV[6]) or (ARGV[5] == '0' and not cur)) then
  if cur then return {0, cur} end
  return {0}
end
local etype
local data
if mode == 'del' then
  if not cur then return {1} end
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  if redis.call('HLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[3], ARGV[4]) end
  etype = 'delete'
  data = cur
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  if not cur then redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[5]), ARGV[1]) end
  redis.call('ZADD', KEYS[3], 0, ARGV[4])
  if cur then etype = 'update' else etype = 'create' end
  data = ARGV[3]
end
local t = redis.call('TIME')
local ts = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[4]) or '0')
if ts <= last then ts = last + 1 end
redis.call('SET', KEYS[4], string.format('%d', ts))
redis.call('PUBLISH', ARGV[7], string.format('%d', ts) .. '\\n' .. etype .. '\\n' .. ARGV[8] .. '\\n' .. data)
if cur then return {1, ts, cur} end
return {1, ts}`

// Items in creation order, read in one step so a concurrent write cannot tear the listing.
// HMGET takes the ids 500 at a time: `unpack` of a whole group past ~8k ids fails with "too many
// results to unpack" (Lua's stack limit), which made big groups impossible to read or join.
const GROUP = `local ids = redis.call('ZRANGE', KEYS[2], 0, -1)
local out = {}
for i = 1, #ids, 500 do
  local vs = redis.call('HMGET', KEYS[1], unpack(ids, i, math.min(i + 499, #ids)))
  for j = 1, #vs do
    if vs[j] then out[#out + 1] = vs[j] end
  end
end
return out`

const CLEAR = `redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1`

type WriteReply = [0] | [0, string] | [1] | [1, number] | [1, number, string]

interface Scripts {
  motiaStreamWrite(...args: string[]): Promise<WriteReply>
  motiaStreamGroup(items: string, order: string): Promise<string[]>
  motiaStreamClear(items: string, order: string, groups: string, groupId: string): Promise<number>
}

/**
 * Stream items in Redis, shared by every instance, with cross-instance fan-out over Redis
 * pub/sub (`capabilities.fanOut`). Keys under `<prefix>:stream:`: per group a hash of items
 * (`i:["<stream>","<group>"]`) and a sorted set of ids by creation (`o:…`), per stream a sorted
 * set of group names (`groups:"<stream>"`), plus one clock and one sequence. Changes travel on
 * one channel, `<prefix>:stream:changes`, published by the write script itself.
 *
 * `subscribe` delivers every change in channel order, this instance's own included: the module
 * sends to sockets only what arrives there, so a writer's clients see the same order as every
 * other instance's. Pub/sub is at-most-once: an instance cut off from Redis misses what was
 * published meanwhile; its clients catch up with the `sync` they get when they join again.
 */
export class RedisStreamAdapter implements StreamAdapter {
  readonly kind = 'redis'
  readonly capabilities = { persistent: true, fanOut: true } as const
  private readonly redis: Redis & Scripts
  private readonly listeners = new Set<StreamChangeListener>()
  private readonly updates = new KeyedQueue()
  private readonly channel: string
  private readonly base: string
  /** Redis time minus local time, measured at connect (half a round trip of error at most). */
  private skew = 0
  /** The latest timestamp seen from the shared clock. */
  private seen = 0

  static async connect(target: RedisTarget): Promise<RedisStreamAdapter> {
    const client = await connectRedis(target.url, 'motia:streams')
    let sub: Redis
    try {
      sub = await connectRedis(target.url, 'motia:streams:sub', { enableOfflineQueue: true })
    } catch (err) {
      client.disconnect()
      throw err
    }
    const adapter = new RedisStreamAdapter(client, sub, target)
    await adapter.start()
    return adapter
  }

  constructor(
    client: Redis,
    private readonly sub: Redis,
    private readonly target: RedisTarget,
  ) {
    client.defineCommand('motiaStreamWrite', { numberOfKeys: 5, lua: WRITE })
    client.defineCommand('motiaStreamGroup', { numberOfKeys: 2, lua: GROUP })
    client.defineCommand('motiaStreamClear', { numberOfKeys: 3, lua: CLEAR })
    this.redis = client as Redis & Scripts
    this.base = `${target.prefix}:stream:`
    this.channel = `${this.base}changes`
  }

  private async start(): Promise<void> {
    const before = Date.now()
    const [s, us] = await this.call(() => this.redis.time())
    this.skew = Number(s) * 1000 + Math.floor(Number(us) / 1000) - Math.round((before + Date.now()) / 2)
    this.sub.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.deliver(message)
    })
    await this.sub.subscribe(this.channel)
  }

  /** Local time on the shared clock's scale, never behind a timestamp already seen. */
  now(): number {
    return Math.max(Date.now() + this.skew, this.seen + 1)
  }

  async get(stream: string, groupId: string, id: string): Promise<StreamItem | null> {
    const json = await this.call(() => this.redis.hget(this.itemsKey(stream, groupId), id))
    return json === null ? null : (JSON.parse(json) as StreamItem)
  }

  async set(stream: string, groupId: string, id: string, data: Record<string, unknown>): Promise<StreamWriteResult> {
    const json = JSON.stringify(toItem(data, id))
    const r = await this.write(stream, groupId, id, 'set', json)
    return this.result(r, json)
  }

  async update(stream: string, groupId: string, id: string, ops: readonly UpdateOp[]): Promise<StreamWriteResult> {
    let stamp = 0
    return this.updates.run(JSON.stringify([stream, groupId, id]), () =>
      casLoop<StreamWriteResult>({
        read: () => this.call(() => this.redis.hget(this.itemsKey(stream, groupId), id)),
        compute: (current) => {
          const old = current === null ? null : (JSON.parse(current) as StreamItem)
          const json = JSON.stringify(toItem(applyUpdateOps(old, ops), id))
          return { json, result: { old_value: old, new_value: JSON.parse(json) as StreamItem } }
        },
        write: async (expected, json) => {
          const r = await this.write(stream, groupId, id, 'cas', json, expected)
          if (r[0] === 0) return { current: r[1] ?? null }
          stamp = r[1] as number
          return true
        },
      }).then((result) => {
        stampWrite(result, stamp)
        return result
      }),
    )
  }

  async delete(stream: string, groupId: string, id: string): Promise<StreamItem | null> {
    const r = await this.write(stream, groupId, id, 'del', '')
    if (r.length < 3) return null
    const old = JSON.parse(r[2] as string) as StreamItem
    stampWrite(old, r[1] as number)
    return old
  }

  async getGroup(stream: string, groupId: string): Promise<StreamItem[]> {
    const values = await this.call(() =>
      this.redis.motiaStreamGroup(this.itemsKey(stream, groupId), this.orderKey(stream, groupId)),
    )
    return values.map((v) => JSON.parse(v) as StreamItem)
  }

  async listGroups(stream: string): Promise<string[]> {
    return this.call(() => this.redis.zrange(this.groupsKey(stream), '0', '-1'))
  }

  async clear(stream: string, groupId: string): Promise<void> {
    await this.call(() =>
      this.redis.motiaStreamClear(
        this.itemsKey(stream, groupId),
        this.orderKey(stream, groupId),
        this.groupsKey(stream),
        groupId,
      ),
    )
  }

  /**
   * Writes were published by their script; only ephemeral `send()` events are published here.
   * They carry the sender's timestamp (on the shared clock's scale, see `now`).
   */
  async announce(change: StreamChange): Promise<void> {
    if (change.event.type !== 'event') return
    const header = JSON.stringify({ streamName: change.streamName, groupId: change.groupId, id: change.id })
    const message = `${change.timestamp}\nevent\n${header}\n${JSON.stringify(change.event.event)}`
    await this.call(() => this.redis.publish(this.channel, message))
  }

  subscribe(listener: StreamChangeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Readiness probe: Redis answers PING and the fan-out subscription is connected. */
  async ready(): Promise<{ ok: boolean; detail?: string }> {
    await this.call(() => this.redis.ping())
    if (this.sub.status !== 'ready') return { ok: false, detail: `fan-out subscription is ${this.sub.status}` }
    return { ok: true }
  }

  async close(): Promise<void> {
    this.listeners.clear()
    await Promise.all([
      this.sub.quit().catch(() => this.sub.disconnect()),
      this.redis.quit().catch(() => this.redis.disconnect()),
    ])
  }

  private async write(
    stream: string,
    groupId: string,
    id: string,
    mode: 'set' | 'cas' | 'del',
    json: string,
    expected: string | null = null,
  ): Promise<WriteReply> {
    const header = JSON.stringify({ streamName: stream, groupId, id })
    const r = await this.call(() =>
      this.redis.motiaStreamWrite(
        this.itemsKey(stream, groupId),
        this.orderKey(stream, groupId),
        this.groupsKey(stream),
        `${this.base}clock`,
        `${this.base}seq`,
        id,
        mode,
        json,
        groupId,
        expected === null ? '0' : '1',
        expected ?? '',
        this.channel,
        header,
      ),
    )
    if (r[0] === 1 && r.length >= 2 && (r[1] as number) > this.seen) this.seen = r[1] as number
    return r
  }

  private result(r: WriteReply, json: string): StreamWriteResult {
    const out: StreamWriteResult = {
      old_value: r.length >= 3 ? (JSON.parse(r[2] as string) as StreamItem) : null,
      new_value: JSON.parse(json) as StreamItem,
    }
    stampWrite(out, r[1] as number)
    return out
  }

  /** `timestamp \n type \n {streamName, groupId, id} \n data` → a change for sockets. */
  private deliver(message: string): void {
    const cut = (from: number) => message.indexOf('\n', from)
    const b = cut(0)
    const c = cut(b + 1)
    const d = cut(c + 1)
    if (b < 0 || c < 0 || d < 0) return
    const timestamp = Number(message.slice(0, b))
    const type = message.slice(b + 1, c)
    const head = JSON.parse(message.slice(c + 1, d)) as { streamName: string; groupId: string; id?: string }
    const data = JSON.parse(message.slice(d + 1)) as unknown
    if (timestamp > this.seen) this.seen = timestamp
    const change: StreamChange = {
      streamName: head.streamName,
      groupId: head.groupId,
      timestamp,
      event:
        type === 'event'
          ? { type: 'event', event: data as { type: string; data?: unknown } }
          : { type: type as 'create' | 'update' | 'delete', data: data as StreamItem },
    }
    if (head.id !== undefined) change.id = head.id
    for (const l of this.listeners) l(change)
  }

  private itemsKey(stream: string, groupId: string): string {
    return `${this.base}i:${JSON.stringify([stream, groupId])}`
  }

  private orderKey(stream: string, groupId: string): string {
    return `${this.base}o:${JSON.stringify([stream, groupId])}`
  }

  private groupsKey(stream: string): string {
    return `${this.base}groups:${JSON.stringify(stream)}`
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return guarded(this.target.url, fn)
  }
}
