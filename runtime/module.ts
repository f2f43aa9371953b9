import type { MotiaConfig } from './config/schema'
import type { Engine } from './engine'
import type { LogHub, StructuredLogger } from './logger'
import type { ProjectConfig } from './project-config'
import type { Readiness, ReadinessReport } from './readiness'
import type { StepDefinition, StreamDefinition } from './step'
import type { ProjectCheck, StepSource } from './step-loader'
import type { TriggerKind } from './trigger-registry'

export type RunMode = 'dev' | 'start' | 'test'

export interface Project {
  readonly steps: readonly StepDefinition[]
  readonly streams: readonly StreamDefinition[]
}

/** What every module gets: one object, no process-wide singletons, so runtimes can coexist. */
export interface RuntimeServices {
  readonly dir: string
  readonly mode: RunMode
  readonly config: MotiaConfig
  readonly logs: LogHub
  /** Runtime-level logger (no step): start-up, warnings, errors outside handlers. */
  readonly log: StructuredLogger
  readonly engine: Engine
  project(): Project
  /** What `motia.config.ts` contributes (stream auth hooks, plugins); empty without one. */
  readonly projectConfig: ProjectConfig
  /** Extra values modules hand each other (e.g. the http module's server for streams). */
  readonly shared: Map<string, unknown>
  /** The runtime as a whole: draining (SIGTERM) and readiness, for health endpoints. */
  readonly lifecycle: RuntimeLifecycle
}

export interface RuntimeLifecycle {
  /** True from the first shutdown signal on: new work is refused, in-flight work finishes. */
  readonly draining: boolean
  /** Asks every module's `ready()`; not ok while draining. */
  readiness(): Promise<ReadinessReport>
}

/**
 * One concern of the runtime (http, state, queue, ...). Lifecycle: `setup` (all modules, in
 * dependency order) → `start` → `stop` (reverse order). Modules register the trigger kinds
 * they serve and cross-step checks, so adding a trigger kind never edits a central switch.
 */
export interface MotiaModule {
  readonly name: string
  readonly dependsOn?: readonly string[]
  readonly triggerKinds?: readonly TriggerKind<any>[]
  readonly checks?: readonly ProjectCheck[]
  /** Step files in another language this module runs (modules/python). */
  readonly stepSource?: StepSource
  setup?(rt: RuntimeServices): void | Promise<void>
  start?(): void | Promise<void>
  /** The set of steps or streams changed (dev reload). */
  projectChanged?(project: Project): void | Promise<void>
  /**
   * Readiness probe (`GET /__motia/ready`): can this module serve now? A module whose adapter
   * lives elsewhere (Redis) asks it (a ping); a throw counts as not ready.
   */
  ready?(): Promise<Readiness>
  /**
   * Graceful shutdown, before `stop`: take no new work, finish what is in flight until
   * `deadline` (epoch ms), then hand back what is unfinished (a queue releases its messages).
   * Every module drains at once; `stop` follows.
   */
  drain?(deadline: number): Promise<void>
  stop?(): void | Promise<void>
}

/** Orders modules so each comes after the modules it depends on; throws on cycles or unknowns. */
export function orderModules(modules: readonly MotiaModule[]): MotiaModule[] {
  const byName = new Map(modules.map((m) => [m.name, m]))
  const out: MotiaModule[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (m: MotiaModule, path: string[]) => {
    const s = state.get(m.name)
    if (s === 'done') return
    if (s === 'visiting') throw new Error(`module dependency cycle: ${[...path, m.name].join(' → ')}`)
    state.set(m.name, 'visiting')
    for (const dep of m.dependsOn ?? []) {
      const d = byName.get(dep)
      if (d) visit(d, [...path, m.name])
    }
    state.set(m.name, 'done')
    out.push(m)
  }
  for (const m of modules) visit(m, [])
  return out
}
