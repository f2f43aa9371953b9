import type Redis from 'ioredis'
import type { UpdateOp } from '../../../sdk/types'
import { byCodePoint, casLoop, KeyedQueue } from '../../storage/redis-cas'
import { connectRedis, guarded, type RedisTarget } from '../../storage/redis-connection'
import type { StateAdapter, StateEntry, StateWriteResult } from '../adapter'
import { applyUpdateOps } from '../update-ops'

// KEYS[1] the group's hash, KEYS[2] the sorted set of group names (score 0: byte order).
// A group gains its name in KEYS[2] when it gains a key (HSET answers 1 for a new field).
const SET = `local old = redis.call('HGET', KEYS[1], ARGV[1])
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('ZADD', KEYS[2], 0, ARGV[3]) end
return old`
// ARGV[4] = '1' when ARGV[5] is the expected text, '0' when the key is expected missing.
const CAS = `local cur = redis.call('HGET', KEYS[1], ARGV[1])
if (ARGV[4] == '1' and cur == ARGV[5]) or (ARGV[4] == '0' and not cur) then
  if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('ZADD', KEYS[2], 0, ARGV[3]) end
  return {1}
end
if cur then return {0, cur} end
return {0}`
const DELETE = `local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  redis.call('HDEL', KEYS[1], ARGV[1])
  if redis.call('HLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[2]) end
end
return old`
const CLEAR = `redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`

interface Scripts {
  motiaStateSet(group: string, groups: string, key: string, json: string, groupId: string): Promise<string | null>
  motiaStateCas(
    group: string,
    groups: string,
    key: string,
    json: string,
    groupId: string,
    hasExpected: '0' | '1',
    expected: string,
  ): Promise<[1] | [0] | [0, string]>
  motiaStateDelete(group: string, groups: string, key: string, groupId: string): Promise<string | null>
  motiaStateClear(group: string, groups: string, groupId: string): Promise<number>
}

/**
 * State in Redis: one hash per group (`<prefix>:state:g:<groupId>`, field = key, value = JSON
 * text) and a sorted set of group names (`<prefix>:state:groups`) kept in step by the same
 * scripts, so `listGroups` never scans. Every write is one Lua script (atomic); `update` is a
 * compare-and-set loop (modules/storage/redis-cas.ts) so it stays atomic across processes.
 */
export class RedisStateAdapter implements StateAdapter {
  readonly kind = 'redis'
  private readonly redis: Redis & Scripts
  private readonly groupsKey: string
  private readonly updates = new KeyedQueue()

  /** Connects (start-up fails with E_REDIS_UNAVAILABLE naming the URL); `close()` disconnects. */
  static async connect(target: RedisTarget): Promise<RedisStateAdapter> {
    return new RedisStateAdapter(await connectRedis(target.url, 'motia:state'), target)
  }

  constructor(
    client: Redis,
    private readonly target: RedisTarget,
  ) {
    client.defineCommand('motiaStateSet', { numberOfKeys: 2, lua: SET })
    client.defineCommand('motiaStateCas', { numberOfKeys: 2, lua: CAS })
    client.defineCommand('motiaStateDelete', { numberOfKeys: 2, lua: DELETE })
    client.defineCommand('motiaStateClear', { numberOfKeys: 2, lua: CLEAR })
    this.redis = client as Redis & Scripts
    this.groupsKey = `${target.prefix}:state:groups`
  }

  async get<T>(groupId: string, key: string): Promise<T | null> {
    const json = await this.call(() => this.redis.hget(this.groupKey(groupId), key))
    return json === null ? null : (JSON.parse(json) as T)
  }

  async set<T>(groupId: string, key: string, value: T): Promise<StateWriteResult<T>> {
    const json = toJson(value)
    const old = await this.call(() =>
      this.redis.motiaStateSet(this.groupKey(groupId), this.groupsKey, key, json, groupId),
    )
    return { old_value: old === null ? null : (JSON.parse(old) as T), new_value: JSON.parse(json) as T }
  }

  async update<T>(groupId: string, key: string, ops: readonly UpdateOp[]): Promise<StateWriteResult<T>> {
    const hash = this.groupKey(groupId)
    return this.updates.run(`${groupId}\u0000${key}`, () =>
      casLoop<StateWriteResult<T>>({
        read: () => this.call(() => this.redis.hget(hash, key)),
        compute: (current) => {
          const old = current === null ? null : (JSON.parse(current) as T)
          // applyUpdateOps throws E_STATE_OP_INVALID before anything is written.
          const json = toJson(applyUpdateOps(old, ops))
          return { json, result: { old_value: old, new_value: JSON.parse(json) as T } }
        },
        write: async (expected, json) => {
          const r = await this.call(() =>
            this.redis.motiaStateCas(
              hash,
              this.groupsKey,
              key,
              json,
              groupId,
              expected === null ? '0' : '1',
              expected ?? '',
            ),
          )
          return r[0] === 1 ? true : { current: r[1] ?? null }
        },
      }),
    )
  }

  async delete<T>(groupId: string, key: string): Promise<T | null> {
    const old = await this.call(() => this.redis.motiaStateDelete(this.groupKey(groupId), this.groupsKey, key, groupId))
    return old === null ? null : (JSON.parse(old) as T)
  }

  async getGroup<T>(groupId: string): Promise<T[]> {
    return (await this.entries<T>(groupId)).map((e) => e.value)
  }

  async entries<T>(groupId: string): Promise<StateEntry<T>[]> {
    // The flat reply, not ioredis's object: a key named "__proto__" must stay a key.
    const flat = (await this.call(() => this.redis.call('HGETALL', this.groupKey(groupId)))) as string[]
    const out: StateEntry<T>[] = []
    for (let i = 0; i < flat.length; i += 2) out.push({ key: flat[i]!, value: JSON.parse(flat[i + 1]!) as T })
    return out.sort((a, b) => byCodePoint(a.key, b.key))
  }

  async clear(groupId: string): Promise<void> {
    await this.call(() => this.redis.motiaStateClear(this.groupKey(groupId), this.groupsKey, groupId))
  }

  async listGroups(): Promise<string[]> {
    return this.call(() => this.redis.zrange(this.groupsKey, '0', '-1'))
  }

  /** Readiness probe (`/__motia/ready`): Redis answers PING. */
  async ready(): Promise<{ ok: boolean; detail?: string }> {
    await this.call(() => this.redis.ping())
    return { ok: true }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect())
  }

  private groupKey(groupId: string): string {
    return `${this.target.prefix}:state:g:${groupId}`
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return guarded(this.target.url, fn)
  }
}

/** JSON text of a value; what JSON cannot hold at the top (undefined, a function) is stored as null. */
function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null'
}
