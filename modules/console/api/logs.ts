import { isLogLevel } from '../../../runtime/logger'
import type { ApiContext, ApiRoutes } from './respond'
import { ApiError, json, optionalLimit } from './respond'

/** `/api/logs`: the recent records kept in memory, filtered. Newer ones arrive on `/api/live`. */
export function logRoutes(ctx: ApiContext): ApiRoutes {
  return {
    '/api/logs': {
      GET: (_req, url) => {
        const q = url.searchParams
        const level = q.get('level')
        if (level !== null && !isLogLevel(level)) {
          throw new ApiError(400, 'E_CONSOLE_BAD_REQUEST', 'level must be one of debug, info, warn, error')
        }
        const records = ctx.logs.query({
          ...(level ? { level } : {}),
          ...(q.get('step') ? { step: q.get('step')! } : {}),
          ...(q.get('traceId') ? { traceId: q.get('traceId')! } : {}),
          ...(q.get('q') ? { text: q.get('q')! } : {}),
          limit: optionalLimit(url, 500, ctx.logs.capacity),
        })
        return json({ records, capacity: ctx.logs.capacity })
      },
    },
  }
}
