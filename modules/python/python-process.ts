import { join } from 'node:path'
import type { FileSink, Subprocess } from 'bun'
import type { EngineToPython, PythonToEngine } from './protocol'

export interface PythonProcessOptions {
  /** The interpreter's absolute path. */
  python: string
  /** The folder holding the SDK's `motia` package (sdk-files.ts). */
  sdkDir: string
  /** Project root: the process's working directory. */
  dir: string
  env: Record<string, string | undefined>
  /** Threads for sync handlers. */
  threads: number
  onFrame(process: PythonProcess, frame: PythonToEngine): void
  /** An `R` line: the JSON answer of an HTTP invocation (protocol.ts), not made into a frame object. */
  onReply(process: PythonProcess, id: number, status: number, json: string): void
  onStderr(process: PythonProcess, text: string): void
  onExit(process: PythonProcess, code: number | null, signal: string | null): void
}

const R = 'R'.charCodeAt(0)
/** Frames queued past which they leave without waiting for the turn's end (python's _EAGER too). */
const EAGER = 8

// `-c` rather than `-m`: with `-m` the working directory (the project) comes first on sys.path,
// so a project folder named `motia` would shadow the SDK.
const BOOT = 'import sys; sys.path.insert(0, sys.argv[1]); from motia._runner import main; del sys.argv[1]; main()'

/**
 * One python child: JSON lines on its stdin (an array of the frames of one turn), frame lines
 * back on its stdout (the runner moved user output to stderr before importing steps), stderr
 * passed on as log lines.
 */
export class PythonProcess {
  private readonly proc: Subprocess<'pipe', 'pipe', 'pipe'>
  private readonly stdin: FileSink
  private queued: string[] = []
  readonly startedAt = Date.now()
  /** Invocations sent here and not answered yet (the pool owns their records). */
  inFlight = 0
  dead = false
  /** Set once the process reported its steps loaded. */
  loaded = false
  readonly exited: Promise<number | null>

  constructor(private readonly opts: PythonProcessOptions) {
    const pythonPath = [opts.sdkDir, opts.env.PYTHONPATH].filter(Boolean).join(':')
    this.proc = Bun.spawn([opts.python, '-u', '-c', BOOT, opts.sdkDir, opts.dir], {
      cwd: opts.dir,
      env: {
        ...opts.env,
        PYTHONPATH: pythonPath,
        PYTHONUNBUFFERED: '1',
        // Bytecode caches out of steps/: the dev watcher would take a new .pyc for an edit.
        PYTHONPYCACHEPREFIX: opts.env.PYTHONPYCACHEPREFIX ?? join(opts.sdkDir, '__pycache__'),
        MOTIA_PYTHON_THREADS: String(opts.threads),
      },
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    this.stdin = this.proc.stdin
    this.exited = this.proc.exited.then((code) => {
      this.dead = true
      opts.onExit(this, code, this.proc.signalCode ? String(this.proc.signalCode) : null)
      return code
    })
    void this.readFrames()
    void this.readStderr()
  }

  get pid(): number {
    return this.proc.pid
  }

  /**
   * Queues a frame; the frames of one event-loop turn leave in one write (as the workers'
   * outbox does), and a long turn's every EAGER frames at once: python starts on the first
   * requests of a turn while the engine reads the rest off their sockets, instead of both
   * taking turns idling (bench/python.ts: +7% req/s at 50 connections).
   */
  send(m: EngineToPython): void {
    if (this.dead) return
    let line: string
    try {
      line = JSON.stringify(m)
    } catch {
      return // not JSON: dropped; whatever waits on it ends at its own timeout
    }
    const queued = this.queued.push(line)
    if (queued === 1) setImmediate(this.flush)
    else if (queued >= EAGER) this.flush()
  }

  private readonly flush = (): void => {
    const frames = this.queued
    this.queued = []
    if (this.dead || frames.length === 0) return
    try {
      this.stdin.write(frames.length === 1 ? `${frames[0]}\n` : `[${frames.join(',')}]\n`)
      void this.stdin.flush()
    } catch {
      // the pipe closed: the exit handler settles what was in flight
    }
  }

  /** Closes stdin: the runner finishes what it runs, then exits. */
  drain(): void {
    this.flush()
    try {
      void this.stdin.end()
    } catch {}
  }

  kill(): void {
    this.dead = true
    this.proc.kill('SIGKILL')
  }

  /**
   * One decode per chunk, frames cut out by index: a chunk holding many frames is not re-copied
   * per frame. A frame cut across chunks is held as its pieces and joined once, when its newline
   * comes: a large frame (a 30 MB state value) is read in linear time, not searched and copied
   * again at every chunk.
   */
  private async readFrames(): Promise<void> {
    const decoder = new TextDecoder()
    const held: string[] = []
    for await (const chunk of this.proc.stdout) {
      const text = decoder.decode(chunk, { stream: true })
      let nl = text.indexOf('\n')
      if (nl < 0) {
        held.push(text)
        continue
      }
      let start = 0
      if (held.length > 0) {
        held.push(text.slice(0, nl))
        const line = held.join('')
        held.length = 0
        if (line) this.guardedFrame(line)
        start = nl + 1
        nl = text.indexOf('\n', start)
      }
      while (nl >= 0) {
        if (nl > start) this.guardedFrame(text.slice(start, nl))
        start = nl + 1
        nl = text.indexOf('\n', start)
      }
      if (start < text.length) held.push(start === 0 ? text : text.slice(start))
    }
  }

  /** What a frame's receiver throws is logged: it must never stop this process's reader. */
  private guardedFrame(line: string): void {
    try {
      this.frame(line)
    } catch (err) {
      this.opts.onStderr(this, `a frame from python could not be handled: ${(err as Error)?.stack ?? err}`)
    }
  }

  /** A JSON frame, or the `R<id> <status> <body JSON>` line of an HTTP answer (protocol.ts). */
  private frame(line: string): void {
    if (line.charCodeAt(0) === R) {
      const a = line.indexOf(' ')
      const b = line.indexOf(' ', a + 1)
      this.opts.onReply(this, Number(line.slice(1, a)), Number(line.slice(a + 1, b)), line.slice(b + 1))
      return
    }
    let frame: PythonToEngine
    try {
      frame = JSON.parse(line)
    } catch {
      this.opts.onStderr(this, `unreadable frame from python: ${line.slice(0, 200)}`)
      return
    }
    this.opts.onFrame(this, frame)
  }

  private async readStderr(): Promise<void> {
    const decoder = new TextDecoder()
    for await (const chunk of this.proc.stderr) {
      const text = decoder.decode(chunk, { stream: true }).replace(/\n$/, '')
      if (text) this.opts.onStderr(this, text)
    }
  }
}
