import type { Job } from 'bullmq'
import type { DeadLetter, DeadLetterFilter } from '../adapter'
import { type Guarded, messageId, type Payload, parseMessageId, readGrave, type SubQueue } from './bullmq-job'

/** The subscriptions a filter names (all when it names none). */
export function chosenQueues(subs: Map<string, SubQueue>, filter: DeadLetterFilter): SubQueue[] {
  return [...subs.values()].filter(
    (q) =>
      (filter.topic === undefined || q.sub.topic === filter.topic) &&
      (filter.subscription === undefined || q.sub.id === filter.subscription),
  )
}

/** The failed jobs that `ids` (or 'all' within the filter) name, with their subscription. */
export async function deadJobs(
  subs: Map<string, SubQueue>,
  ids: readonly string[] | 'all',
  filter: DeadLetterFilter,
  call: Guarded,
) {
  const out: { job: Job<Payload>; q: SubQueue }[] = []
  if (ids === 'all') {
    for (const q of chosenQueues(subs, filter)) {
      for (const job of await call(() => q.queue.getFailed(0, -1))) if (job) out.push({ job, q })
    }
    return out
  }
  for (const id of ids) {
    const parsed = parseMessageId(id)
    const q = parsed && subs.get(parsed.subscription)
    if (!q || !parsed || (filter.topic !== undefined && q.sub.topic !== filter.topic)) continue
    const job = await call(() => q.queue.getJob(parsed.jobId))
    if (job && (await call(() => job.isFailed()))) out.push({ job, q })
  }
  return out
}

/** Every failed job the filter names, oldest failure first. */
export async function listDeadLetters(
  subs: Map<string, SubQueue>,
  filter: DeadLetterFilter,
  call: Guarded,
): Promise<DeadLetter[]> {
  const out: DeadLetter[] = []
  for (const q of chosenQueues(subs, filter)) {
    const jobs = await call(() => q.queue.getFailed(0, -1))
    for (const job of jobs) {
      if (!job) continue
      const grave = readGrave(job)
      out.push({
        id: messageId(q.sub.id, job.id!),
        topic: q.sub.topic,
        subscription: q.sub.id,
        data: job.data.data,
        traceId: job.data.traceId,
        error: grave.error,
        reason: grave.reason,
        attempts: job.attemptsMade,
        failedAt: job.finishedOn ?? 0,
        enqueuedAt: job.data.enqueuedAt,
      })
    }
  }
  out.sort((a, b) => a.failedAt - b.failedAt || a.id.localeCompare(b.id))
  return filter.limit === undefined ? out : out.slice(0, filter.limit)
}
