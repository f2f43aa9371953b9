import type { StateService } from '../../runtime/engine'
import type { CallOrigin, StateOp } from '../../runtime/engine-client'
import { MotiaError } from '../../runtime/errors'
import type { MotiaModule, Project, RuntimeServices } from '../../runtime/module'
import { probe } from '../../runtime/readiness'
import type { StepDefinition, TriggerDef } from '../../runtime/step'
import type { StateTriggerInput, UpdateOp } from '../../sdk/types'
import { type BackgroundRunner, RUNNER_KEY } from '../queue/runner'
import { sharedSqlite } from '../storage/storage-module'
import type { StateAdapter, StateWriteResult } from './adapter'
import { MemoryStateAdapter } from './adapters/memory'
import { SqliteStateAdapter } from './adapters/sqlite'
import { stateTriggerKind } from './trigger-kind'

/** A state change, as state triggers receive it (both namings: see STEP-API.md). */
export type StateChange = StateTriggerInput & { origin: CallOrigin }
export type StateChangeListener = (change: StateChange) => void

/** What other modules get from `shared.get('state')`. */
export interface StateModuleApi {
  adapter: StateAdapter
  onChange(listener: StateChangeListener): () => void
}

export function createStateAdapter(rt: RuntimeServices): StateAdapter | Promise<StateAdapter> {
  const kind = rt.config.state.adapter
  if (kind === 'memory') return new MemoryStateAdapter()
  if (kind === 'sqlite') return new SqliteStateAdapter(sharedSqlite(rt))
  // ioredis loads only when configured (queue-module.ts says why).
  if (kind === 'redis') return import('./adapters/redis').then((m) => m.RedisStateAdapter.connect(rt.config.redis))
  throw new MotiaError(
    'E_ADAPTER_UNKNOWN',
    `state.adapter "${kind}" is not available in this build (use sqlite, memory or redis)`,
  )
}

function stateTargets(project: Project): { step: StepDefinition; def: TriggerDef }[] {
  return project.steps.flatMap((step) =>
    step.triggers.filter((def) => def.type === 'state').map((def) => ({ step, def })),
  )
}

/** `ctx.state` / `stateManager` for every step, and the source of state-trigger events. */
export function stateModule(): MotiaModule {
  let adapter: StateAdapter
  let rt: RuntimeServices
  // Indexed when the project loads or reloads, not scanned on every state write.
  let targets: { step: StepDefinition; def: TriggerDef }[] = []
  const listeners = new Set<StateChangeListener>()

  const changed = (origin: CallOrigin, groupId: string, key: string, r: StateWriteResult, deleted = false) => {
    if (listeners.size === 0) return
    const change: StateChange = {
      type: 'state',
      event_type: deleted ? 'state:deleted' : r.old_value === null ? 'state:created' : 'state:updated',
      group_id: groupId,
      item_id: key,
      scope: groupId,
      key,
      old_value: r.old_value,
      new_value: r.new_value,
      origin,
    }
    for (const l of listeners) l(change)
  }

  const service: StateService = {
    async call(op: StateOp, args: readonly unknown[], origin: CallOrigin) {
      const [g, k, v] = args as [string, string, unknown]
      if (op !== 'listGroups' && typeof g !== 'string') {
        throw new MotiaError('E_STATE_OP_INVALID', `state.${op}: groupId must be a string, got ${typeof g}`)
      }
      if ((op === 'get' || op === 'set' || op === 'update' || op === 'delete') && typeof k !== 'string') {
        throw new MotiaError('E_STATE_OP_INVALID', `state.${op}: key must be a string, got ${typeof k}`)
      }
      switch (op) {
        case 'get':
          return adapter.get(g, k)
        case 'set': {
          const r = await adapter.set(g, k, v)
          changed(origin, g, k, r)
          return r
        }
        case 'update': {
          const r = await adapter.update(g, k, v as UpdateOp[])
          changed(origin, g, k, r)
          return r
        }
        case 'delete': {
          const old = await adapter.delete(g, k)
          if (old !== null) changed(origin, g, k, { old_value: old, new_value: null }, true)
          return old
        }
        case 'getGroup':
          return adapter.getGroup(g)
        case 'clear':
          return adapter.clear(g)
        case 'listGroups':
          return adapter.listGroups()
      }
    },
  }

  return {
    name: 'state',
    dependsOn: ['storage'],
    triggerKinds: [stateTriggerKind],
    async setup(services) {
      rt = services
      adapter = await createStateAdapter(rt)
      rt.engine.stateService = service
      const api: StateModuleApi = {
        adapter,
        onChange(l) {
          listeners.add(l)
          return () => listeners.delete(l)
        },
      }
      rt.shared.set('state', api)
    },
    start() {
      // State triggers: after every change, each step with a `state` trigger gets the change in
      // the worker pool (its condition is evaluated there). Not durable: a change made while
      // the process dies may not fire (documented in docs/queue.md).
      targets = stateTargets(rt.project())
      listeners.add((change) => {
        if (targets.length === 0) return
        const runner = rt.shared.get(RUNNER_KEY) as BackgroundRunner | undefined
        if (!runner) return
        const { origin, ...input } = change
        for (const { step, def } of targets) {
          const cause = origin.spanId ? { parentSpanId: origin.spanId } : {}
          const log = rt.log.child({ step: step.name, traceId: origin.traceId })
          void runner
            .run({ step, def, input, traceId: origin.traceId, attempt: 1, ...cause })
            .then((out) => {
              if (out.status === 'error')
                log.error(`state trigger handler failed: ${out.error.message}`, { error: out.error })
            })
            .catch((err) => log.error(`state trigger could not run: ${(err as Error).message}`, { error: err }))
        }
      })
    },
    projectChanged(project) {
      targets = stateTargets(project)
    },
    ready: () => probe(adapter),
    async stop() {
      listeners.clear()
      await adapter?.close()
    },
  }
}
