import { z } from 'zod'

/** The status of each order, for clients that follow it over WebSocket (group `orders`). */
export const config = {
  name: 'orderStatus',
  schema: z.object({ status: z.enum(['placed', 'fulfilled']) }),
  baseConfig: { storageType: 'default' },
}
