import type { CallOrigin } from '../../runtime/engine-client'
import type { StructuredLogger } from '../../runtime/logger'
import type { StepDefinition, StreamTriggerDef } from '../../runtime/step'
import type { StreamTriggerInput } from '../../sdk/types'
import type { BackgroundRunner } from '../queue/runner'
import type { StreamChange } from './adapter'

interface Target {
  step: StepDefinition
  def: StreamTriggerDef
}

/**
 * Runs steps with `stream` triggers after each create / update / delete / event, in the
 * background runner (the queue module's worker pool), fire-and-forget: a slow or failing
 * handler never delays the write or the socket fan-out. Optional `groupId` / `itemId` filter;
 * the trigger's `condition` is evaluated by the runner.
 */
export class StreamTriggers {
  private byStream = new Map<string, Target[]>()
  private warnedNoRunner = false

  constructor(
    private readonly runner: () => BackgroundRunner | undefined,
    private readonly log: StructuredLogger,
  ) {}

  index(steps: readonly StepDefinition[]): void {
    const next = new Map<string, Target[]>()
    for (const step of steps) {
      if (!step.handler) continue
      for (const def of step.triggers) {
        if (def.type !== 'stream') continue
        let list = next.get(def.streamName)
        if (!list) {
          list = []
          next.set(def.streamName, list)
        }
        list.push({ step, def })
      }
    }
    this.byStream = next
  }

  fire(change: StreamChange, origin: CallOrigin): void {
    const targets = this.byStream.get(change.streamName)
    if (!targets) return
    for (const { step, def } of targets) {
      if (def.groupId !== undefined && def.groupId !== change.groupId) continue
      if (def.itemId !== undefined && def.itemId !== change.id) continue
      const runner = this.runner()
      if (!runner) {
        if (!this.warnedNoRunner) {
          this.warnedNoRunner = true
          this.log.warn('streams: stream triggers cannot run: no background runner (queue module) in this runtime')
        }
        return
      }
      const input: StreamTriggerInput = {
        type: 'stream',
        timestamp: change.timestamp,
        streamName: change.streamName,
        groupId: change.groupId,
        event: change.event as StreamTriggerInput['event'],
      }
      if (change.id !== undefined) input.id = change.id
      const cause = origin.spanId ? { parentSpanId: origin.spanId } : {}
      runner.run({ step, def, input, traceId: origin.traceId, attempt: 1, ...cause }).then(
        (outcome) => {
          if (outcome.status === 'error') {
            this.log.error(`stream trigger of step "${step.name}" failed: ${outcome.error.message}`, {
              step: step.name,
              streamName: change.streamName,
              error: outcome.error,
            })
          }
        },
        (err) => this.log.error(`stream trigger of step "${step.name}" could not run`, { error: err }),
      )
    }
  }
}
