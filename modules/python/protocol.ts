/**
 * The protocol between the engine and its python processes (modules/python/sdk/motia/_runner.py
 * mirrors it): newline-delimited JSON, engine → python on the child's stdin, python → engine on
 * the fd that was its stdout (user output is moved off it before any step is imported). The
 * engine puts the frames it writes together in one JSON array (one parse in Python); Python
 * writes a line per frame, one of them not JSON (JsonReply below). Two
 * string-tagged unions, like the Bun workers' (modules/queue/pool/protocol.ts), whose outcome
 * and call shapes it shares. Bytes travel as base64 strings.
 */
import type { RemoteHttpCall } from '../../runtime/step'
import type { MetricPoint } from '../observability/metrics/otel-meter'
import type { CallReply, EngineCall, JobOutcome, JobSpec, LogMessage } from '../queue/pool/protocol'

export type InvocationKind = 'http' | 'queue' | 'cron' | 'state' | 'stream'

/** The HTTP request as a python handler sees it (`MotiaHttpArgs`): the route's plain data and the body. */
export interface HttpInput extends Pick<RemoteHttpCall, 'method' | 'pathParams' | 'queryParams' | 'headers'> {
  /** The parsed body when it is plain data (JSON, text, a form); null for bytes. */
  body: unknown
  /** The raw request bytes, base64 (`request_body`); absent when empty. */
  rawBody?: string
}

/** A handler's returned response. Exactly one of body (JSON), bodyText, bodyBytes (base64), or none. */
export interface HttpReply {
  status: number
  /** Absent: none of the handler's own. */
  headers?: Record<string, string>
  body?: unknown
  bodyText?: string
  bodyBytes?: string
}

/** A worker job (modules/queue/pool/protocol.ts), and which kind of trigger it is. */
export interface Invocation extends JobSpec {
  kind: InvocationKind
}

/** What the HTTP module hands the pool for one request (sent as an HttpInvokeFrame). */
export interface HttpInvocation extends Pick<RemoteHttpCall, 'step' | 'triggerIndex' | 'traceId' | 'spanId'> {
  file: string
  input: HttpInput
}

/** A background outcome, or an HTTP one that may carry the returned response. */
export type InvocationOutcome = JobOutcome | { status: 'ok'; response?: HttpReply } | { status: 'ok'; json: JsonReply }

/**
 * An HTTP invocation answered with a JSON body and no headers of its own. On the wire it is not
 * a JSON frame but the line `R<id> <status> <body JSON>` (the reader hands it straight to the
 * pool, python-process.ts): the body Python serialised becomes the response body as it is,
 * never parsed and serialised again.
 */
export interface JsonReply {
  status: number
  json: string
}

export interface FileError {
  message: string
  /** Line in the file, when Python knows it (a syntax error, the frame that raised). */
  line?: number
}

/**
 * An HTTP invocation, the hot path, as a tuple: positional fields parse in a third of the time
 * of the keyed frame in Python, and what Python answers most (`["r", ...]`) likewise.
 */
export type HttpInvokeFrame = [
  tag: 'h',
  id: number,
  file: string,
  triggerIndex: number,
  traceId: string,
  spanId: string | null,
  method: string,
  pathParams: HttpInput['pathParams'],
  queryParams: HttpInput['queryParams'],
  headers: HttpInput['headers'],
  /** As HttpInput.body. */
  body: unknown,
  /** As HttpInput.rawBody; null when the request had no body. */
  rawBody: string | null,
]

export type EngineToPython =
  | { type: 'load'; files: string[]; streamFiles: string[] }
  /** A background invocation (queue, cron, state, stream). */
  | ({ type: 'invoke' } & Invocation)
  | HttpInvokeFrame
  | CallReply

export type PythonToEngine =
  | { type: 'ready'; pid: number }
  | {
      type: 'loaded'
      /** Each step file: its config as JSON (camelCase, schemas as JSON Schema), or why it failed. */
      steps: ({ file: string; config: Record<string, unknown> } | { file: string; error: FileError })[]
      /** `*_stream.py` files: the stream name each declares. */
      streams: ({ file: string; name: string } | { file: string; error: FileError })[]
      /** Stream names the Python code uses (`Stream("x")`, `ctx.streams.x`). */
      streamNames: string[]
      python: string
    }
  | { type: 'done'; id: number; outcome: InvocationOutcome }
  /** The 1.x streamed response of an HTTP invocation: `response.status()`, `headers()`, `stream.write()`, `close()`. */
  | { type: 'http'; id: number; op: 'status'; status: number }
  | { type: 'http'; id: number; op: 'headers'; headers: Record<string, string> }
  | { type: 'http'; id: number; op: 'write'; bytes: string }
  | { type: 'http'; id: number; op: 'close' }
  | EngineCall
  | LogMessage
  /** Measurements from `motia.metrics` (sdk/motia/metrics.py), summed per series, at most one frame per 0.5 s. */
  | { type: 'metrics'; points: MetricPoint[] }

export type HttpFrame = Extract<PythonToEngine, { type: 'http' }>
