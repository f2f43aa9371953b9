import type { StateTriggerDef } from '../../runtime/step'
import type { TriggerKind } from '../../runtime/trigger-registry'

/** `state`: runs after every state change its condition accepts. */
export const stateTriggerKind: TriggerKind<StateTriggerDef> = {
  type: 'state',
  normalize(_raw, at) {
    return { defs: [{ type: 'state', index: at.index }] }
  },
}
