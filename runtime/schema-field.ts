import type { StepSchemaInput } from '../sdk/types'
import type { LoadProblem } from './errors'
import { type CompiledSchema, compileSchema, isSchemaInput } from './schema'
import { describe, problemAt, type TriggerLocation } from './trigger-registry'

/** Compiles an optional schema field of a trigger, or reports why it cannot be used. */
export function schemaField(
  raw: Record<string, unknown>,
  key: string,
  at: TriggerLocation,
  problems: LoadProblem[],
): CompiledSchema | undefined {
  const v = raw[key]
  if (v === undefined || v === null) return undefined
  if (!isSchemaInput(v)) {
    problems.push(problemAt(at, key, `expected a zod schema or a JSON Schema object, got ${describe(v)}`))
    return undefined
  }
  try {
    return compileSchema(v as StepSchemaInput)
  } catch (err) {
    problems.push(problemAt(at, key, `is not a usable schema: ${(err as Error).message}`))
    return undefined
  }
}
