/**
 * iii's worker protocol (MotiaDev/motia `engine/src/protocol.rs`, the SDKs' `iii-types.ts`):
 * JSON text frames over a WebSocket, tagged by `type` (lower-case message names). Both
 * directions use the same union; which side sends what is noted per message.
 */

/** iii's error body: `code` is one of iii's snake_case codes (`function_not_found`, `timeout`, ...). */
export interface ErrorBody {
  code: string
  message: string
  stacktrace?: string
}

/** How an invocation is routed: through a named queue (answered with a receipt), or fire-and-forget. */
export type TriggerAction = { type: 'enqueue'; queue: string } | { type: 'void' }

/** An HTTP-invoked function (`invocation: { url, ... }` on RegisterFunction). */
export interface HttpInvocationRef {
  url: string
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  timeout_ms?: number
  headers?: Record<string, string>
  auth?:
    | { type: 'hmac'; secret_key: string }
    | { type: 'bearer'; token_key: string }
    | {
        type: 'api_key'
        header: string
        value_key: string
      }
}

export type Message =
  /** worker → engine */
  | { type: 'registertriggertype'; id: string; description?: string }
  | { type: 'unregistertriggertype'; id: string }
  /** both ways: a worker binds a function to a trigger type; the engine asks a worker that owns a trigger type. */
  | { type: 'registertrigger'; id: string; trigger_type: string; function_id: string; config: unknown }
  | { type: 'unregistertrigger'; id: string; trigger_type?: string }
  | { type: 'triggerregistrationresult'; id: string; trigger_type: string; function_id: string; error?: ErrorBody }
  /** worker → engine */
  | {
      type: 'registerfunction'
      id: string
      description?: string
      request_format?: unknown
      response_format?: unknown
      metadata?: Record<string, unknown>
      invocation?: HttpInvocationRef
    }
  | { type: 'unregisterfunction'; id: string }
  /** both ways. No `invocation_id`: nothing is answered. */
  | {
      type: 'invokefunction'
      invocation_id?: string | null
      function_id: string
      data: unknown
      traceparent?: string
      baggage?: string
      action?: TriggerAction
    }
  /** both ways: the answer to an invokefunction with an `invocation_id`. */
  | {
      type: 'invocationresult'
      invocation_id: string
      function_id: string
      result?: unknown
      error?: ErrorBody
      traceparent?: string
      baggage?: string
    }
  | { type: 'registerservice'; id: string; name?: string; description?: string; parent_service_id?: string }
  | { type: 'ping' }
  | { type: 'pong' }
  /** engine → worker, first frame after the handshake. */
  | { type: 'workerregistered'; worker_id: string }

export type MessageType = Message['type']
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>

const TYPES: ReadonlySet<string> = new Set<MessageType>([
  'registertriggertype',
  'unregistertriggertype',
  'registertrigger',
  'unregistertrigger',
  'triggerregistrationresult',
  'registerfunction',
  'unregisterfunction',
  'invokefunction',
  'invocationresult',
  'registerservice',
  'ping',
  'pong',
  'workerregistered',
])

/** Fields each message needs as strings; what is checked before a frame is acted on. */
const REQUIRED: Partial<Record<MessageType, readonly string[]>> = {
  registertriggertype: ['id'],
  unregistertriggertype: ['id'],
  registertrigger: ['id', 'trigger_type', 'function_id'],
  unregistertrigger: ['id'],
  registerfunction: ['id'],
  unregisterfunction: ['id'],
  invokefunction: ['function_id'],
  invocationresult: ['invocation_id'],
  registerservice: ['id'],
}

/** Parses one text frame; a string is why it is not a message (said back to the worker, never thrown). */
export function parseMessage(text: string): Message | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return `not JSON: ${(err as Error).message}`
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object'
  const m = value as Record<string, unknown>
  if (typeof m.type !== 'string') return 'expected a string "type" field'
  if (!TYPES.has(m.type)) return `unknown message type "${m.type}"`
  for (const field of REQUIRED[m.type as MessageType] ?? []) {
    if (typeof m[field] !== 'string' || m[field] === '') {
      return `${m.type}: expected a non-empty string "${field}"`
    }
  }
  return m as unknown as Message
}

export function errorBody(code: string, message: string): ErrorBody {
  return { code, message }
}
