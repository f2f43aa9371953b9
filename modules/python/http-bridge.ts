import type { StepContext } from '../../runtime/context'
import { MotiaError } from '../../runtime/errors'
import type { HttpTriggerDef } from '../../runtime/step'
import type { ApiResponse, ResponseWriter } from '../../sdk/types'
import type { HttpRequest } from '../http/http-request'
import { ERROR_CODE_HEADER, JSON_TYPE } from '../http/respond'
import { InvalidResponse } from '../http/response-check'
import type { HttpFrame, HttpInput, HttpInvocation, HttpReply, InvocationOutcome } from './protocol'
import type { PythonPool } from './python-pool'

const NULL_BODY = new Set([204, 205, 304])

/**
 * Serves one HTTP request with a Python handler: the request goes to the pool as plain data;
 * the answer comes back as a returned response or as streamed frames written to the request's
 * 1.x `response` writer. What is returned is what a TS handler returns, so the HTTP module
 * treats both alike (validation, timeout, 500 bodies, spans).
 */
export function invokeHttp(
  pool: PythonPool,
  file: string,
  ctx: StepContext,
  req: HttpRequest,
  timeoutMs: number,
): Promise<ApiResponse | undefined> {
  // The request's bytes are in memory already: the request goes out in this turn.
  const bytes = req.bytes
  const checked = (ctx.step.triggers[ctx.trigger.index] as HttpTriggerDef | undefined)?.responseSchema !== undefined
  const input: HttpInput = {
    method: req.method,
    pathParams: req.pathParams,
    queryParams: req.queryParams,
    headers: req.headers,
    body: bytes.byteLength === 0 ? null : plainBody(req.body),
  }
  if (bytes.byteLength > 0)
    input.rawBody = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  const call = {
    file,
    step: ctx.step.name,
    triggerIndex: ctx.trigger.index,
    input,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
  }
  return new Promise((resolve, reject) => {
    callHttp(
      pool,
      call,
      timeoutMs,
      checked,
      (result, error) => (error ? reject(error) : resolve(result)),
      () => req.response,
    )
  })
}

/**
 * The request to the pool and its answer back: the handler's response, or its error (what
 * Python raised, E_HANDLER_TIMEOUT, the process dying); `writer()` makes the writer of a
 * streamed answer when its first frame arrives. `checked`: the body is parsed for a
 * responseSchema check rather than passed on as the JSON Python wrote. `json` (when given and
 * nothing streamed) takes a JSON answer with no headers of the handler's own, as Python wrote it.
 */
export function callHttp(
  pool: PythonPool,
  call: HttpInvocation,
  timeoutMs: number,
  checked: boolean,
  done: (result: ApiResponse | undefined, error?: Error) => void,
  writerFor: () => ResponseWriter,
  json?: (status: number, body: string) => void,
): void {
  let writer: ResponseWriter | undefined
  /** The streamed answer was refused (a header HTTP cannot carry): answered, later frames dropped. */
  let refused = false
  const onHttp = (frame: HttpFrame) => {
    if (refused) return
    writer ??= writerFor()
    try {
      switch (frame.op) {
        case 'status':
          writer.status(frame.status)
          return
        case 'headers':
          writer.headers(frame.headers)
          return
        case 'write':
          writer.stream.write(Buffer.from(frame.bytes, 'base64'))
          return
        case 'close':
          writer.close()
      }
    } catch (err) {
      // Answered now (500), not when the handler returns: a streaming one may never return.
      refused = true
      done(undefined, err as Error)
    }
  }
  pool.http(
    call,
    timeoutMs,
    (outcome) => {
      if (refused) return
      let result: ApiResponse | undefined
      try {
        result = answer(outcome, writer, checked)
      } catch (err) {
        done(undefined, err as Error)
        return
      }
      done(result)
    },
    onHttp,
    json && !checked
      ? (status, body) => {
          if (refused) return
          if (writer) done(jsonResult(status, body))
          else json(status, body)
        }
      : undefined,
  )
}

