import type Redis from 'ioredis'
import type { UpdateOp } from '../../../sdk/types'
import { byCodePoint, casLoop, KeyedQueue } from '../../storage/redis-cas'
import { connectRedis, guarded, type RedisTarget } from '../../storage/redis-connection'
import type { StateAdapter, StateEntry, StateWriteResult } from '../adapter'
import { applyUpdateOps } from '../update-ops'

// KEYS: value, the group's key set, the group-name set (sorted sets, score 0: byte order).
// A key joins its group's set only while its value exists, so a delete that ran between `set`'s
// SET and this script leaves no member behind.
const JOIN = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('ZADD', KEYS[3], 0, ARGV[2])
return 1`
// ARGV: key, json, groupId, hasExpected ('1': ARGV[5] is the expected text, '0': missing), expected.
const CAS = `local cur = redis.call('GET', KEYS[1])
if (ARGV[4] == '1' and cur == ARGV[5]) or (ARGV[4] == '0' and not cur) then
  redis.call('SET', KEYS[1], ARGV[2])
  if not cur then
    redis.call('ZADD', KEYS[2], 0, ARGV[1])
    redis.call('ZADD', KEYS[3], 0, ARGV[3])
  end
  return {1}
end
if cur then return {0, cur} end
return {0}`
const DELETE = `local old = redis.call('GET', KEYS[1])
if old then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('ZREM', KEYS[3], ARGV[2]) end
end
return old`
// KEYS: the group's key set. ARGV[1]: the group's value-key stem. Flat {key, json, ...} in key order.
const ENTRIES = `local ks = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for i = 1, #ks, 500 do
  local names = {}
  for j = i, math.min(i + 499, #ks) do names[#names + 1] = ARGV[1] .. ks[j] end
  local vs = redis.call('MGET', unpack(names))
  for j = 1, #vs do
    if vs[j] then
      out[#out + 1] = ks[i + j - 1]
      out[#out + 1] = vs[j]
    end
  end
end
return out`
// KEYS: the group's key set, the group-name set. ARGV: the value-key stem, groupId.
const CLEAR = `local ks = redis.call('ZRANGE', KEYS[1], 0, -1)
for i = 1, #ks, 500 do
  local names = {}
  for j = i, math.min(i + 499, #ks) do names[#names + 1] = ARGV[1] .. ks[j] end
  redis.call('DEL', unpack(names))
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1`

interface Scripts {
  motiaStateJoin(value: string, members: string, groups: string, key: string, groupId: string): Promise<number>
  motiaStateCas(
    value: string,
    members: string,
    groups: string,
    key: string,
    json: string,
    groupId: string,
    hasExpected: '0' | '1',
    expected: string,
  ): Promise<[1] | [0] | [0, string]>
  motiaStateDelete(value: string, members: string, groups: string, key: string, groupId: string): Promise<string | null>
  motiaStateEntries(members: string, stem: string): Promise<string[]>
  motiaStateClear(members: string, groups: string, stem: string, groupId: string): Promise<number>
}

/**
 * State in Redis, under `<prefix>:state:`: each value its own string key
 * (`v:<groupId as JSON>:<key>`, JSON text), per group a sorted set of its keys
 * (`k:<groupId as JSON>`) and one sorted set of group names (`groups`), so listings never scan.
 * (The group as a JSON string ends at its closing quote: no group/key pair names another's key.)
 *
 * `set` is `SET … GET`, one plain command that returns the old value atomically; only when the
 * key is new does a second script add it to the two sets. `update` is a compare-and-set loop
 * (modules/storage/redis-cas.ts), atomic across processes; delete and clear are scripts.
 */
export class RedisStateAdapter implements StateAdapter {
  readonly kind = 'redis'
  private readonly redis: Redis & Scripts
  private readonly base: string
  private readonly groupsKey: string
  private readonly updates = new KeyedQueue()
  /** Value keys written whose JOIN failed (Redis went away between the two): joined on the next set. */
  private readonly unjoined = new Set<string>()

  /** Connects (start-up fails with E_REDIS_UNAVAILABLE naming the URL); `close()` disconnects. */
  static async connect(target: RedisTarget): Promise<RedisStateAdapter> {
    return new RedisStateAdapter(await connectRedis(target.url, 'motia:state'), target)
  }

  constructor(
    client: Redis,
    private readonly target: RedisTarget,
  ) {
    client.defineCommand('motiaStateJoin', { numberOfKeys: 3, lua: JOIN })
    client.defineCommand('motiaStateCas', { numberOfKeys: 3, lua: CAS })
    client.defineCommand('motiaStateDelete', { numberOfKeys: 3, lua: DELETE })
    client.defineCommand('motiaStateEntries', { numberOfKeys: 1, lua: ENTRIES })
    client.defineCommand('motiaStateClear', { numberOfKeys: 2, lua: CLEAR })
    this.redis = client as Redis & Scripts
    this.base = `${target.prefix}:state:`
    this.groupsKey = `${this.base}groups`
  }

  async get<T>(groupId: string, key: string): Promise<T | null> {
    const json = await this.call(() => this.redis.get(this.valueKey(groupId, key)))
    return json === null ? null : (JSON.parse(json) as T)
  }

  async set<T>(groupId: string, key: string, value: T): Promise<StateWriteResult<T>> {
    const json = toJson(value)
    const vkey = this.valueKey(groupId, key)
    const old = await this.call(() => this.redis.set(vkey, json, 'GET'))
    if (old === null || (this.unjoined.size > 0 && this.unjoined.has(vkey))) await this.join(vkey, groupId, key)
    return { old_value: old === null ? null : (JSON.parse(old) as T), new_value: JSON.parse(json) as T }
  }

  async update<T>(groupId: string, key: string, ops: readonly UpdateOp[]): Promise<StateWriteResult<T>> {
    const vkey = this.valueKey(groupId, key)
    return this.updates.run(vkey, () =>
      casLoop<StateWriteResult<T>>({
        read: () => this.call(() => this.redis.get(vkey)),
        compute: (current) => {
          const old = current === null ? null : (JSON.parse(current) as T)
          // applyUpdateOps throws E_STATE_OP_INVALID before anything is written.
          const json = toJson(applyUpdateOps(old, ops))
          return { json, result: { old_value: old, new_value: JSON.parse(json) as T } }
        },
        write: async (expected, json) => {
          const r = await this.call(() =>
            this.redis.motiaStateCas(
              vkey,
              this.membersKey(groupId),
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
    const vkey = this.valueKey(groupId, key)
    const old = await this.call(() =>
      this.redis.motiaStateDelete(vkey, this.membersKey(groupId), this.groupsKey, key, groupId),
    )
    this.unjoined.delete(vkey)
    return old === null ? null : (JSON.parse(old) as T)
  }

  async getGroup<T>(groupId: string): Promise<T[]> {
    return (await this.entries<T>(groupId)).map((e) => e.value)
  }

  async entries<T>(groupId: string): Promise<StateEntry<T>[]> {
    const flat = await this.call(() => this.redis.motiaStateEntries(this.membersKey(groupId), this.stem(groupId)))
    const out: StateEntry<T>[] = []
    for (let i = 0; i < flat.length; i += 2) out.push({ key: flat[i]!, value: JSON.parse(flat[i + 1]!) as T })
    // Redis's byte order is code point order already; sorted again so the contract never rests on it.
    return out.sort((a, b) => byCodePoint(a.key, b.key))
  }

  async clear(groupId: string): Promise<void> {
    await this.call(() =>
      this.redis.motiaStateClear(this.membersKey(groupId), this.groupsKey, this.stem(groupId), groupId),
    )
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

  /** Adds a new key to its group's set and the group to the group names. */
  private async join(vkey: string, groupId: string, key: string): Promise<void> {
    try {
      await this.call(() => this.redis.motiaStateJoin(vkey, this.membersKey(groupId), this.groupsKey, key, groupId))
      this.unjoined.delete(vkey)
    } catch (err) {
      this.unjoined.add(vkey)
      throw err
    }
  }

  private stem(groupId: string): string {
    return `${this.base}v:${JSON.stringify(groupId)}:`
  }

  private valueKey(groupId: string, key: string): string {
    return `${this.base}v:${JSON.stringify(groupId)}:${key}`
  }

  private membersKey(groupId: string): string {
    return `${this.base}k:${JSON.stringify(groupId)}`
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return guarded(this.target.url, fn)
  }
}

/** JSON text of a value; what JSON cannot hold at the top (undefined, a function) is stored as null. */
function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null'
}
