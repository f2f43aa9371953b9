/**
 * Path parameters as the router sees them. Elysia's tree router (memoirist) refuses two routes
 * that name a parameter differently at one place (`/campaigns/:id` and
 * `/campaigns/:campaignId/emails`), which Express, Motia 0.x and Motia's engine accept. Routes
 * are registered there with positional names instead (`/campaigns/:p0`), which cannot clash: the
 * node a prefix reaches always has the same number of parameters before it. Each route maps
 * the positional values back to its own step's names.
 */

/** A `:name` segment part, as routeKey() and memoirist read it (up to the next `/`). */
const PARAM = /:[^/]+/g

export interface RouterPath {
  /** The path with `:p0`, `:p1`… in place of the step's names (an optional `?` is kept). */
  path: string
  /** The step's own names, by position; empty when the path has no parameters. */
  names: readonly string[]
}

export function routerPath(path: string): RouterPath {
  const names: string[] = []
  const normalized = path.replace(PARAM, (m) => {
    const optional = m.endsWith('?')
    names.push(optional ? m.slice(1, -1) : m.slice(1))
    return `:p${names.length - 1}${optional ? '?' : ''}`
  })
  return { path: normalized, names }
}

/** Positional params (`{ p0, p1 }`) → the step's own names (`{ campaignId }`). */
export function renameParams(
  names: readonly string[],
): (params: Record<string, string> | undefined) => Record<string, string> {
  if (names.length === 0) return (params) => params ?? {}
  const keys = names.map((_, i) => `p${i}`)
  return (params) => {
    const out: Record<string, string> = {}
    if (!params) return out
    for (let i = 0; i < keys.length; i++) {
      const v = params[keys[i]!]
      if (v !== undefined) out[names[i]!] = v
    }
    return out
  }
}

/** A name used twice in one path (`/a/:id/b/:id`): Bun's native router refuses it. */
export function repeatedParam(path: string): string | undefined {
  const seen = new Set<string>()
  for (const m of path.matchAll(PARAM)) {
    const name = m[0].endsWith('?') ? m[0].slice(1, -1) : m[0].slice(1)
    if (seen.has(name)) return name
    seen.add(name)
  }
  return undefined
}
