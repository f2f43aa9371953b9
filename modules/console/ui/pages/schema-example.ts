type Schema = Record<string, unknown>

/** A sample value for a JSON Schema, to pre-fill a request body (defaults and enums first). */
export function exampleOf(schema: unknown, depth = 0): unknown {
  if (typeof schema !== 'object' || schema === null || depth > 6) return null
  const s = schema as Schema
  if ('default' in s) return s.default
  if ('const' in s) return s.const
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0]
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0]
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = s[key]
    if (Array.isArray(options) && options.length) {
      const concrete = options.find((o) => (o as Schema)?.type !== 'null') ?? options[0]
      return exampleOf(concrete, depth + 1)
    }
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, exampleOf(v, depth + 1)]))
    }
    case 'array':
      return s.items ? [exampleOf(s.items, depth + 1)] : []
    case 'string':
      return s.format === 'email' ? 'user@example.com' : s.format === 'date-time' ? new Date(0).toISOString() : 'text'
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 0
    case 'boolean':
      return false
    default:
      return null
  }
}

/** Path parameters of `/todos/:id/complete`: `['id']`. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!)
}
