import { relative } from 'node:path'
import type { MotiaConfig } from './config/schema'
import { discoverProject, type ProjectFiles } from './discovery'
import type { LoadProblem } from './errors'
import type { LogHub, StructuredLogger } from './logger'
import type { RunMode } from './module'
import type { StepDefinition, StreamDefinition } from './step'
import { normalizeStep } from './step-config'
import { normalizeStream } from './stream-config'
import type { TriggerRegistry } from './trigger-registry'

export interface ProjectLoad {
  steps: StepDefinition[]
  streams: StreamDefinition[]
  problems: LoadProblem[]
  warnings: string[]
}

/**
 * A cross-step check a module contributes (e.g. duplicate routes): the steps it rejects and why.
 * A `warning` instead of a `problem` leaves the step out without failing `start` (a stale copy
 * of another step that Motia would have shadowed).
 */
export type ProjectCheck = (
  steps: readonly StepDefinition[],
) => ({ step: StepDefinition; problem: LoadProblem } | { step: StepDefinition; warning: string })[]

export type ModuleImporter = (file: string) => Promise<Record<string, unknown>>

/** What a step source is told when the project (re)loads. */
export interface StepSourceContext {
  dir: string
  files: ProjectFiles
  config: MotiaConfig
  mode: RunMode
  log: StructuredLogger
  logs: LogHub
}

/**
 * Step files in another language (Python, modules/python): each file's exports as importing a
 * TS step gives them (a config, a handler that forwards to that language's processes), or why
 * it failed; plus the streams those files define. Normalised and checked with the TS steps.
 */
export interface StepSource {
  load(ctx: StepSourceContext): Promise<{
    steps: ImportedFile[]
    streams: StreamDefinition[]
    problems: LoadProblem[]
  }>
  /** The project did not start (start refused a problem): release what `load` started. */
  close?(): Promise<void>
}

export interface LoadProjectOptions {
  dir: string
  registry: TriggerRegistry
  checks?: readonly ProjectCheck[]
  importer?: ModuleImporter
  /** Steps that come from elsewhere (routes `motia.config.ts` plugins register), checked with the rest. */
  extraSteps?: readonly StepDefinition[]
  /** Other languages' step files, with what they need to load them. */
  sources?: readonly StepSource[]
  sourceContext?: Omit<StepSourceContext, 'dir' | 'files'>
}

const defaultImporter: ModuleImporter = (file) => import(file)

/**
 * Discovers and imports every step and stream file in parallel, normalises their configs and
 * runs the cross-step checks. Files with problems are left out; the caller decides whether a
 * problem stops start-up (`start`) or is only reported (`dev`).
 */
export async function loadProject(opts: LoadProjectOptions): Promise<ProjectLoad> {
  const { dir, registry } = opts
  const importer = opts.importer ?? defaultImporter
  const files = discoverProject(dir)
  const problems: LoadProblem[] = []
  const warnings: string[] = files.skippedLinks.map(
    (l) =>
      `${relative(dir, l.path)} is a link to ${l.target || 'nowhere'}, outside the project: not followed (not loaded, not watched)`,
  )

  const sourceContext = opts.sourceContext
  const [tsStepMods, streamMods, foreign] = await Promise.all([
    Promise.all(files.steps.map((f) => importFile(f, dir, importer))),
    Promise.all(files.streams.map((f) => importFile(f, dir, importer))),
    sourceContext ? Promise.all((opts.sources ?? []).map((s) => s.load({ dir, files, ...sourceContext }))) : [],
  ])
  const stepMods = [...tsStepMods, ...foreign.flatMap((f) => f.steps)]

  const streams = uniqueByName(
    problems,
    normalizeAll(problems, streamMods, (m) => {
      const r = normalizeStream(m.exports, m.ref)
      problems.push(...r.problems)
      return r.stream
    }),
  )
  for (const f of foreign) {
    problems.push(...f.problems)
    // A stream another language only names (Python's `Stream("x")`) unless a file defines it.
    for (const s of f.streams) if (!streams.some((x) => x.name === s.name)) streams.push(s)
  }
  let steps = disambiguateNames(
    warnings,
    normalizeAll(problems, stepMods, (m) => {
      const r = normalizeStep(m.exports, m.ref, registry)
      problems.push(...r.problems)
      warnings.push(...r.warnings)
      return r.step
    }),
  )
  if (opts.extraSteps) steps = [...steps, ...opts.extraSteps]

  for (const check of opts.checks ?? []) {
    const rejected = check(steps)
    if (rejected.length === 0) continue
    const drop = new Set(rejected.map((r) => r.step))
    for (const r of rejected) {
      if ('problem' in r) problems.push(r.problem)
      else warnings.push(r.warning)
    }
    steps = steps.filter((s) => !drop.has(s))
  }
  return { steps, streams, problems, warnings }
}

