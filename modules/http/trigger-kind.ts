import type { LoadProblem } from '../../runtime/errors'
import type { CompiledSchema } from '../../runtime/schema'
import { schemaField } from '../../runtime/schema-field'
import type { HttpTriggerDef } from '../../runtime/step'
import { describe, problemAt, type TriggerKind } from '../../runtime/trigger-registry'
import type { ApiMiddleware, HttpMethod, QueryParamDoc } from '../../sdk/types'

export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']

/** `http` (alias `api`, and 0.x `type: 'api'` configs): method + path with `:params`. */
export const httpTriggerKind: TriggerKind<HttpTriggerDef> = {
  type: 'http',
  aliases: ['api'],
  normalize(raw, at) {
    const problems: LoadProblem[] = []
    const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : raw.method
    if (!HTTP_METHODS.includes(method as HttpMethod)) {
      problems.push(problemAt(at, 'method', `expected one of ${HTTP_METHODS.join(', ')}, got ${describe(raw.method)}`))
    }
    const path = raw.path
    if (typeof path !== 'string' || !path.startsWith('/')) {
      problems.push(problemAt(at, 'path', `expected a path starting with "/", got ${describe(path)}`))
    }
    const bodySchema = schemaField(raw, 'bodySchema', at, problems)
    const responseSchema = responseSchemas(raw, at, problems)
    const middleware = raw.middleware ?? []
    if (!Array.isArray(middleware) || middleware.some((m) => typeof m !== 'function')) {
      problems.push(problemAt(at, 'middleware', 'expected an array of functions (req, ctx, next) => response'))
    }
    const queryParams = raw.queryParams ?? []
    if (!Array.isArray(queryParams)) {
      problems.push(
        problemAt(at, 'queryParams', `expected an array of { name, description }, got ${describe(queryParams)}`),
      )
    }
    if (problems.length > 0) return { problems }
    const def: HttpTriggerDef = {
      type: 'http',
      index: at.index,
      method: method as HttpMethod,
      path: path as string,
      queryParams: queryParams as QueryParamDoc[],
      middleware: middleware as ApiMiddleware[],
    }
    if (bodySchema) def.bodySchema = bodySchema
    if (responseSchema) def.responseSchema = responseSchema
    return { defs: [def] }
  },
}

function responseSchemas(
  raw: Record<string, unknown>,
  at: Parameters<TriggerKind['normalize']>[1],
  problems: LoadProblem[],
): Map<number, CompiledSchema> | undefined {
  const v = raw.responseSchema
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) {
    problems.push(problemAt(at, 'responseSchema', `expected { [status]: schema }, got ${describe(v)}`))
    return undefined
  }
  const out = new Map<number, CompiledSchema>()
  for (const [status, schema] of Object.entries(v)) {
    const code = Number(status)
    if (!Number.isInteger(code) || code < 100 || code > 599) {
      problems.push(problemAt(at, `responseSchema.${status}`, 'expected an HTTP status code (100-599) as key'))
      continue
    }
    const compiled = schemaField(
      { [status]: schema },
      status,
      { ...at, field: `${at.field ? `${at.field}.` : ''}responseSchema` },
      problems,
    )
    if (compiled) out.set(code, compiled)
  }
  return out
}

/** `/todos/:id` and `/todos/:todoId` are the same route: compare with parameter names erased. */
export function routeKey(method: string, path: string): string {
  const normalized = path.replace(/:[^/]+/g, ':').replace(/\/+$/, '') || '/'
  return `${method} ${normalized}`
}
