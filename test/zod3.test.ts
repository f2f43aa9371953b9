import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { z as z4 } from 'zod'
import { zodToJsonSchema } from 'zod-to-json-schema'
import { z as z4copy } from 'zod3/v4'
import { defaultModules } from '../cmd/default-modules'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { inspectProject } from '../runtime/inspect'
import { projectManifest } from '../runtime/project-manifest'
import { generateTypes } from '../runtime/type-gen'
import { order } from './fixtures/zod3/steps/schemas'
import { FIXTURES, fixtureRuntime } from './support/runtime'

/** What zod-to-json-schema itself gives (it is typed against zod/v3's classes, not the zod3 copy's). */
const reference = (s: unknown) => zodToJsonSchema(s as Parameters<typeof zodToJsonSchema>[0])

// Projects that declare zod 3 hand the runtime zod 3 schemas (and zod 4 ones from their own copy):
// the fixture's steps import the `zod3` alias, never the runtime's zod.
const DIR = join(FIXTURES, 'zod3')
const origin = { step: 'test', traceId: 'test' }
let rt: Awaited<ReturnType<typeof fixtureRuntime>>
const post = (path: string, body: unknown) =>
  rt.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

beforeAll(async () => {
  rt = await fixtureRuntime(DIR)
})
afterAll(() => rt.stop())

describe('zod 3 schemas in a running project', () => {
  test('bodySchema: 400 with { path, message } issues; a valid body is parsed (default, transform)', async () => {
    const bad = await post('/orders', { item: 3, tags: ['a', 1], size: 'xl', note: null, qty: 0 })
    expect(bad.status).toBe(400)
    const body = (await bad.json()) as { code: string; issues: { path: string; message: string }[] }
    expect(body.code).toBe('E_BODY_INVALID')
    expect(body.issues.map((i) => i.path).sort()).toEqual(['code', 'item', 'note', 'qty', 'size', 'tags[1]'])
    expect(body.issues.find((i) => i.path === 'code')?.message).toBe('Required')

    const ok = await post('/orders', { item: 'pen', tags: [], size: 2, code: 'ab' })
    expect(ok.status).toBe(201)
    expect(await ok.json()).toEqual({ id: 'AB-1', qty: 1 })
  })

  test('queue input: parsed message reaches the handler; a mismatching one is dead-lettered', async () => {
    const queue = rt.services.shared.get('queue') as QueueModuleApi
    await post('/orders', { item: 'cup', tags: ['x'], size: 'm', qty: 3, code: 'cd' })
    await rt.engine.enqueue({ topic: 'order.placed', data: { id: 'bad', qty: 'many' } }, origin)
    await queue.idle({ delayed: true })
    expect(await rt.engine.state('get', ['orders', 'CD-3'], origin)).toEqual({ qty: 3, priority: false })
    expect(await rt.engine.state('get', ['orders', 'bad'], origin)).toBeNull()
    expect(
      rt.records.some((r) => r.msg.endsWith('input does not match the schema: qty: Expected number, received string')),
    ).toBe(true)
  })

  test('stream schema: a mismatching item is reported with its issues', async () => {
    await rt.engine.stream('orderFeed', 'set', ['g', 'o1', { item: 'pen', qty: 1 }], origin)
    await rt.engine.stream('orderFeed', 'set', ['g', 'o2', { item: 'pen', qty: 'x' }], origin)
    const warnings = rt.records.filter((r) => r.msg.startsWith('stream "orderFeed"'))
    expect(warnings.map((w) => [w.msg, w.fields?.issues])).toEqual([
      [
        'stream "orderFeed": item "o2" does not match the stream schema (steps/orders.stream.ts); stored anyway',
        [{ path: 'qty', message: 'Expected number, received string' }],
      ],
    ])
  })

  test('zod 4 from another copy of zod (zod3/v4) validates too', async () => {
    const bad = await post('/v4-copy', { name: 1 })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { issues: unknown[] }).issues).toEqual([
      { path: 'name', message: 'Invalid input: expected string, received number' },
    ])
    const ok = await post('/v4-copy', { name: 'x' })
    expect(await ok.json()).toEqual({ name: 'x', n: 0 })
  })

  test('the manifest (console endpoints, motia.lock.json) carries their JSON Schema', () => {
    const steps = projectManifest(rt.project(), 'test').steps
    const trigger = (name: string) => steps.find((s) => s.name === name)?.triggers[0] as Record<string, any>
    expect(trigger('PlaceOrder').bodySchema).toEqual(reference(order))
    expect(trigger('PlaceOrder').bodySchema).toMatchObject({
      properties: { item: { type: 'string' }, qty: { type: 'integer', exclusiveMinimum: 0, default: 1 } },
      required: ['item', 'tags', 'size', 'code'],
    })
    const copy = z4copy.object({ name: z4copy.string(), n: z4copy.number().default(0) })
    expect(trigger('V4Copy').bodySchema).toEqual(z4.toJSONSchema(copy as unknown as z4.ZodType))
    expect(trigger('V4Copy').bodySchema).toMatchObject({
      properties: { name: { type: 'string' } },
      required: ['name', 'n'],
    })
  })
})

test('generate-types: zod 3 steps, topics and streams type like zod 4 ones', async () => {
  const { project, problems } = await inspectProject({ dir: DIR, modules: defaultModules({ listen: false }) })
  expect(problems).toEqual([])
  const text = generateTypes(project)
  const order = '{ id: string; qty: number; priority?: boolean }'
  // zod-to-json-schema describes the input side: `qty` has a default, so a body may leave it out.
  const body =
    "{ item: string; tags: Array<string>; size: 's' | 'm' | 'l' | number; note?: string; qty?: number; code: string }"
  expect(text.slice(text.indexOf("declare module 'motia'"))).toBe(
    [
      "declare module 'motia' {",
      '  interface FlowContextStateStreams {',
      '    orderFeed: MotiaStream<{ id: string; item: string; qty: number }>',
      '  }',
      '',
      '  interface TopicRegistry {',
      `    'order.placed': ${order}`,
      '  }',
      '',
      '  interface HandlersRegistry {',
      `    PlaceOrder: (input: ApiRequest<${body}>, ctx: FlowContext<EnqueueMessage<'order.placed', ${order}>>) => Promise<ApiResponse | void>`,
      `    RecordOrder: (input: ${order}, ctx: FlowContext<EnqueueMessage>) => Promise<void>`,
      '    V4Copy: (input: ApiRequest<{ name: string; n: number }>, ctx: FlowContext<EnqueueMessage>) => Promise<ApiResponse | void>',
      '  }',
      '}',
      '',
    ].join('\n'),
  )
})
