import type Redis from 'ioredis'
import { connectRedis, guarded, type RedisTarget } from '../storage/redis-connection'

/** Decides which instance runs a scheduled tick. */
export interface TickLock {
  /** True for exactly one caller per (trigger, scheduled time), whichever instances ask. */
  claim(trigger: string, scheduledAt: number): Promise<boolean>
  close(): Promise<void>
}

/**
 * With several instances on one Redis, each tick runs once: the first instance to
 * `SET <prefix>:cron:<trigger>:<scheduled ms> <instance> NX PX <ttl>` runs it, the others
 * skip it. The key names the scheduled time, not the moment an instance woke up, so instances
 * whose clocks differ by less than the TTL agree on which tick it is; it expires on its own.
 */
export class RedisTickLock implements TickLock {
  private readonly instance = crypto.randomUUID()

  static async connect(target: RedisTarget, ttlMs = 60_000): Promise<RedisTickLock> {
    return new RedisTickLock(await connectRedis(target.url, 'motia:cron'), target, ttlMs)
  }

  constructor(
    private readonly redis: Redis,
    private readonly target: RedisTarget,
    private readonly ttlMs: number,
  ) {}

  async claim(trigger: string, scheduledAt: number): Promise<boolean> {
    const key = `${this.target.prefix}:cron:${trigger}:${scheduledAt}`
    const r = await guarded(this.target.url, () => this.redis.set(key, this.instance, 'PX', this.ttlMs, 'NX'))
    return r === 'OK'
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect())
  }
}
