import type { Project } from './module'
import type { StepDefinition, TriggerDef } from './step'

/** A serialisable description of a project: what `motia build` writes and the console draws. */
export interface ProjectManifest {
  motia: string
  steps: {
    name: string
    file: string
    /** From the file's extension: the console shows it as a badge. */
    language: StepLanguage
    description?: string
    flows: readonly string[]
    triggers: Record<string, unknown>[]
    enqueues: { topic: string; label?: string; conditional?: boolean }[]
    virtualEnqueues: string[]
    virtualSubscribes: readonly string[]
  }[]
  streams: { name: string; file: string; schema?: Record<string, unknown> }[]
  topics: Record<string, { producers: string[]; consumers: string[] }>
  flows: Record<string, string[]>
}

export type StepLanguage = 'typescript' | 'javascript' | 'python'

/** `.py` → python, `.js`/`.mjs`/`.cjs` → javascript, anything else (`.ts`, `.mts`) → typescript. */
export function stepLanguage(file: string): StepLanguage {
  if (file.endsWith('.py')) return 'python'
  if (/\.[mc]?js$/.test(file)) return 'javascript'
  return 'typescript'
}

function trigger(def: TriggerDef): Record<string, unknown> {
  switch (def.type) {
    case 'http': {
      const out: Record<string, unknown> = { type: 'http', method: def.method, path: def.path }
      if (def.bodySchema) out.bodySchema = def.bodySchema.jsonSchema()
      if (def.responseSchema) {
        out.responseSchema = Object.fromEntries([...def.responseSchema].map(([status, s]) => [status, s.jsonSchema()]))
      }
      if (def.queryParams.length) out.queryParams = def.queryParams
      return out
    }
    case 'queue':
      return {
        type: 'queue',
        topic: def.topic,
        ...(def.input ? { input: def.input.jsonSchema() } : {}),
        config: def.queueConfig,
      }
    case 'cron':
      return { type: 'cron', expression: def.expression, ...(def.timezone ? { timezone: def.timezone } : {}) }
    case 'stream':
      return { type: 'stream', streamName: def.streamName, ...(def.groupId ? { groupId: def.groupId } : {}) }
    default:
      return { type: def.type }
  }
}

export function projectManifest(project: Project, version: string): ProjectManifest {
  const topics: ProjectManifest['topics'] = {}
  const topic = (t: string) => {
    topics[t] ??= { producers: [], consumers: [] }
    return topics[t]
  }
  const flows: ProjectManifest['flows'] = {}
  const steps = [...project.steps].sort((a, b) => a.name.localeCompare(b.name))
  for (const s of steps) {
    for (const e of [...s.enqueues, ...s.virtualEnqueues]) topic(e.topic).producers.push(s.name)
    for (const d of s.triggers) if (d.type === 'queue') topic(d.topic).consumers.push(s.name)
    for (const t of s.virtualSubscribes) topic(t).consumers.push(s.name)
    for (const f of s.flows) {
      flows[f] ??= []
      flows[f].push(s.name)
    }
  }
  return {
    motia: version,
    steps: steps.map((s: StepDefinition) => ({
      name: s.name,
      file: s.relFile,
      language: stepLanguage(s.relFile),
      ...(s.description ? { description: s.description } : {}),
      flows: s.flows,
      triggers: s.triggers.map(trigger),
      enqueues: s.enqueues.map((e) => ({ ...e })),
      virtualEnqueues: s.virtualEnqueues.map((e) => e.topic),
      virtualSubscribes: s.virtualSubscribes,
    })),
    streams: [...project.streams]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => ({ name: s.name, file: s.relFile, ...(s.schema ? { schema: s.schema.jsonSchema() } : {}) })),
    topics: Object.fromEntries(Object.entries(topics).sort(([a], [b]) => a.localeCompare(b))),
    flows,
  }
}