function answer(
  outcome: InvocationOutcome,
  writer: ResponseWriter | undefined,
  checked: boolean,
): ApiResponse | undefined {
  if (outcome.status === 'skipped') {
    return {
      status: 422,
      body: { error: 'Request condition not met', skipped: true },
      headers: { [ERROR_CODE_HEADER]: 'E_CONDITION_NOT_MET' },
    }
  }
  if (outcome.status === 'error') throw pythonError(outcome.error)
  if ('json' in outcome) {
    const { status, json } = outcome.json
    // The body as Python serialised it; parsed only where a responseSchema is checked (dev).
    if (checked) return { status, body: JSON.parse(json) }
    return jsonResult(status, json)
  }
  const reply = 'response' in outcome ? outcome.response : undefined
  if (!reply) {
    // Nothing returned: a streamed answer ends here (a handler that forgot close() must not hang
    // the client); a handler that neither returned nor wrote answers 204.
    if (writer) {
      writer.close()
      return undefined
    }
    return { status: 204 }
  }
  return toApiResponse(reply)
}

/** A JSON answer as Python serialised it, with the content type `Response.json` sets. */
function jsonResult(status: number, json: string): ApiResponse {
  return { status, headers: { 'content-type': JSON_TYPE }, body: json }
}

/** Python's answer → the TS handler shape: bytes raw, non-JSON text as is, anything else JSON. */
export function toApiResponse(r: HttpReply): ApiResponse {
  // A JSON answer with no headers came as an `R` line: what reaches here is the rest.
  const body = r.body
  const headers = r.headers ?? {}
  if (NULL_BODY.has(r.status)) return { status: r.status, headers }
  if (r.bodyBytes !== undefined) return { status: r.status, headers, body: Buffer.from(r.bodyBytes, 'base64') }
  if (r.bodyText !== undefined) return { status: r.status, headers, body: r.bodyText }
  if (!('body' in r)) return { status: r.status, headers }
  if (body !== null && typeof body === 'object') return { status: r.status, headers, body }
  // A string, number or boolean body is JSON, as upstream Python steps sent it (`"hi"` quoted).
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json'
  return { status: r.status, headers, body: JSON.stringify(body) }
}

/** An error raised in Python, for the HTTP module's 500 path (message, and the traceback as stack). */
export function pythonError(e: { name: string; message: string; stack?: string; code?: string }): Error {
  // The pool's own failures keep their code (a 500 naming E_PYTHON_PROCESS_EXITED, a 504).
  if (e.code === 'E_PYTHON_PROCESS_EXITED' || e.code === 'E_HANDLER_TIMEOUT') return new MotiaError(e.code, e.message)
  // An answer the SDK could not send (a lone surrogate, _wire.py): a 500 naming it, as for TS.
  if (e.name === 'InvalidResponse' && e.code === 'E_HANDLER_FAILED') return new InvalidResponse(e.message)
  const err = new Error(e.message)
  err.name = e.name
  if (e.stack) err.stack = e.stack
  return err
}

/**
 * The parsed body as JSON-able data: bytes travel in `rawBody` only, files as their description.
 * Files only occur as a form's values (one, or a list under a repeated name), so only that level
 * is looked at and copied; a JSON body goes as it is (the frame's own stringify encodes it).
 */
function plainBody(body: unknown): unknown {
  if (body === undefined || body instanceof Uint8Array) return null
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body
  const record = body as Record<string, unknown>
  let out: Record<string, unknown> | undefined
  for (const k in record) {
    const v = record[k]
    const plain =
      v instanceof Blob
        ? fileInfo(v)
        : Array.isArray(v) && v.some((x) => x instanceof Blob)
          ? v.map((x) => (x instanceof Blob ? fileInfo(x) : x))
          : v
    if (plain !== v) out ??= { ...record }
    if (out) out[k] = plain
  }
  return out ?? body
}

function fileInfo(v: Blob): { name?: string; type: string; size: number } {
  return { name: (v as File).name, type: v.type, size: v.size }
}
