import { describe, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultModules } from '../cmd/default-modules'
import { inspectProject } from './inspect'
import { generateTypes, schemaToTs } from './type-gen'

const LEGACY = join(import.meta.dir, '..', 'test', 'types', 'fixtures', 'legacy')

describe('schemaToTs', () => {
  test.each([
    [{ type: 'string' }, 'string'],
    [{ type: 'integer' }, 'number'],
    [{ type: ['string', 'null'] }, 'string | null'],
    [{ enum: ['a', "it's"] }, "'a' | 'it\\'s'"],
    [{ const: 3 }, '3'],
    [{ type: 'array', items: { type: 'boolean' } }, 'Array<boolean>'],
    [{ type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] }, '[string, number]'],
    // draft 7 tuples, as zod-to-json-schema writes zod 3's
    [{ type: 'array', items: [{ type: 'string' }, { type: 'number' }] }, '[string, number]'],
    [{ type: 'array', items: [{ type: 'string' }], additionalItems: { type: 'null' } }, '[string, ...Array<null>]'],
    [
      { type: 'object', properties: { a: { type: 'string' }, 'b-c': { type: 'number' } }, required: ['a'] },
      "{ a: string; 'b-c'?: number }",
    ],
    [{ type: 'object', additionalProperties: { type: 'number' } }, 'Record<string, number>'],
    [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, 'string | number'],
    [
      { allOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { anyOf: [{ const: 1 }, { const: 2 }] }] },
      '{ a?: string } & (1 | 2)',
    ],
    [{ anyOf: [{ type: 'string' }, {}] }, 'unknown'],
    [{ $ref: '#/$defs/x' }, 'unknown'],
    [false, 'never'],
  ])('%j → %s', (schema, ts) => {
    expect(schemaToTs(schema)).toBe(ts)
  })
})

// The golden file is what test/types/tsconfig.json type-checks the fixture's handlers against
// (test/types/types.test.ts): regenerate it with UPDATE_GOLDEN=1 after changing the generator.
test('types.d.ts of a 0.x project: Handlers registry, emit unions from subscribers, typed streams', async () => {
  const { project, problems } = await inspectProject({ dir: LEGACY, modules: defaultModules({ listen: false }) })
  expect(problems).toEqual([])
  const text = generateTypes(project)
  const golden = join(LEGACY, 'types.d.ts')
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text)
  expect(text).toBe(readFileSync(golden, 'utf8'))
})
