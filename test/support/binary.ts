import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { buildBinary } from '../../build'

const ROOT = join(import.meta.dir, '..', '..')
/** `MOTIA_TEST_BINARY` points the e2e tests at another build (e.g. one built to a private path). */
export const BINARY = process.env.MOTIA_TEST_BINARY ?? join(ROOT, 'dist', 'motia')

let built: Promise<string> | undefined

/** Builds `dist/motia` once per test process (every e2e file shares it). */
export function ensureBinary(): Promise<string> {
  built ??= buildBinary(BINARY)
  return built
}

export interface RunningMotia {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  url: string
  /** Everything printed so far (stdout + stderr). */
  output(): string
  /** SIGTERM and wait; SIGKILL with `kill('SIGKILL')`. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Where a test's binary comes from: `binary`, else `MOTIA_TEST_BINARY`, else dist/motia. */
export interface BinaryOptions {
  cwd?: string
  env?: Record<string, string>
  /** Another build than dist/motia (e.g. one built to a private path while others rebuild dist). */
  binary?: string
  /** How long `startMotia` waits for the ready line (default 20 s; longer under emulation). */
  readyTimeoutMs?: number
}

/** `MOTIA_TEST_BINARY` when set (no build), else dist/motia built once per process. */
export async function testBinary(): Promise<string> {
  return process.env.MOTIA_TEST_BINARY ?? (await ensureBinary())
}

/**
 * Starts the binary and waits for its "ready" log line (JSON lines when not a TTY), returning
 * the URL it listens on. Rejects with the output if the process exits first.
 */
export async function startMotia(args: string[], opts: BinaryOptions = {}): Promise<RunningMotia> {
  const proc = Bun.spawn([opts.binary ?? BINARY, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let out = ''
  const decoder = new TextDecoder()
  let onData: (() => void) | undefined
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      out += decoder.decode(chunk)
      onData?.()
    }
  }
  void pump(proc.stdout)
  void pump(proc.stderr)
  const url = await new Promise<string>((resolve, reject) => {
    const ms = opts.readyTimeoutMs ?? 20_000
    const timer = setTimeout(() => reject(new Error(`motia did not become ready in ${ms / 1000} s:\n${out}`)), ms)
    onData = () => {
      const m = out.match(/"msg":"motia (?:dev|start) ready".*?"url":"([^"]+)"/)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!.replace(/\/$/, ''))
      }
    }
    proc.exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`motia exited with ${code} before ready:\n${out}`))
    })
  })
  return {
    proc,
    url,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      proc.kill(signal)
      return proc.exited
    },
  }
}

/** Runs the binary to completion. */
export function runMotia(args: string[], opts: BinaryOptions = {}) {
  return runCommand([opts.binary ?? BINARY, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env ?? {} })
}

/** Runs a command to completion; `env` is added to this process's environment (undefined removes). */
export async function runCommand(
  cmd: string[],
  opts: { cwd: string; env?: Record<string, string | undefined> },
): Promise<{ stdout: string; stderr: string; code: number }> {
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { stdout, stderr, code }
}

/** The threads of a process (Linux): name, scheduling policy (0 normal, 5 SCHED_IDLE) and nice. */
export function threadsOf(pid: number): { tid: number; name: string; policy: number; nice: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return {
      tid: Number(tid),
      name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      policy: Number(f[38]),
      nice: Number(f[16]),
    }
  })
}
