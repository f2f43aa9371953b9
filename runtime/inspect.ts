import { resolve } from 'node:path'
import type { MotiaConfig } from './config/schema'
import type { LoadProblem } from './errors'
import type { MotiaModule, Project, RunMode } from './module'
import { adapterReport, loadProjectSettings, pluginApiSteps } from './project-config'
import { loadProject } from './step-loader'
import { TriggerRegistry } from './trigger-registry'

export interface InspectedProject {
  config: MotiaConfig
  project: Project
  problems: LoadProblem[]
  warnings: string[]
}

/** Loads config and every step like `start` does, without starting any module (`motia build`). */
export async function inspectProject(opts: {
  dir: string
  modules: (s: { mode: RunMode; config: MotiaConfig }) => MotiaModule[]
  env?: Record<string, string | undefined>
}): Promise<InspectedProject> {
  const dir = resolve(opts.dir)
  const { projectConfig, config, warnings } = await loadProjectSettings({ dir, env: opts.env ?? process.env })
  const modules = opts.modules({ mode: 'start', config })
  const registry = new TriggerRegistry()
  for (const m of modules) for (const k of m.triggerKinds ?? []) registry.register(k)
  const loaded = await loadProject({
    dir,
    registry,
    checks: modules.flatMap((m) => m.checks ?? []),
    extraSteps: pluginApiSteps(dir, projectConfig, registry),
  })
  return {
    config,
    project: { steps: loaded.steps, streams: loaded.streams },
    problems: loaded.problems,
    warnings: [
      ...warnings,
      ...projectConfig.warnings,
      ...adapterReport(projectConfig, config).warnings,
      ...loaded.warnings,
    ],
  }
}
