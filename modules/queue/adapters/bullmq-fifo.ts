import type Redis from 'ioredis'

/*
 * FIFO message groups on top of BullMQ (its open-source edition has no groups). Per FIFO
 * subscription, in Redis, beside BullMQ's keys:
 *   <base>:pending      hash  message id → the job to add (JSON), for every message not finished
 *   <base>:busy         hash  group → id of the one message of the group handed to BullMQ
 *   <base>:g:<group>    list  ids waiting behind it, in enqueue order
 * A message is handed to BullMQ (added as a job with its id as jobId) only when its group has
 * none there; the next one is handed over when that one is acked or dead-lettered, never while
 * it waits for a retry. Each step is one Lua script, so instances never hand over two messages
 * of one group. Handing over (adding the job) follows the script: a process that dies between
 * the two leaves the message in `pending` and `busy`, and `repair` adds it again (BullMQ ignores
 * an id it already has).
 */

// KEYS: pending, busy, group list. ARGV: id, job JSON, group.
// Reply: 'dup' (id already pending: idempotency), 'queued', or 'release' (add it to BullMQ now).
const PUSH = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'dup' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('HEXISTS', KEYS[2], ARGV[3]) == 1 then
  redis.call('RPUSH', KEYS[3], ARGV[1])
  return 'queued'
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
return 'release'`

// KEYS: pending, busy, group list. ARGV: finished id, group.
// Reply: false (nothing to release) or {next id, next job JSON}.
const ADVANCE = `redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HGET', KEYS[2], ARGV[2]) ~= ARGV[1] then return false end
while true do
  local nextId = redis.call('LPOP', KEYS[3])
  if not nextId then
    redis.call('HDEL', KEYS[2], ARGV[2])
    return false
  end
  local job = redis.call('HGET', KEYS[1], nextId)
  if job then
    redis.call('HSET', KEYS[2], ARGV[2], nextId)
    return {nextId, job}
  end
end`

interface FifoScripts {
  motiaFifoPush(pending: string, busy: string, list: string, id: string, job: string, group: string): Promise<string>
  motiaFifoAdvance(
    pending: string,
    busy: string,
    list: string,
    id: string,
    group: string,
  ): Promise<[string, string] | null>
}

export function defineFifoScripts(client: Redis): Redis & FifoScripts {
  client.defineCommand('motiaFifoPush', { numberOfKeys: 3, lua: PUSH })
  client.defineCommand('motiaFifoAdvance', { numberOfKeys: 3, lua: ADVANCE })
  return client as Redis & FifoScripts
}

export class FifoGate {
  constructor(
    private readonly redis: Redis & FifoScripts,
    private readonly base: string,
  ) {}

  /** True: the caller adds the job to BullMQ now. False: it waits behind its group (or is a duplicate). */
  async push(id: string, group: string, job: string): Promise<'release' | 'queued' | 'dup'> {
    return (await this.redis.motiaFifoPush(this.pending, this.busy, this.list(group), id, job, group)) as
      | 'release'
      | 'queued'
      | 'dup'
  }

  /** The message left BullMQ for good (acked or dead): the group's next message, to add now. */
  async advance(id: string, group: string): Promise<{ id: string; job: string } | null> {
    const r = await this.redis.motiaFifoAdvance(this.pending, this.busy, this.list(group), id, group)
    return r ? { id: r[0], job: r[1] } : null
  }

  /** Messages waiting behind their group (not yet in BullMQ). */
  async waiting(): Promise<number> {
    const [pending, busy] = await Promise.all([this.redis.hlen(this.pending), this.redis.hlen(this.busy)])
    return Math.max(0, pending - busy)
  }

  /** Handed-over messages: group → id, and their jobs, for `repair`. */
  async handedOver(): Promise<{ group: string; id: string; job: string | null }[]> {
    const busy = await this.redis.hgetall(this.busy)
    const groups = Object.keys(busy)
    if (groups.length === 0) return []
    const jobs = await this.redis.hmget(this.pending, ...groups.map((g) => busy[g]!))
    return groups.map((group, i) => ({ group, id: busy[group]!, job: jobs[i] ?? null }))
  }

  private get pending(): string {
    return `${this.base}:pending`
  }
  private get busy(): string {
    return `${this.base}:busy`
  }
  private list(group: string): string {
    return `${this.base}:g:${group}`
  }
}
