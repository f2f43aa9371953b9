import type { StreamConfig } from '../sdk/types'
import type { LoadProblem } from './errors'
import { schemaField } from './schema-field'
import type { StreamDefinition } from './step'
import type { StepFileRef } from './step-config'
import { describe } from './trigger-registry'

/** Reads a `*.stream.ts` file's exports: `config`, a default export, or a `new Stream(config)` instance. */
export function normalizeStream(
  exports: Record<string, unknown>,
  ref: StepFileRef,
): { stream?: StreamDefinition; problems: LoadProblem[] } {
  const problems: LoadProblem[] = []
  const fromInstance = Object.values(exports).find(
    (v) => v && typeof v === 'object' && 'config' in v && typeof (v as { get?: unknown }).get === 'function',
  ) as { config: StreamConfig } | undefined
  const config = (exports.config ??
    (exports.default as { config?: unknown } | undefined)?.config ??
    exports.default ??
    fromInstance?.config) as Record<string, unknown> | undefined
  if (!config || typeof config !== 'object') {
    problems.push({
      file: ref.relFile,
      message: 'exports no stream `config` ({ name, schema, baseConfig })',
      code: 'E_STEP_CONFIG_INVALID',
    })
    return { problems }
  }
  if (typeof config.name !== 'string' || config.name.trim() === '') {
    problems.push({
      file: ref.relFile,
      field: 'name',
      message: `expected a non-empty stream name, got ${describe(config.name)}`,
      code: 'E_STEP_CONFIG_INVALID',
    })
  }
  for (const hook of ['canAccess', 'onJoin', 'onLeave'] as const) {
    if (config[hook] !== undefined && typeof config[hook] !== 'function') {
      problems.push({
        file: ref.relFile,
        field: hook,
        message: `expected a function, got ${describe(config[hook])}`,
        code: 'E_STEP_CONFIG_INVALID',
      })
    }
  }
  const schema = schemaField(config, 'schema', { file: ref.relFile, field: '', index: 0 }, problems)
  if (problems.length > 0) return { problems }
  const stream: StreamDefinition = {
    name: (config.name as string).trim(),
    file: ref.file,
    relFile: ref.relFile,
    config: config as unknown as StreamConfig,
  }
  if (schema) stream.schema = schema
  return { stream, problems }
}
