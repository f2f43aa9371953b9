import type { EnqueueMessage } from '../sdk/types'
import type { CallOrigin } from './engine-client'
import { type LogTarget, StructuredLogger } from './logger'

/**
 * `emit({ type, data })`: Motia's first releases (before 2025-02-22, MotiaDev/motia#111) named
 * the topic `type`, in `emit` calls and in `emits: [{ type, label }]`. Published apps still do.
 * Every enqueue path accepts it when `topic` is absent; the engine thread, which every call
 * reaches whatever thread or language it came from, turns it into `{ topic }` and warns once
 * per step.
 */

/** The topic a message names: `topic`, else the earliest releases' `type`; undefined if neither is a non-empty string. */
export function enqueueTopic(message: unknown): string | undefined {
  if (!message || typeof message !== 'object') return undefined
  const { topic, type } = message as { topic?: unknown; type?: unknown }
  if (topic !== undefined) return typeof topic === 'string' && topic !== '' ? topic : undefined
  return typeof type === 'string' && type !== '' ? type : undefined
}

export class LegacyEnqueues {
  private readonly warned = new Set<string>()

  constructor(private readonly logs: LogTarget) {}

  /** `{ type, data, ... }` → `{ topic, data, ... }`, warning the first time a step sends one. */
  normalize(message: EnqueueMessage, origin: CallOrigin): EnqueueMessage {
    const { type, ...rest } = message as EnqueueMessage & { type?: string }
    if (rest.topic !== undefined || typeof type !== 'string') return message
    if (!this.warned.has(origin.step)) {
      this.warned.add(origin.step)
      new StructuredLogger(this.logs, { step: origin.step, traceId: origin.traceId }).warn(
        `step "${origin.step}" enqueued { type: "${type}", data }: "type" is what Motia's first releases called the topic; read as { topic: "${type}" } (rename it to topic)`,
      )
    }
    return { ...rest, topic: type }
  }
}
