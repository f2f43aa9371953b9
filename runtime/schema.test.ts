import { describe, expect, test } from 'bun:test'
import { z } from 'zod'
import { zodToJsonSchema } from 'zod-to-json-schema'
import { z as z3 } from 'zod3'
import { z as z4copy } from 'zod3/v4'
import { jsonSchema } from '../sdk/index'
import type { StepSchemaInput } from '../sdk/types'
import { compileSchema, zodVersion } from './schema'

/** What zod-to-json-schema itself gives (it is typed against zod/v3's classes, not the zod3 copy's). */
const reference = (s: unknown) => zodToJsonSchema(s as Parameters<typeof zodToJsonSchema>[0])

// zod 3 comes from the `zod3` devDependency (zod@3.25), as a project's own zod would; `zod3/v4`
// is zod 4 from a copy other than the runtime's.
const compile = (s: unknown) => compileSchema(s as StepSchemaInput)

describe('zod 3 schemas', () => {
  // [kind, schema, a valid value, what it parses to, an invalid value, its issues]
  test.each([
    [
      'object',
      z3.object({ a: z3.string() }),
      { a: 'x', extra: 1 },
      { a: 'x' },
      {},
      [{ path: 'a', message: 'Required' }],
    ],
    [
      'array',
      z3.object({ list: z3.array(z3.number()) }),
      { list: [1, 2] },
      { list: [1, 2] },
      { list: [1, 'x'] },
      [{ path: 'list[1]', message: 'Expected number, received string' }],
    ],
    ['union', z3.union([z3.literal('a'), z3.number()]), 3, 3, 'b', [{ path: '', message: 'Invalid input' }]],
    [
      'optional',
      z3.object({ a: z3.object({ b: z3.string().optional() }) }),
      { a: {} },
      { a: {} },
      { a: { b: 1 } },
      [{ path: 'a.b', message: 'Expected string, received number' }],
    ],
    [
      'default',
      z3.object({ n: z3.number().default(7) }),
      {},
      { n: 7 },
      { n: 'x' },
      [{ path: 'n', message: 'Expected number, received string' }],
    ],
    [
      'transform',
      z3.string().transform((s) => s.length),
      'abc',
      3,
      5,
      [{ path: '', message: 'Expected string, received number' }],
    ],
  ])(
    '%s: a valid value is parsed, an invalid one gives { path, message } issues',
    (_, schema, ok, parsed, bad, issues) => {
      const compiled = compile(schema)
      expect([compiled.validate(ok), compiled.validate(bad)]).toEqual([
        { ok: true, value: parsed },
        { ok: false, issues },
      ])
    },
  )

  test('JSON Schema is what zod-to-json-schema gives', () => {
    const schema = z3.object({
      id: z3.string().uuid(),
      tags: z3.array(z3.string()),
      kind: z3.union([z3.enum(['a', 'b']), z3.number()]),
      note: z3.string().optional(),
      qty: z3.number().int().default(1),
    })
    const json = compile(schema).jsonSchema()
    expect(json).toEqual(reference(schema))
    expect(json).toMatchObject({ type: 'object', required: ['id', 'tags', 'kind'] })
  })

  test('a schema used twice is written out twice; only one inside itself is a $ref', () => {
    type Node = { name: string; children: Node[] }
    const node: z3.ZodType<Node> = z3.lazy(() => z3.object({ name: z3.string(), children: z3.array(node) }))
    const point = z3.object({ x: z3.number() })
    const json = compile(z3.object({ from: point, to: point, tree: node })).jsonSchema() as any
    expect(json.properties.to).toEqual(json.properties.from)
    expect(json.properties.to).toMatchObject({ properties: { x: { type: 'number' } } })
    expect(json.properties.tree.properties.children).toEqual({ type: 'array', items: { $ref: '#/properties/tree' } })
  })
})

test('zod 4 from another copy of zod (zod3/v4): validated by its own safeParse, converted by the runtime zod', () => {
  const schema = z4copy.object({ a: z4copy.string(), n: z4copy.number().default(1) })
  const compiled = compile(schema)
  expect([compiled.validate({ a: 'x' }), compiled.validate({ a: 2 })]).toEqual([
    { ok: true, value: { a: 'x', n: 1 } },
    { ok: false, issues: [{ path: 'a', message: 'Invalid input: expected string, received number' }] },
  ])
  const json = z.toJSONSchema(schema as unknown as z.ZodType)
  expect(json).toMatchObject({ properties: { a: { type: 'string' } }, required: ['a', 'n'] })
  // The SDK's `jsonSchema()` helper too (it used to know only the runtime's own zod classes).
  expect([compiled.jsonSchema(), jsonSchema(schema)]).toEqual([json, json])
})

test('which zod a schema comes from, told by shape', () => {
  expect([
    zodVersion(z.string()),
    zodVersion(z4copy.string()),
    zodVersion(z3.string()),
    zodVersion({ type: 'string' }),
    zodVersion({ _def: { typeName: 'ZodString' } }),
  ]).toEqual([4, 4, 3, undefined, undefined])
})

test("the SDK's jsonSchema(): zod 3 by zod-to-json-schema, JSON Schema as is", () => {
  const v3 = z3.object({ a: z3.string() })
  expect([jsonSchema(v3), jsonSchema({ type: 'string' })]).toEqual([reference(v3), { type: 'string' }])
})
