import { z } from 'zod'
import type { StepSchemaInput } from '../sdk/types'

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

export function isZodSchema(v: unknown): v is z.ZodType {
  return typeof v === 'object' && v !== null && '_zod' in v && typeof (v as z.ZodType).safeParse === 'function'
}

export function isSchemaInput(v: unknown): v is StepSchemaInput {
  return isZodSchema(v) || (typeof v === 'object' && v !== null && !Array.isArray(v))
}

/** Throws with a readable message when a JSON Schema cannot be understood. */
export function compileSchema(input: StepSchemaInput): CompiledSchema {
  const schema = isZodSchema(input) ? input : z.fromJSONSchema(input as Parameters<typeof z.fromJSONSchema>[0])
  let json: Record<string, unknown> | undefined
  return {
    validate(value) {
      const r = schema.safeParse(value)
      if (r.success) return { ok: true, value: r.data }
      return { ok: false, issues: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) }
    },
    jsonSchema() {
      if (!json) {
        json = isZodSchema(input)
          ? (z.toJSONSchema(input, { unrepresentable: 'any' }) as Record<string, unknown>)
          : (input as Record<string, unknown>)
      }
      return json
    },
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`
    else out += out ? `.${String(p)}` : String(p)
  }
  return out
}