/** Normalises imported files in order; files that failed to import become their problem. */
function normalizeAll<T>(
  problems: LoadProblem[],
  imported: readonly Imported[],
  normalize: (m: Extract<Imported, { exports: unknown }>) => T | undefined,
): T[] {
  const out: T[] = []
  for (const m of imported) {
    if ('problem' in m) {
      problems.push(m.problem)
      continue
    }
    const def = normalize(m)
    if (def) out.push(def)
  }
  return out
}

/**
 * Streams are addressed by name (`ctx.streams.<name>`): the first file keeps a name, a later one
 * with the same name is a problem naming the file that has it.
 */
function uniqueByName<T extends { name: string; relFile: string }>(problems: LoadProblem[], defs: readonly T[]): T[] {
  const out: T[] = []
  const seen = new Map<string, string>()
  for (const def of defs) {
    const other = seen.get(def.name)
    if (other) {
      problems.push({
        file: def.relFile,
        field: 'name',
        message: `stream name "${def.name}" is already used by ${other}`,
        code: 'E_STEP_DUPLICATE_NAME',
      })
      continue
    }
    seen.set(def.name, def.relFile)
    out.push(def)
  }
  return out
}

/**
 * Two step files with one name both load, as Motia 0.x loaded them (it keyed steps by file; 1.x
 * registers functions per name and trigger, so the later file replaced the earlier's handler
 * where their triggers matched). The first file, in load order, keeps the name; a later one is
 * known as `Name (its/file.step.ts)`, so logs, traces, queue subscriptions, the console and
 * motia.lock.json tell the two apart. A warning names both files.
 */
function disambiguateNames(warnings: string[], steps: StepDefinition[]): StepDefinition[] {
  const seen = new Map<string, string>()
  for (const step of steps) {
    const first = seen.get(step.name)
    if (first !== undefined) {
      const label = `${step.name} (${step.relFile})`
      warnings.push(
        `${step.relFile}: step name "${step.name}" is also used by ${first}; both are loaded, this one as "${label}" (logs, traces, console)`,
      )
      step.name = label
    }
    seen.set(step.name, step.relFile)
  }
  return steps
}

type Imported = { exports: Record<string, unknown>; ref: { file: string; relFile: string } } | { problem: LoadProblem }
export type ImportedFile = Imported

async function importFile(file: string, dir: string, importer: ModuleImporter): Promise<Imported> {
  const ref = { file, relFile: relative(dir, file) }
  try {
    return { exports: await importer(file), ref }
  } catch (err) {
    return {
      problem: {
        file: ref.relFile,
        message: `could not be loaded: ${describeLoadError(err, dir)}`,
        code: 'E_STEP_LOAD',
      },
    }
  }
}

/** Syntax errors from Bun carry position info; keep the first lines, with paths made relative. */
function describeLoadError(err: unknown, dir: string): string {
  const e = err as { message?: string; position?: { file?: string; line?: number; column?: number } }
  const pos = e.position?.line ? ` (line ${e.position.line}:${e.position.column ?? 0})` : ''
  const msg = String(e?.message ?? err)
    .split(`${dir}/`)
    .join('')
  return `${msg}${pos}`
}
