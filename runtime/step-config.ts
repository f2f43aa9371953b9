import type { InfrastructureConfig, QueueConfig } from '../sdk/types'
import type { LoadProblem } from './errors'
import { enqueueTopic } from './legacy-enqueue'
import type { EnqueueDef, StepDefinition, StepGeneration, StepHandlerFn, TriggerDef } from './step'
import { describe, type TriggerRegistry } from './trigger-registry'

export interface StepFileRef {
  file: string
  relFile: string
}

export interface NormalizedStep {
  step?: StepDefinition
  problems: LoadProblem[]
  warnings: string[]
}

const COMMON_KEYS = [
  'name',
  'description',
  'flows',
  'virtualEnqueues',
  'virtualEmits',
  'virtualSubscribes',
  'includeFiles',
  'infrastructure',
]
const TRIGGERS_KEYS = new Set([...COMMON_KEYS, 'triggers', 'enqueues', 'emits'])
const LEGACY_KEYS: Record<string, readonly string[]> = {
  api: ['type', 'path', 'method', 'emits', 'bodySchema', 'responseSchema', 'queryParams', 'middleware'],
  event: ['type', 'subscribes', 'emits', 'input'],
  cron: ['type', 'cron', 'emits'],
  noop: ['type'],
}

/**
 * Turns what a step file exports into a StepDefinition, accepting the three config generations
 * of STEP-API.md. Every problem names the file and field; unknown keys are warnings.
 */
export function normalizeStep(
  exports: Record<string, unknown>,
  ref: StepFileRef,
  registry: TriggerRegistry,
  validateHandler = true,
): NormalizedStep {
  const problems: LoadProblem[] = []
  const warnings: string[] = []
  const problem = (field: string | undefined, message: string) =>
    problems.push({ file: ref.relFile, ...(field ? { field } : {}), message, code: 'E_STEP_CONFIG_INVALID' })

  const fallback = exports.default as Record<string, unknown> | undefined
  const config = (exports.config ?? fallback?.config) as Record<string, unknown> | undefined
  const handler = (exports.handler ?? fallback?.handler) as StepHandlerFn | undefined
  if (!config || typeof config !== 'object') {
    problem(undefined, 'exports no `config` object (export `config` and `handler`, or a default `{ config, handler }`)')
    return { problems, warnings }
  }
  if (typeof config.name !== 'string' || config.name.trim() === '') {
    problem('name', `expected a non-empty step name, got ${describe(config.name)}`)
  }

  let generation: StepGeneration
  let rawTriggers: { raw: Record<string, unknown>; field: string; index: number }[] = []
  let knownKeys: Set<string>
  if (Array.isArray(config.triggers)) {
    generation = 'triggers'
    knownKeys = TRIGGERS_KEYS
    config.triggers.forEach((t, index) => {
      const field = `triggers[${index}]`
      if (!t || typeof t !== 'object' || typeof (t as { type?: unknown }).type !== 'string') {
        problem(field, `expected a trigger object with a "type", got ${describe(t)}`)
      } else rawTriggers.push({ raw: t as Record<string, unknown>, field, index })
    })
  } else if (typeof config.type === 'string') {
    generation = 'legacy'
    const keys = LEGACY_KEYS[config.type]
    if (!keys) {
      problem(
        'type',
        `expected "api", "event", "cron" or "noop" (or a \`triggers\` array), got ${describe(config.type)}`,
      )
      return { problems, warnings }
    }
    knownKeys = new Set([...COMMON_KEYS, ...keys])
    rawTriggers = config.type === 'noop' ? [] : [{ raw: legacyTrigger(config), field: '', index: 0 }]
  } else {
    problem('triggers', 'expected a `triggers` array (or a 0.x top-level `type`)')
    return { problems, warnings }
  }

  for (const key of Object.keys(config)) {
    if (!knownKeys.has(key)) warnings.push(`${ref.relFile}: config.${key} is not a known step config key; ignored`)
  }

  const triggers: TriggerDef[] = []
  for (const { raw, field, index } of rawTriggers) {
    const kind = registry.get(raw.type as string)
    if (!kind) {
      problem(
        `${field ? `${field}.` : ''}type`,
        `unknown trigger type ${describe(raw.type)} (expected one of: ${registry.names().join(', ')})`,
      )
      continue
    }
    if (raw.condition !== undefined && typeof raw.condition !== 'function') {
      problem(
        `${field ? `${field}.` : ''}condition`,
        `expected a function (input, ctx) => boolean, got ${describe(raw.condition)}`,
      )
      continue
    }
    const result = kind.normalize(raw, { file: ref.relFile, field, index })
    if ('problems' in result) {
      problems.push(...result.problems)
      continue
    }
    if (result.warnings) warnings.push(...result.warnings)
    for (const def of result.defs) {
      if (typeof raw.condition === 'function') def.condition = raw.condition as TriggerDef['condition']
      triggers.push(def)
    }
  }

  const legacyType = (field: string) =>
    warnings.push(
      `${ref.relFile}: ${field} names topics as { type } (Motia's first releases); read as { topic }, rename it`,
    )
  const enqueues = topicList(
    config.enqueues ?? config.emits,
    config.enqueues ? 'enqueues' : 'emits',
    problem,
    legacyType,
  )
  const virtualEnqueues = topicList(
    config.virtualEnqueues ?? config.virtualEmits,
    config.virtualEnqueues ? 'virtualEnqueues' : 'virtualEmits',
    problem,
    legacyType,
  )
  const virtualSubscribes = stringList(config.virtualSubscribes, 'virtualSubscribes', problem)
  const flows = stringList(config.flows, 'flows', problem)
  const infra = infrastructure(config.infrastructure, problem)

  const runs = triggers.length > 0
  if (validateHandler && runs && typeof handler !== 'function') {
    problem('handler', `expected an exported handler function, got ${describe(handler)}`)
  }
  if (problems.length > 0) return { problems, warnings }

  const step: StepDefinition = {
    name: (config.name as string).trim(),
    file: ref.file,
    relFile: ref.relFile,
    generation,
    flows,
    triggers,
    enqueues,
    virtualEnqueues,
    virtualSubscribes,
    config,
  }
  if (typeof config.description === 'string') step.description = config.description
  if (infra.timeoutMs !== undefined) step.handlerTimeoutMs = infra.timeoutMs
  if (infra.queue) step.queueConfig = infra.queue
  if (runs && typeof handler === 'function') step.handler = handler
  return { step, problems, warnings }
}

