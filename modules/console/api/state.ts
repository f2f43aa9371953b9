import type { CallOrigin } from '../../../runtime/engine-client'
import { newTraceId } from '../../../runtime/trace-id'
import type { StateModuleApi } from '../../state/state-module'
import type { ApiContext, ApiRoutes } from './respond'
import { json, readObject, required, service } from './respond'

/** Writes from the console go through the engine like a step's, so state triggers and live views see them. */
export const consoleOrigin = (): CallOrigin => ({ step: 'console', traceId: newTraceId() })

/** `/api/state/*`: groups, a group's entries, and edits of one key. */
export function stateRoutes(ctx: ApiContext): ApiRoutes {
  const { rt } = ctx
  const state = () => service<StateModuleApi>(rt, 'state')
  return {
    '/api/state/groups': {
      GET: async () => json({ groups: await state().adapter.listGroups() }),
    },
    '/api/state/entries': {
      GET: async (_req, url) => {
        const groupId = required(url.searchParams.get('groupId'), 'groupId')
        return json({ groupId, entries: await state().adapter.entries(groupId) })
      },
    },
    '/api/state/entry': {
      GET: async (_req, url) => {
        const groupId = required(url.searchParams.get('groupId'), 'groupId')
        const key = required(url.searchParams.get('key'), 'key')
        return json({ groupId, key, value: await state().adapter.get(groupId, key) })
      },
      PUT: async (req) => {
        const body = await readObject(req)
        const groupId = required(body.groupId, 'groupId')
        const key = required(body.key, 'key')
        state()
        const result = await rt.engine.state('set', [groupId, key, body.value ?? null], consoleOrigin())
        return json(result)
      },
      DELETE: async (_req, url) => {
        const groupId = required(url.searchParams.get('groupId'), 'groupId')
        const key = required(url.searchParams.get('key'), 'key')
        state()
        return json({ old_value: await rt.engine.state('delete', [groupId, key], consoleOrigin()) })
      },
    },
  }
}
