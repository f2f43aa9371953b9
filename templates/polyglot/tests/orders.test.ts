import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createTestContext, createTestRuntime, type TestRuntime } from 'motia/testing'
import { config as placeOrder, handler as placeOrderHandler } from '../steps/orders/place-order.step'

// The whole project in-process, the Python step included (it runs in a python3 process).
let rt: TestRuntime
beforeAll(async () => {
  rt = await createTestRuntime({ dir: new URL('..', import.meta.url) })
}, 30_000)
afterAll(() => rt.stop())

const post = (path: string, body: unknown) =>
  rt.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

test('TypeScript → Python → JavaScript: the order is scored and the customer notified', async () => {
  const res = await post('/orders', {
    customer: 'ada@example.com',
    items: [{ sku: 'book', quantity: 2, price: 12.5 }],
  })
  expect(res.status).toBe(202)
  const { id } = (await res.json()) as { id: string }

  await rt.drain() // until the Python and JS queue steps have run
  const order = await rt.request(`/orders/${id}`)
  expect(await order.json()).toEqual({
    order: { id, customer: 'ada@example.com', total: 25, status: 'accepted' },
    notification: { to: 'ada@example.com', message: `Order ${id} (25) is confirmed.`, traceId: expect.any(String) },
  })
})

test('a large order is held for review', async () => {
  const res = await post('/orders', { customer: 'bob@example.com', items: [{ sku: 'tv', quantity: 1, price: 900 }] })
  const { id } = (await res.json()) as { id: string }
  await rt.drain()
  expect(await rt.state.get('orders', id)).toMatchObject({ total: 900, status: 'review' })
})

test('an order without items is refused before it reaches the queue', async () => {
  rt.clear()
  const res = await post('/orders', { customer: 'ada@example.com', items: [] })
  expect(res.status).toBe(400)
  expect(rt.enqueues).toEqual([])
})

// One handler on its own: a recording ctx, nothing else running.
test('PlaceOrder enqueues the order with a new id', async () => {
  const ctx = createTestContext({ step: placeOrder })
  const body = { customer: 'ada@example.com', items: [{ sku: 'pen', quantity: 1, price: 2 }] }
  const res = await placeOrderHandler({ body } as any, ctx)
  expect(res).toMatchObject({ status: 202 })
  expect(ctx.enqueues).toEqual([
    { topic: 'order.placed', data: { id: expect.any(String), ...body }, traceId: ctx.traceId, step: 'PlaceOrder' },
  ])
})
