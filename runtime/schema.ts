import { z } from 'zod'
import type { StepSchemaInput, ZodSchemaLike } from '../sdk/types'
import { embeddedEntry } from './embedded-entries'

declare const MOTIA_SPLIT_ENTRIES: boolean | undefined

export interface SchemaIssue {
  path: string
  message: string
}

export type ValidationResult = { ok: true; value: unknown } | { ok: false; issues: SchemaIssue[] }

/** A step's schema, compiled once at load: zod as given, JSON Schema converted to zod. */
export interface CompiledSchema {
  validate(value: unknown): ValidationResult
  /** JSON Schema form, for the console, OpenAPI and generated types. */
  jsonSchema(): Record<string, unknown>
}

/** What `safeParse` returns in zod 3 and zod 4 alike. */
type SafeParseResult =
  | { success: true; data: unknown }
  | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } }

/**
 * A zod schema of either major version, from any copy of zod: the runtime's own (zod 4), the
 * `zod/v4` export of a project's zod 3.25 (both `_zod`), or the project's zod 3 (`_def`, no
 * `_zod`). Told apart by shape, not `instanceof`, since each copy has its own classes.
 */
export function zodVersion(v: unknown): 3 | 4 | undefined {
  if (typeof v !== 'object' || v === null || typeof (v as ZodSchemaLike).safeParse !== 'function') return undefined
  if ('_zod' in v) return 4
  // `_def.typeName` names zod 3's own types; a custom `ZodType` subclass may leave it out.
  const def = (v as { _def?: unknown })._def
  return typeof def === 'object' && def !== null ? 3 : undefined
}

export function isZodSchema(v: unknown): v is ZodSchemaLike {
  return zodVersion(v) !== undefined
}

export function isSchemaInput(v: unknown): v is StepSchemaInput {
  return isZodSchema(v) || (typeof v === 'object' && v !== null && !Array.isArray(v))
}

/** Throws with a readable message when a JSON Schema cannot be understood. */
export function compileSchema(input: StepSchemaInput): CompiledSchema {
  const schema: ZodSchemaLike = isZodSchema(input)
    ? input
    : z.fromJSONSchema(input as Parameters<typeof z.fromJSONSchema>[0])
  let json: Record<string, unknown> | undefined
  return {
    validate(value) {
      const r = schema.safeParse(value) as SafeParseResult
      if (r.success) return { ok: true, value: r.data }
      return { ok: false, issues: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) }
    },
    jsonSchema() {
      json ??= toJsonSchema(input)
      return json
    },
  }
}

/** A step schema as JSON Schema: zod 4 by zod's own converter, zod 3 by `zod-to-json-schema`. */
export function toJsonSchema(input: StepSchemaInput): Record<string, unknown> {
  switch (zodVersion(input)) {
    case 4:
      return z.toJSONSchema(input as z.ZodType, { unrepresentable: 'any' }) as Record<string, unknown>
    case 3: {
      const { ignoreOverride, zodToJsonSchema } = zod3JsonSchema()
      return zodToJsonSchema(input as Parameters<typeof zodToJsonSchema>[0], {
        // Like zod 4's converter: a schema used twice is written out twice (the console and
        // generated types cannot follow `$ref`s); only a schema inside itself (z.lazy) is a $ref.
        $refStrategy: 'none',
        override: (_def, refs, seen) =>
          seen && seen.path.length < refs.currentPath.length && seen.path.every((p, i) => refs.currentPath[i] === p)
            ? { $ref: seen.path.join('/') }
            : ignoreOverride,
      }) as Record<string, unknown>
    }
    default:
      return input as Record<string, unknown>
  }
}

/**
 * Loaded on the first zod 3 schema, synchronously (conversions are). In a compiled binary it is
 * an entrypoint apart (build.ts): the define folds this test, so the bundle keeps no copy behind
 * `require('./zod3-json-schema')`.
 */
function zod3JsonSchema(): typeof import('./zod3-json-schema') {
  if (typeof MOTIA_SPLIT_ENTRIES === 'boolean') return require(embeddedEntry('runtime/zod3-json-schema'))
  else return require('./zod3-json-schema')
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`
    else out += out ? `.${String(p)}` : String(p)
  }
  return out
}
