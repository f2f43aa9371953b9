import { buildInfo } from '../../../runtime/build-info'
import { projectManifest, type StepLanguage } from '../../../runtime/project-manifest'
import type { ApiContext, ApiRoutes } from './respond'
import { json } from './respond'

/** One HTTP route of the project, as the Endpoints page lists it. */
export interface EndpointInfo {
  step: string
  file: string
  language: StepLanguage
  description?: string
  flows: readonly string[]
  method: string
  path: string
  bodySchema?: unknown
  responseSchema?: Record<string, unknown>
  queryParams?: unknown[]
}

/** `/api/project` (the manifest: steps, streams, topics, flows) and `/api/endpoints`. */
export function projectRoutes(ctx: ApiContext): ApiRoutes {
  const { rt } = ctx
  return {
    '/api/project': {
      GET: () =>
        json({
          name: rt.dir.split('/').pop(),
          mode: rt.mode,
          manifest: projectManifest(rt.project(), ctx.version),
          urls: {
            http: rt.shared.get('http.url') ?? null,
            streams: rt.shared.get('streams.url') ?? null,
          },
          tracing: rt.shared.has('observability'),
          // The binary serving the project: version, commit, build date, target.
          motia: buildInfo(),
          // motia.config.ts plugins: the Workbench panels this console cannot show, listed.
          plugins: {
            replaced: rt.projectConfig.replacedPlugins,
            panels: rt.projectConfig.workbench,
            routes: rt.projectConfig.pluginApis.map((a) => ({ plugin: a.plugin, method: a.method, path: a.path })),
          },
        }),
    },
    '/api/endpoints': {
      GET: () => {
        const endpoints: EndpointInfo[] = []
        for (const s of projectManifest(rt.project(), ctx.version).steps) {
          for (const t of s.triggers) {
            if (t.type !== 'http') continue
            endpoints.push({
              step: s.name,
              file: s.file,
              language: s.language,
              ...(s.description ? { description: s.description } : {}),
              flows: s.flows,
              method: String(t.method),
              path: String(t.path),
              ...(t.bodySchema ? { bodySchema: t.bodySchema } : {}),
              ...(t.responseSchema ? { responseSchema: t.responseSchema as Record<string, unknown> } : {}),
              ...(t.queryParams ? { queryParams: t.queryParams as unknown[] } : {}),
            })
          }
        }
        endpoints.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))
        return json({ endpoints })
      },
    },
  }
}
