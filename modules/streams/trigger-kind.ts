import type { LoadProblem } from '../../runtime/errors'
import type { StreamTriggerDef } from '../../runtime/step'
import { describe, problemAt, type TriggerKind } from '../../runtime/trigger-registry'

/** `stream`: item created / updated / deleted in `streamName`, optionally one group or item. */
export const streamTriggerKind: TriggerKind<StreamTriggerDef> = {
  type: 'stream',
  normalize(raw, at) {
    const problems: LoadProblem[] = []
    if (typeof raw.streamName !== 'string' || raw.streamName === '') {
      problems.push(problemAt(at, 'streamName', `expected a stream name, got ${describe(raw.streamName)}`))
    }
    for (const key of ['groupId', 'itemId'] as const) {
      if (raw[key] !== undefined && typeof raw[key] !== 'string') {
        problems.push(problemAt(at, key, `expected a string, got ${describe(raw[key])}`))
      }
    }
    if (problems.length > 0) return { problems }
    const def: StreamTriggerDef = { type: 'stream', index: at.index, streamName: raw.streamName as string }
    if (typeof raw.groupId === 'string') def.groupId = raw.groupId
    if (typeof raw.itemId === 'string') def.itemId = raw.itemId
    return { defs: [def] }
  },
}
