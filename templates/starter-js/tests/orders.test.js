import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createTestContext, createTestRuntime } from 'motia/testing'
import { config as summary, handler as summaryHandler } from '../steps/nightly-summary.step.js'
import { config as placeOrder, handler as placeOrderHandler } from '../steps/orders/place-order.step.js'

// The whole project in-process: HTTP without a socket, queues and state in memory.
/** @type {import('motia/testing').TestRuntime} */
let rt
beforeAll(async () => {
  rt = await createTestRuntime({ dir: new URL('..', import.meta.url) })
})
afterAll(() => rt.stop())

test('a placed order is fulfilled in the background', async () => {
  const res = await rt.request('/orders', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: 'book' }),
  })
  expect(res.status).toBe(202)
  const { id } = await res.json()

  await rt.drain() // until the queue step has run
  expect(rt.enqueues).toContainEqual(
    expect.objectContaining({ topic: 'order.placed', data: { id, item: 'book', quantity: 1 } }),
  )
  const order = await rt.request(`/orders/${id}`)
  expect(await order.json()).toMatchObject({ id, item: 'book', quantity: 1, status: 'fulfilled' })
  expect(await rt.streams.orderStatus.get('orders', id)).toEqual({ id, status: 'fulfilled' })
})

test('an unknown order answers 404', async () => {
  expect((await rt.request('/orders/nope')).status).toBe(404)
})

// One handler on its own: a recording ctx, nothing else running.
test('PlaceOrder enqueues the order', async () => {
  const ctx = createTestContext({ step: placeOrder })
  const res = await placeOrderHandler({ body: { item: 'pen', quantity: 3 } }, ctx)
  expect(res.status).toBe(202)
  expect(ctx.enqueues.map((e) => [e.topic, e.data])).toEqual([
    ['order.placed', { id: res.body.id, item: 'pen', quantity: 3 }],
  ])
})

test('NightlySummary counts the orders', async () => {
  const ctx = createTestContext({ step: summary })
  await ctx.state.set('orders', 'a', { status: 'fulfilled' })
  await summaryHandler(undefined, ctx)
  expect(ctx.logs).toContainEqual(expect.objectContaining({ msg: 'nightly summary', fields: { fulfilled: 1 } }))
})
