import type { CallOrigin, EngineClient } from '../../runtime/engine-client'
import type { LogLevel, LogTarget } from '../../runtime/logger'
import type { StreamsModuleApi } from '../streams/streams-module'
import type { BridgeClient } from './bridge-client'
import type { IiiEngine } from './iii-engine'
import { registerStreamFunctions } from './streams'
import { InvocationError } from './worker-connection'

/** ctx calls made by workers are attributed to this "step" in logs and traces. */
const ORIGIN_STEP = 'iii-worker'

function text(data: Record<string, unknown>, field: string, fn: string): string {
  const v = data?.[field]
  if (typeof v !== 'string' || v === '') {
    throw new InvocationError({ code: 'invalid_payload', message: `${fn}: expected a non-empty string "${field}"` })
  }
  return v
}

function payload(data: unknown, fn: string): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvocationError({ code: 'invalid_payload', message: `${fn}: expected an object payload` })
  }
  return data as Record<string, unknown>
}

/** `null` becomes absent on the wire, as iii answers a missing item (the SDK sees `undefined`). */
const orAbsent = (v: unknown) => (v === null ? undefined : v)

/**
 * The engine functions workers call under iii's ids, served by the runtime's modules: state,
 * streams, logs, and the engine's own registry (`engine::functions::list`, ...).
 */
export function registerBuiltins(
  iii: IiiEngine,
  engine: EngineClient,
  logs: LogTarget,
  streams: StreamsModuleApi | undefined,
  bridge: { state?: BridgeClient; streams?: BridgeClient } = {},
): void {
  const origin = (traceparent?: string): CallOrigin => ({
    step: ORIGIN_STEP,
    traceId: traceparent?.split('-')[1] ?? crypto.randomUUID(),
  })
  const state = (fn: string, op: Parameters<EngineClient['state']>[0]) =>
    iii.builtin(fn, async (data, call) => {
      const p = op === 'listGroups' ? {} : payload(data, fn)
      const o = origin(call.traceparent)
      const scope = () => text(p, 'scope', fn)
      const key = () => text(p, 'key', fn)
      switch (op) {
        case 'set':
          return engine.state('set', [scope(), key(), p.value ?? p.data ?? null], o)
        case 'get':
          return orAbsent(await engine.state('get', [scope(), key()], o))
        case 'delete':
          return orAbsent(await engine.state('delete', [scope(), key()], o))
        case 'update':
          return engine.state('update', [scope(), key(), p.ops ?? []], o)
        case 'getGroup':
          return engine.state('getGroup', [scope()], o)
        default:
          return { groups: await engine.state('listGroups', [], o) }
      }
    })
  const stateOps = {
    'state::set': 'set',
    'state::get': 'get',
    'state::delete': 'delete',
    'state::update': 'update',
    'state::list': 'getGroup',
    'state::list_groups': 'listGroups',
  } as const
  for (const [fn, op] of Object.entries(stateOps)) {
    const remote = bridge.state
    if (remote) iii.builtin(fn, (data, call) => remote.invoke(fn, data, call.traceparent))
    else state(fn, op)
  }

  registerStreamFunctions(iii, engine, streams, origin, bridge.streams)

  for (const level of ['info', 'warn', 'error', 'debug'] as const satisfies readonly LogLevel[]) {
    iii.builtin(`engine::log::${level}`, (data, call) => {
      const p = (typeof data === 'object' && data !== null ? data : { message: String(data) }) as Record<
        string,
        unknown
      >
      const msg = typeof p.message === 'string' ? p.message : JSON.stringify(p.message ?? data)
      const { message: _m, ...fields } = p
      logs.emit({
        time: Date.now(),
        level,
        msg,
        step: call.worker?.metadata.name ?? ORIGIN_STEP,
        ...(call.traceparent ? { traceId: call.traceparent.split('-')[1] } : {}),
        fields,
      })
      return null
    })
  }

  iii.builtin('engine::functions::list', () => ({
    functions: [...iii.functions.values()].map((f) => ({
      function_id: f.id,
      ...(f.description ? { description: f.description } : {}),
      ...(f.request_format ? { request_format: f.request_format } : {}),
      ...(f.response_format ? { response_format: f.response_format } : {}),
      ...(f.metadata ? { metadata: f.metadata } : {}),
    })),
  }))
  iii.builtin('engine::workers::list', () => ({
    workers: [...iii.workers.values()].map((w) => ({
      id: w.id,
      ...w.metadata,
      ip_address: w.ip,
      status: w.activeInvocations > 0 ? 'busy' : 'connected',
      connected_at_ms: w.connectedAt,
      function_count: w.functions.size,
      functions: [...w.functions],
      active_invocations: w.activeInvocations,
    })),
  }))
  iii.builtin('engine::workers::register', (data, call) => {
    if (call.worker && typeof data === 'object' && data !== null) {
      const d = data as Record<string, unknown>
      call.worker.metadata = {
        ...(typeof d.runtime === 'string' ? { runtime: d.runtime } : {}),
        ...(typeof d.version === 'string' ? { version: d.version } : {}),
        ...(typeof d.name === 'string' ? { name: d.name } : {}),
        ...(typeof d.os === 'string' ? { os: d.os } : {}),
        ...(typeof d.pid === 'number' ? { pid: d.pid } : {}),
      }
    }
    return null
  })
  iii.builtin('engine::triggers::list', (data) => {
    const internal = typeof data === 'object' && data !== null && (data as Record<string, unknown>).include_internal
    return {
      triggers: [...iii.triggers.values()]
        .filter((t) => internal || !t.trigger_type.startsWith('engine::'))
        .map((t) => ({ id: t.id, trigger_type: t.trigger_type, function_id: t.function_id, config: t.config })),
    }
  })
}
