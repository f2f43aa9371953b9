import type { JobsOptions } from 'bullmq'
import type { Guarded, Payload, SubQueue } from './bullmq-job'

// Longer than an ack-to-advance or gate-to-add gap can last (see repairFifo).
const FIFO_REPAIR_GRACE_MS = 10_000

/**
 * A process that died between the gate's script and BullMQ's add left a handed-over message
 * that BullMQ lacks: add it (BullMQ ignores an id it has). One that died in BullMQ's failed
 * set (stalled too often) lets its group go on.
 */
export async function repairFifo(q: SubQueue, missingSince: Map<string, number>, call: Guarded): Promise<void> {
  const seen = new Set<string>()
  for (const { group, id, job } of await call(() => q.fifo!.handedOver())) {
    const state = await call(() => q.queue.getJobState(id))
    const key = `${q.name}/${id}`
    if (state === 'unknown' && job) {
      // Between an ack (the job leaves BullMQ) and the gate's advance, or between the gate's
      // script and the add, the job is missing for a moment: only one missing for longer than
      // that is added again, else an acked message would run twice and out of order.
      seen.add(key)
      const since = missingSince.get(key)
      if (since === undefined) missingSince.set(key, performance.now())
      if (since === undefined || performance.now() - since < FIFO_REPAIR_GRACE_MS) continue
      missingSince.delete(key)
      const { payload, opts } = JSON.parse(job) as { payload: Payload; opts: JobsOptions }
      await call(() => q.queue.add(payload.topic, payload, opts))
    } else if (state === 'failed') {
      const next = await call(() => q.fifo!.advance(id, group))
      if (next) {
        const { payload, opts } = JSON.parse(next.job) as { payload: Payload; opts: JobsOptions }
        await call(() => q.queue.add(payload.topic, payload, opts))
      }
    }
  }
  for (const key of missingSince.keys()) if (key.startsWith(`${q.name}/`) && !seen.has(key)) missingSince.delete(key)
}