function legacyTrigger(config: Record<string, unknown>): Record<string, unknown> {
  switch (config.type) {
    case 'api':
      return {
        type: 'http',
        method: config.method,
        path: config.path,
        bodySchema: config.bodySchema,
        responseSchema: config.responseSchema,
        queryParams: config.queryParams,
        middleware: config.middleware,
      }
    case 'event':
      return { type: 'event', subscribes: config.subscribes, input: config.input }
    default:
      return { type: 'cron', cron: config.cron }
  }
}

type Problem = (field: string | undefined, message: string) => void

/** `emits: ['a', { topic: 'b', label, conditional }]`; the first releases wrote `{ type: 'b', ... }`. */
function topicList(v: unknown, field: string, problem: Problem, legacyType: (field: string) => void): EnqueueDef[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) {
    problem(field, `expected an array of topics, got ${describe(v)}`)
    return []
  }
  const out: EnqueueDef[] = []
  let warned = false
  v.forEach((e, i) => {
    const topic = typeof e === 'string' ? e || undefined : enqueueTopic(e)
    if (topic === undefined) {
      problem(`${field}[${i}]`, `expected a topic name or { topic, label?, conditional? }, got ${describe(e)}`)
    } else if (typeof e === 'string') out.push({ topic })
    else {
      const { label, conditional } = e as EnqueueDef
      if ((e as { topic?: unknown }).topic === undefined && !warned) {
        warned = true
        legacyType(field)
      }
      out.push({
        topic,
        ...(typeof label === 'string' ? { label } : {}),
        ...(conditional ? { conditional: true } : {}),
      })
    }
  })
  return out
}

function stringList(v: unknown, field: string, problem: Problem): string[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    problem(field, `expected an array of strings, got ${describe(v)}`)
    return []
  }
  return v as string[]
}

function infrastructure(v: unknown, problem: Problem): { timeoutMs?: number; queue?: Partial<QueueConfig> } {
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object') {
    problem('infrastructure', `expected an object, got ${describe(v)}`)
    return {}
  }
  const infra = v as InfrastructureConfig
  const out: { timeoutMs?: number; queue?: Partial<QueueConfig> } = {}
  const timeout = infra.handler?.timeout
  if (timeout !== undefined) {
    if (typeof timeout !== 'number' || !(timeout > 0)) {
      problem('infrastructure.handler.timeout', `expected a positive number of seconds, got ${describe(timeout)}`)
    } else out.timeoutMs = timeout * 1000
  }
  if (infra.queue !== undefined) out.queue = infra.queue
  return out
}
