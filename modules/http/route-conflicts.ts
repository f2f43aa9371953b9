import { Elysia } from 'elysia'
import type { LoadProblem } from '../../runtime/errors'
import type { HttpTriggerDef, StepDefinition } from '../../runtime/step'
import type { ProjectCheck } from '../../runtime/step-loader'
import { repeatedParam } from './route-params'
import { addElysiaRoute } from './router'

interface Route {
  step: StepDefinition
  def: HttpTriggerDef
}

/**
 * Routes the router cannot serve are a load problem of the files that declare them, never a
 * crash of the server: `dev` serves the rest and reports them, `start` refuses, both naming the
 * files. Checked by building a router from the project's routes exactly as the HTTP module
 * will; when that fails, routes are added one by one to find which one breaks it and which
 * earlier route it cannot live with. (Same method and path shape is E_ROUTE_DUPLICATE, checked
 * before this.)
 */
export const routeConflicts: ProjectCheck = (steps) => {
  const out: { step: StepDefinition; problem: LoadProblem }[] = []
  const routes: Route[] = []
  for (const step of steps) {
    for (const def of step.triggers) {
      if (def.type !== 'http') continue
      const name = repeatedParam(def.path)
      if (name === undefined) routes.push({ step, def })
      else
        out.push({
          step,
          problem: problemOf({ step, def }, `route ${def.method} ${def.path} names the parameter "${name}" twice`),
        })
    }
  }
  if (servable(routes)) return out

  const accepted: Route[] = []
  for (const r of routes) {
    const error = routerError([...accepted, r])
    if (error === undefined) {
      accepted.push(r)
      continue
    }
    const partner = accepted.find((a) => routerError([a, r]) !== undefined)
    const other = partner
      ? `route ${partner.def.method} ${partner.def.path} of step "${partner.step.name}" (${partner.step.relFile})`
      : 'the routes declared before it'
    out.push({
      step: r.step,
      problem: problemOf(r, `route ${r.def.method} ${r.def.path} cannot be served with ${other}: ${error}`),
    })
  }
  return out
}

function problemOf({ step, def }: Route, message: string): LoadProblem {
  return {
    file: step.relFile,
    field: def.index === 0 && step.generation === 'legacy' ? 'path' : `triggers[${def.index}].path`,
    message,
    code: 'E_ROUTE_CONFLICT',
  }
}

const unused = () => new Response(null)

/**
 * The last route set found servable: a dev reload that changed no route (most saves) skips
 * building a router again (a few ms for 50 routes). A pure function of the routes, so one
 * answer holds for every runtime in the process.
 */
let lastServable: string | undefined
function servable(routes: readonly Route[]): boolean {
  const key = routes.map(({ def }) => `${def.method} ${def.path}`).join('\n')
  if (key === lastServable) return true
  if (routerError(routes) !== undefined) return false
  lastServable = key
  return true
}

/** What building the router from these routes throws (Elysia builds its tree on compile), if anything. */
function routerError(routes: readonly Route[]): string | undefined {
  try {
    const app = new Elysia() as any
    for (const { def } of routes) addElysiaRoute(app, def, unused)
    app.compile?.()
    return undefined
  } catch (err) {
    return (err as Error)?.message ?? String(err)
  }
}
