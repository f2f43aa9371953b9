import type { Server } from 'bun'
import { buildInfo } from '../../runtime/build-info'
import type { HealthConfig } from '../../runtime/config/schema'
import type { LoadProblem } from '../../runtime/errors'
import type { RuntimeServices } from '../../runtime/module'
import type { StepDefinition } from '../../runtime/step'
import type { ProjectCheck } from '../../runtime/step-loader'
import { ERROR_CODE_HEADER } from './respond'

type NativeHandler = (request: Request, server: Server<any>) => Response | Promise<Response>
export type NativeRoutes = Record<string, Record<string, NativeHandler>>

const NO_STORE = { 'cache-control': 'no-store' }

/**
 * The probes a load balancer or an orchestrator polls, served as native routes of the API
 * server: no step, no trace, no concurrency slot, so a loaded or draining process still
 * answers them. `live`: the process serves (200). `ready`: every module is ready (its adapter
 * answers) and the process is not draining (200), else 503 naming what is not.
 */
export class HealthEndpoints {
  private readonly startedAt = Date.now()

  constructor(private readonly rt: RuntimeServices) {}

  get config(): HealthConfig {
    return this.rt.config.health
  }

  routes(): NativeRoutes {
    if (!this.config.enabled) return {}
    const live = () => this.live()
    const ready = () => this.ready()
    return { [this.config.live]: { GET: live, HEAD: live }, [this.config.ready]: { GET: ready, HEAD: ready } }
  }

  /** In-process requests (`runtime.request`) reach the probes too; undefined: not a probe. */
  answer(request: Request): Promise<Response> | Response | undefined {
    if (!this.config.enabled || (request.method !== 'GET' && request.method !== 'HEAD')) return undefined
    const path = new URL(request.url).pathname
    if (path === this.config.live) return this.live()
    if (path === this.config.ready) return this.ready()
    return undefined
  }

  live(): Response {
    const { lifecycle, config } = this.rt
    return Response.json(
      {
        status: lifecycle.draining ? 'draining' : 'ok',
        instance: config.instanceId,
        uptimeMs: Date.now() - this.startedAt,
        // Which binary answers: during a rolling upgrade, old and new instances side by side.
        motia: buildInfo(),
      },
      { headers: NO_STORE },
    )
  }

  async ready(): Promise<Response> {
    const report = await this.rt.lifecycle.readiness()
    const status = report.ok ? 'ready' : report.draining ? 'draining' : 'not ready'
    const notReady = Object.entries(report.modules)
      .filter(([, r]) => !r.ok)
      .map(([name]) => name)
    return Response.json(
      {
        status,
        instance: this.rt.config.instanceId,
        ...(notReady.length > 0 ? { notReady } : {}),
        modules: report.modules,
      },
      { status: report.ok ? 200 : 503, headers: NO_STORE },
    )
  }
}

/**
 * What a request gets once the process drains (SIGTERM) and the listener is closed: it came on
 * a connection opened before. 503 with `connection: close`, so the client (a proxy) retries on
 * a new connection, which reaches another instance.
 */
export function shuttingDown(): Response {
  return Response.json(
    { error: 'The server is shutting down', code: 'E_SHUTTING_DOWN' },
    {
      status: 503,
      headers: { connection: 'close', 'retry-after': '1', [ERROR_CODE_HEADER]: 'E_SHUTTING_DOWN' },
    },
  )
}

/**
 * Resolves once the server has no request in flight, or at `deadline` (epoch ms); returns how
 * many were still running. Polled: Bun tells the count, not when it drops, and `server.stop()`
 * also waits for WebSockets, which stay open until the process stops.
 */
export async function requestsDone(server: Server<any>, deadline: number): Promise<number> {
  while (server.pendingRequests > 0 && Date.now() < deadline) await Bun.sleep(10)
  return server.pendingRequests
}

/** A step route on a probe's path is a load problem naming both (the probe would shadow it). */
export function reservedHealthRoutes(health: HealthConfig): ProjectCheck {
  return (steps) => {
    if (!health.enabled) return []
    const probes = new Map([
      [health.live, 'health.live'],
      [health.ready, 'health.ready'],
    ])
    const out: { step: StepDefinition; problem: LoadProblem }[] = []
    for (const step of steps) {
      for (const def of step.triggers) {
        if (def.type !== 'http') continue
        const key = probes.get(def.path)
        if (!key) continue
        out.push({
          step,
          problem: {
            file: step.relFile,
            field: def.index === 0 && step.generation === 'legacy' ? 'path' : `triggers[${def.index}].path`,
            message: `route ${def.method} ${def.path} is the ${key === 'health.live' ? 'liveness' : 'readiness'} probe (${key} in config.yaml): give the step another path, or move the probe with ${key}`,
            code: 'E_ROUTE_RESERVED',
          },
        })
      }
    }
    return out
  }
}
