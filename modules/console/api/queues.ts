import type { DeadLetterFilter } from '../../queue/adapter'
import type { QueueModuleApi } from '../../queue/queue-module'
import type { ApiContext, ApiRoutes, Handler } from './respond'
import { ApiError, json, optionalLimit, readObject, service } from './respond'

function filterOf(source: { get(name: string): unknown }): DeadLetterFilter {
  const topic = source.get('topic')
  const subscription = source.get('subscription')
  return {
    ...(typeof topic === 'string' && topic ? { topic } : {}),
    ...(typeof subscription === 'string' && subscription ? { subscription } : {}),
  }
}

/** `/api/queues`: per-subscription depth and in-flight counts; dead letters, retried or dropped. */
export function queueRoutes(ctx: ApiContext): ApiRoutes {
  const queue = () => service<QueueModuleApi>(ctx.rt, 'queue')
  const act =
    (what: 'retry' | 'drop'): Handler =>
    async (req) => {
      const body = await readObject(req)
      const ids = body.ids
      if (ids !== 'all' && !(Array.isArray(ids) && ids.every((i) => typeof i === 'string'))) {
        throw new ApiError(400, 'E_CONSOLE_BAD_REQUEST', 'ids must be "all" or an array of dead letter ids')
      }
      const filter = filterOf(new Map(Object.entries(body)))
      const { adapter } = queue()
      const count =
        what === 'retry' ? await adapter.retryDeadLetters(ids, filter) : await adapter.dropDeadLetters(ids, filter)
      return json({ count })
    }
  return {
    '/api/queues': {
      GET: async () => {
        const { adapter } = queue()
        return json({ adapter: adapter.kind, stats: await adapter.stats() })
      },
    },
    '/api/queues/dead-letters': {
      GET: async (_req, url) => {
        const filter = { ...filterOf(url.searchParams), limit: optionalLimit(url, 200, 1000) }
        return json({ deadLetters: await queue().adapter.deadLetters(filter) })
      },
    },
    '/api/queues/dead-letters/retry': { POST: act('retry') },
    '/api/queues/dead-letters/drop': { POST: act('drop') },
  }
}
