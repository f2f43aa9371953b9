import { z } from 'zod'

/** Live list of todos: the /live page subscribes to the `all` group over WebSocket. */
export const config = {
  name: 'todoFeed',
  schema: z.object({ text: z.string(), priority: z.string(), done: z.boolean() }),
  baseConfig: { storageType: 'default' as const },
}
