/**
 * The Python SDK (`motia` for Python steps) as text embedded in the binary; written to
 * `<project>/.motia/python/` at start and put first on the python processes' path.
 * Generated list: keep it in step with sdk/motia/ (sdk-files.test.ts checks it).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import m__init__ from './sdk/motia/__init__.py' with { type: 'text' }
import m_bridge from './sdk/motia/_bridge.py' with { type: 'text' }
import m_context from './sdk/motia/_context.py' with { type: 'text' }
import m_enqueue from './sdk/motia/_enqueue.py' with { type: 'text' }
import m_http from './sdk/motia/_http.py' with { type: 'text' }
import m_inbox from './sdk/motia/_inbox.py' with { type: 'text' }
import m_invoke from './sdk/motia/_invoke.py' with { type: 'text' }
import m_loader from './sdk/motia/_loader.py' with { type: 'text' }
import m_logging from './sdk/motia/_logging.py' with { type: 'text' }
import m_model from './sdk/motia/_model.py' with { type: 'text' }
import m_placement from './sdk/motia/_placement.py' with { type: 'text' }
import m_runner from './sdk/motia/_runner.py' with { type: 'text' }
import m_transport from './sdk/motia/_transport.py' with { type: 'text' }
import m_wire from './sdk/motia/_wire.py' with { type: 'text' }
import m_errors from './sdk/motia/errors.py' with { type: 'text' }
import m_guards from './sdk/motia/guards.py' with { type: 'text' }
import m_iii from './sdk/motia/iii.py' with { type: 'text' }
import m_metrics from './sdk/motia/metrics.py' with { type: 'text' }
import m_multi_trigger from './sdk/motia/multi_trigger.py' with { type: 'text' }
import m_schema_utils from './sdk/motia/schema_utils.py' with { type: 'text' }
import m_state from './sdk/motia/state.py' with { type: 'text' }
import m_step from './sdk/motia/step.py' with { type: 'text' }
import m_streams from './sdk/motia/streams.py' with { type: 'text' }
import m_tracing from './sdk/motia/tracing.py' with { type: 'text' }
import m_triggers from './sdk/motia/triggers.py' with { type: 'text' }
import m_types from './sdk/motia/types.py' with { type: 'text' }
import m_types_stream from './sdk/motia/types_stream.py' with { type: 'text' }

export const SDK_FILES: Record<string, string> = {
  'motia/__init__.py': m__init__,
  'motia/_bridge.py': m_bridge,
  'motia/_context.py': m_context,
  'motia/_enqueue.py': m_enqueue,
  'motia/_http.py': m_http,
  'motia/_inbox.py': m_inbox,
  'motia/_invoke.py': m_invoke,
  'motia/_loader.py': m_loader,
  'motia/_logging.py': m_logging,
  'motia/_model.py': m_model,
  'motia/_placement.py': m_placement,
  'motia/_runner.py': m_runner,
  'motia/_transport.py': m_transport,
  'motia/_wire.py': m_wire,
  'motia/errors.py': m_errors,
  'motia/guards.py': m_guards,
  'motia/iii.py': m_iii,
  'motia/metrics.py': m_metrics,
  'motia/multi_trigger.py': m_multi_trigger,
  'motia/schema_utils.py': m_schema_utils,
  'motia/state.py': m_state,
  'motia/step.py': m_step,
  'motia/streams.py': m_streams,
  'motia/tracing.py': m_tracing,
  'motia/triggers.py': m_triggers,
  'motia/types.py': m_types,
  'motia/types_stream.py': m_types_stream,
}

/**
 * Writes the SDK under `<dir>/.motia/python/` (only files whose text changed, so several
 * processes on one project do not rewrite each other's) and returns that folder.
 */
export function writeSdk(dir: string): string {
  const root = join(dir, '.motia', 'python')
  for (const [rel, text] of Object.entries(SDK_FILES)) {
    const file = join(root, rel)
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue
    mkdirSync(dirname(file), { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, text)
    renameSync(tmp, file)
  }
  return root
}
