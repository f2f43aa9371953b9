import type { TriggerType } from '../sdk/types'
import { type LoadProblem, MotiaError } from './errors'
import type { TriggerDef } from './step'

export interface TriggerLocation {
  /** Project-relative file, for messages. */
  file: string
  /** Field prefix of the trigger: `triggers[2]`, or `` for a 0.x top-level config. */
  field: string
  index: number
}

/** The trigger's defs (none: it consumes nothing, with a warning saying so), or why it is invalid. */
export type NormalizeResult<T extends TriggerDef = TriggerDef> =
  | { defs: T[]; warnings?: string[] }
  | { problems: LoadProblem[] }

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

/** `triggers[0]` + `path` → `triggers[0].path`; a 0.x top-level config has no prefix. */
export function fieldOf(at: TriggerLocation, key: string): string {
  return at.field ? `${at.field}.${key}` : key
}

export function problemAt(at: TriggerLocation, key: string, message: string): LoadProblem {
  return { file: at.file, field: fieldOf(at, key), message, code: 'E_STEP_CONFIG_INVALID' }
}

/** Describes a value in an error message: `"abc"`, `42`, `an array`, `undefined`. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing'
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'function') return 'a function'
  if (typeof v === 'object') return 'an object'
  return String(v)
}
