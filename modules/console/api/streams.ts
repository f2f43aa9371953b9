import type { StreamsModuleApi } from '../../streams/streams-module'
import type { ApiContext, ApiRoutes } from './respond'
import { ApiError, json, required, service } from './respond'

/** `/api/streams`: every stream with its groups, and a group's items. */
export function streamRoutes(ctx: ApiContext): ApiRoutes {
  const { rt } = ctx
  const streams = () => service<StreamsModuleApi>(rt, 'streams')
  const known = (name: string) => {
    const def = rt.project().streams.find((s) => s.name === name)
    if (!def) throw new ApiError(404, 'E_CONSOLE_NOT_FOUND', `no stream named "${name}"`)
    return def
  }
  return {
    '/api/streams': {
      GET: async () => {
        const { adapter } = streams()
        const defs = [...rt.project().streams].sort((a, b) => a.name.localeCompare(b.name))
        const list = await Promise.all(
          defs.map(async (s) => ({
            name: s.name,
            file: s.relFile,
            ...(s.schema ? { schema: s.schema.jsonSchema() } : {}),
            groups: await adapter.listGroups(s.name),
          })),
        )
        return json({ streams: list })
      },
    },
    '/api/streams/items': {
      GET: async (_req, url) => {
        const stream = known(required(url.searchParams.get('stream'), 'stream')).name
        const groupId = required(url.searchParams.get('groupId'), 'groupId')
        return json({ stream, groupId, items: await streams().adapter.getGroup(stream, groupId) })
      },
    },
  }
}
