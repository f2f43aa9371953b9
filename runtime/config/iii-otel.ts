import type { ConfigPath } from './interpolate'

/** A translated key and where it was written in the iii module (for problem locations). */
export interface ConfigAlias {
  from: ConfigPath
  to: ConfigPath
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * iii's `modules::observability::OtelModule` sampling keys as `observability.sampling`:
 * `sampling_ratio` and `sampling.default` → `ratio`, `sampling.rules[]` (`operation`, `rate`) →
 * `rules[]` (`name`, `ratio`), `sampling.parent_based` → `parentBased`,
 * `sampling.rate_limit.max_traces_per_second` → `maxTracesPerSecond`. Keys with no motia
 * meaning are reported to `warn` at their place (`at` is the module's `config` path).
 * Undefined when the module sets no sampling key.
 */
export function translateOtelSampling(
  config: Record<string, unknown>,
  at: ConfigPath,
  warn: (path: ConfigPath, message: string) => void,
): { sampling: Record<string, unknown>; aliases: ConfigAlias[] } | undefined {
  if (config.sampling_ratio === undefined && config.sampling === undefined) return undefined
  const to: ConfigPath = ['observability', 'sampling']
  const sampling: Record<string, unknown> = {}
  const aliases: ConfigAlias[] = []
  const put = (key: string, value: unknown, written: ConfigPath) => {
    sampling[key] = value
    aliases.push({ from: [...to, key], to: written })
  }
  const advanced = config.sampling
  if (advanced !== undefined && !isRecord(advanced)) {
    // Passed on as is: the schema then reports "expected a mapping" at the iii key.
    return { sampling: advanced as Record<string, unknown>, aliases: [{ from: to, to: [...at, 'sampling'] }] }
  }
  const s = advanced ?? {}
  const where = (...k: (string | number)[]): ConfigPath => [...at, 'sampling', ...k]
  if (s.default !== undefined) put('ratio', s.default, where('default'))
  else if (config.sampling_ratio !== undefined) put('ratio', config.sampling_ratio, [...at, 'sampling_ratio'])
  if (s.parent_based !== undefined) put('parentBased', s.parent_based, where('parent_based'))
  const limit = s.rate_limit
  if (isRecord(limit) && limit.max_traces_per_second !== undefined)
    put('maxTracesPerSecond', limit.max_traces_per_second, where('rate_limit', 'max_traces_per_second'))
  else if (limit !== undefined) put('maxTracesPerSecond', limit, where('rate_limit'))
  if (s.rules !== undefined) {
    if (!Array.isArray(s.rules)) put('rules', s.rules, where('rules'))
    else {
      sampling.rules = s.rules.map((r, j) => {
        if (!isRecord(r)) {
          aliases.push({ from: [...to, 'rules', j], to: where('rules', j) })
          return r
        }
        const rule: Record<string, unknown> = {}
        if (r.operation !== undefined) {
          rule.name = r.operation
          aliases.push({ from: [...to, 'rules', j, 'name'], to: where('rules', j, 'operation') })
        }
        rule.ratio = r.rate
        aliases.push({ from: [...to, 'rules', j, 'ratio'], to: where('rules', j, 'rate') })
        if (r.service !== undefined)
          warn(where('rules', j, 'service'), `sampling.rules[${j}].service is ignored: a motia app is one service`)
        return rule
      })
      aliases.push({ from: [...to, 'rules'], to: where('rules') })
    }
  }
  for (const key of Object.keys(s))
    if (!['default', 'rules', 'parent_based', 'rate_limit'].includes(key))
      warn(where(key), `sampling.${key} is ignored (see observability.sampling in docs/config.md)`)
  return { sampling, aliases }
}
