import type { TriggerType } from '../sdk/types'
import { type LoadProblem, MotiaError } from './errors'
import type { TriggerDef } from './step'

export interface TriggerLocation {
  /** Project-relative file, for messages. */
  file: string
  /** e.g. `triggers[2]` */
  field: string
  index: number
}

export type NormalizeResult<T extends TriggerDef = TriggerDef> = { defs: T[] } | { problems: LoadProblem[] }

/** A trigger kind a module serves: how to validate and normalise its config. */
export interface TriggerKind<T extends TriggerDef = TriggerDef> {
  type: TriggerType
  /** Other `type` values accepted for this kind (e.g. `api` for `http`, `event` for `queue`). */
  aliases?: readonly string[]
  /** One raw trigger may yield several defs (`event` with many `subscribes`). */
  normalize(raw: Record<string, unknown>, at: TriggerLocation): NormalizeResult<T>
}

export class TriggerRegistry {
  private readonly byName = new Map<string, TriggerKind>()

  register(kind: TriggerKind<any>): void {
    for (const name of [kind.type, ...(kind.aliases ?? [])]) {
      if (this.byName.has(name)) {
        throw new MotiaError('E_TRIGGER_UNKNOWN', `trigger type "${name}" is registered twice`)
      }
      this.byName.set(name, kind)
    }
  }

  get(name: string): TriggerKind | undefined {
    return this.byName.get(name)
  }

  names(): string[] {
    return [...this.byName.keys()].sort()
  }
}
