import { statSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { StepContext } from '../../runtime/context'
import { STEP_ROOTS } from '../../runtime/discovery'
import type { LoadProblem } from '../../runtime/errors'
import { REMOTE_HTTP, type RemoteHttp, type StreamDefinition } from '../../runtime/step'
import type { ImportedFile, StepSource, StepSourceContext } from '../../runtime/step-loader'
import type { HttpRequest } from '../http/http-request'
import { callHttp, invokeHttp, pythonError } from './http-bridge'
import { findPython, notFoundMessage } from './interpreter'
import type { LoadReport, PythonPool } from './python-pool'
import { pythonSdkFiles } from './sdk-loader'

const PY_STREAM = /(\.stream|_stream)\.py$/

export interface PythonStepsOptions {
  /** The environment the python processes get (`.env` is already in it); default `process.env`. */
  env?: Record<string, string | undefined>
}

/**
 * The Python step source: on every (re)load it starts python processes that import the `.py`
 * step files and report their configs; each step's handler forwards to those processes. A
 * project whose Python files did not change since the last load keeps its processes.
 */
export class PythonSteps implements StepSource {
  pool?: PythonPool
  /** The HTTP and background timeouts, for direct calls of a step's handler. */
  timeouts = { http: 30_000, background: 30_000 }
  private fingerprint = ''
  private last?: Awaited<ReturnType<StepSource['load']>>

  constructor(private readonly options: PythonStepsOptions = {}) {}

  async load(ctx: StepSourceContext): Promise<Awaited<ReturnType<StepSource['load']>>> {
    const { dir, files } = ctx
    const stepFiles = files.python
    if (stepFiles.length === 0) {
      await this.pool?.stop()
      this.pool = undefined
      this.fingerprint = ''
      return { steps: [], streams: [], problems: [] }
    }
    this.timeouts = { http: ctx.config.http.timeout, background: ctx.config.queue.handlerTimeout }
    const streamFiles = pythonStreamFiles(dir)
    const fingerprint = fingerprintOf(dir)
    if (this.pool && this.last && fingerprint === this.fingerprint) return this.last

    const env = this.options.env ?? process.env
    const found = findPython(dir, ctx.config.python.interpreter, env)
    if (!found.ok) {
      const problem: LoadProblem = {
        file: relative(dir, stepFiles[0]!),
        message: `${stepFiles.length} Python step file(s) cannot run: ${notFoundMessage(found.tried)}`,
        code: 'E_PYTHON_UNAVAILABLE',
      }
      return { steps: [{ problem }], streams: [], problems: [] }
    }
    // The pool's code and the SDK's text load with the first Python step file.
    this.pool ??= new (await import('./python-pool')).PythonPool({
      python: found.python.command,
      sdkDir: (await pythonSdkFiles()).writeSdk(dir),
      dir,
      size: ctx.config.python.workers,
      threads: ctx.config.python.threads,
      env,
      logs: ctx.logs,
    })
    const pool = this.pool
    let report: LoadReport
    try {
      report = await pool.load(stepFiles, streamFiles)
    } catch (err) {
      const message = `could not be loaded: ${(err as Error).message} (python: ${found.python.command}, from ${found.python.source})`
      return {
        steps: stepFiles.map((f) => ({ problem: { file: relative(dir, f), message, code: 'E_STEP_LOAD' } })),
        streams: [],
        problems: [],
      }
    }
    ctx.log.debug(`python ${report.python} (${found.python.source}) loaded ${stepFiles.length} Python step file(s)`)
    const result = this.translate(dir, report)
    this.fingerprint = fingerprint
    this.last = result
    return result
  }

  async close(): Promise<void> {
    await this.pool?.stop()
    this.pool = undefined
    this.last = undefined
  }

  private translate(dir: string, report: LoadReport): Awaited<ReturnType<StepSource['load']>> {
    const steps: ImportedFile[] = report.steps.map((s) => {
      const relFile = relative(dir, s.file)
      if ('error' in s) {
        const line = s.error.line ? ` (line ${s.error.line})` : ''
        return {
          problem: { file: relFile, message: `could not be loaded: ${s.error.message}${line}`, code: 'E_STEP_LOAD' },
        }
      }
      return { exports: { config: s.config, handler: this.handlerFor(s.file) }, ref: { file: s.file, relFile } }
    })
    const problems: LoadProblem[] = []
    const streams: StreamDefinition[] = []
    const add = (name: string, file: string) => {
      if (streams.some((x) => x.name === name)) return
      streams.push({
        name,
        file,
        relFile: relative(dir, file),
        config: { name, baseConfig: { storageType: 'default' } } as never,
      })
    }
    for (const s of report.streams) {
      if ('error' in s) {
        const line = s.error.line ? ` (line ${s.error.line})` : ''
        problems.push({
          file: relative(dir, s.file),
          message: `could not be loaded: ${s.error.message}${line}`,
          code: 'E_STEP_LOAD',
        })
      } else add(s.name, s.file)
    }
    const anyFile = report.steps[0]?.file ?? dir
    for (const name of report.streamNames) add(name, anyFile)
    return { steps, streams, problems }
  }

  /**
   * The handler of a Python step's definition: HTTP requests go through `invokeHttp`; anything
   * else (a direct call, as tests make) runs in the pool and throws what Python raised.
   * Background triggers normally reach the pool through the queue runner instead.
   */
  private handlerFor(file: string) {
    // Not an async function: the HTTP path hands back invokeHttp's promise as it is.
    const handler = (input: unknown, ctx: StepContext): Promise<unknown> => {
      const pool = this.pool
      if (!pool) return Promise.reject(new Error('the python processes are not running'))
      const timeout = ctx.step.handlerTimeoutMs
      if (ctx.trigger.type === 'http') {
        return invokeHttp(pool, file, ctx, input as HttpRequest, (timeout ?? this.timeouts.http) + 50)
      }
      return this.background(pool, file, input, ctx, timeout ?? this.timeouts.background)
    }
    // Bodyless requests come straight from the route (runtime/step.ts, RemoteHttp).
    const remote: RemoteHttp = {
      http: (call, timeoutMs, answer, writer, json) => {
        const pool = this.pool
        if (!pool) {
          answer(undefined, new Error('the python processes are not running'))
          return
        }
        const { step, triggerIndex, traceId, spanId, method, pathParams, queryParams, headers } = call
        const input = { method, pathParams, queryParams, headers, body: null }
        callHttp(pool, { file, step, triggerIndex, traceId, spanId, input }, timeoutMs, false, answer, writer, json)
      },
    }
    return Object.assign(handler, { [REMOTE_HTTP]: remote })
  }

  /** A direct call of a background trigger: runs in the pool, throws what Python raised. */
  private async background(
    pool: PythonPool,
    file: string,
    input: unknown,
    ctx: StepContext,
    timeoutMs: number,
  ): Promise<unknown> {
    const out = await pool.invoke(
      {
        file,
        step: ctx.step.name,
        kind: ctx.trigger.type,
        triggerIndex: ctx.trigger.index,
        ...(ctx.trigger.topic ? { topic: ctx.trigger.topic } : {}),
        input: input ?? null,
        traceId: ctx.traceId,
        ...(ctx.spanId ? { spanId: ctx.spanId } : {}),
        attempt: 1,
      },
      timeoutMs,
    )
    if (out.status === 'error') throw pythonError(out.error)
    return undefined
  }
}

/** `*_stream.py` / `*.stream.py` under steps/ and src/ (only their names matter). */
function pythonStreamFiles(dir: string): string[] {
  const out: string[] = []
  for (const root of STEP_ROOTS) {
    for (const f of pythonFiles(join(dir, root))) if (PY_STREAM.test(f)) out.push(f)
  }
  return out.sort()
}

function pythonFiles(folder: string): string[] {
  try {
    return [...new Bun.Glob('**/*.py').scanSync({ cwd: folder, absolute: true, dot: false })].filter(
      (f) => !f.includes('/node_modules/') && !f.includes('/__pycache__/'),
    )
  } catch {
    return []
  }
}

/** Every `.py` file under steps/ and src/ with its mtime and size, and the project's `.env`: a change reloads Python. */
function fingerprintOf(dir: string): string {
  const parts: string[] = []
  for (const f of [...STEP_ROOTS.flatMap((r) => pythonFiles(join(dir, r))), join(dir, '.env')].sort()) {
    try {
      const st = statSync(f)
      parts.push(`${f}:${st.mtimeMs}:${st.size}`)
    } catch {}
  }
  return parts.join('|')
}
