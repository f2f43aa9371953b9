import type { StreamConfig } from 'motia'
import { z } from 'zod'

export const todo = z.object({ text: z.string(), done: z.boolean(), createdAt: z.string() })

/** The board's todos (group `board`): every write reaches the subscribed pages. */
export const config = {
  name: 'todos',
  schema: todo,
  baseConfig: { storageType: 'default' },
} satisfies StreamConfig
