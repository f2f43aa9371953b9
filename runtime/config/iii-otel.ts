import { type ConfigAlias, dotted, isRecord, keySetter, type Warn } from './iii-translate'
import type { ConfigPath } from './interpolate'

type Aliases = ConfigAlias[]

/** iii's operator names (serde `lowercase` variants) beside the symbols it also takes. */
const OPERATORS: Record<string, string> = {
  greaterthan: '>',
  greaterthanorequal: '>=',
  lessthan: '<',
  lessthanorequal: '<=',
  equal: '==',
  notequal: '!=',
}

/**
 * iii's `modules::observability::OtelModule` (Motia's engine, `engine/src/modules/observability/
 * config.rs`): `metrics_enabled` → `observability.metrics.enabled`; `metrics_exporter` (`memory`
 * or `otlp`) → whether metrics go over OTLP beside the traces (`observability.otlp.metrics`;
 * `otlp` needs `observability.otlp.endpoint`, an OTLP/HTTP URL); `alerts` → `observability.alerts`
 * with iii's defaults (`window_seconds` 60, `cooldown_seconds` 60, operator `>`), rules with
 * `enabled: false` left out, and a `function` action (no functions here) logged instead;
 * `sampling_ratio` / `sampling` → `observability.sampling` ({@link translateOtelSampling}). Other
 * keys are ignored with a warning. What the file sets itself wins, with a warning.
 */
export function translateIiiOtel(
  config: Record<string, unknown>,
  entry: Record<string, unknown>,
  at: ConfigPath,
  aliases: Aliases,
  warn: Warn,
): void {
  const put = keySetter(config, aliases, warn)
  const settings = isRecord(entry.config) ? entry.config : {}
  for (const [key, value] of Object.entries(settings)) {
    const from: ConfigPath = [...at, 'config', key]
    if (key === 'sampling_ratio' || key === 'sampling') continue
    if (key === 'metrics_enabled') put(['observability', 'metrics', 'enabled'], value, from)
    else if (key === 'metrics_exporter') {
      const otlpSet = isRecord(config.observability) && isRecord(config.observability.otlp)
      if (value === 'otlp' && !otlpSet)
        warn(
          from,
          `${dotted(from)}: otlp needs observability.otlp.endpoint (an OTLP/HTTP URL such as http://collector:4318/v1/traces); metrics stay on the Prometheus endpoint only`,
        )
      else if (value === 'otlp' || value === 'memory') {
        if (otlpSet) put(['observability', 'otlp', 'metrics'], value === 'otlp', from)
      } else warn(from, `${dotted(from)} is ignored: expected memory or otlp`)
    } else if (key === 'alerts') {
      if (!Array.isArray(value)) warn(from, `${dotted(from)} is ignored: expected a list of alert rules`)
      else put(['observability', 'alerts'], alertRules(value, from, warn), from)
    } else warn(from, `${dotted(from)} is ignored: not an OtelModule setting this runtime maps (docs/config.md)`)
  }
  const sampling = translateOtelSampling(settings, [...at, 'config'], warn)
  if (!sampling) return
  const observability = config.observability
  if (observability !== undefined && !isRecord(observability)) return
  if (observability?.sampling !== undefined) {
    const key = settings.sampling !== undefined ? 'sampling' : 'sampling_ratio'
    warn([...at, 'config', key], `${dotted([...at, 'config', key])} is ignored: observability.sampling is set`)
    return
  }
  config.observability = { ...observability, sampling: sampling.sampling }
  aliases.push(...sampling.aliases)
}

/** iii alert rules as `observability.alerts` rules (validated afterwards like any). */
function alertRules(rules: unknown[], from: ConfigPath, warn: Warn): unknown[] {
  const out: unknown[] = []
  rules.forEach((r, i) => {
    if (!isRecord(r)) {
      out.push(r) // the schema names the problem
      return
    }
    if (r.enabled === false) return
    const { window_seconds, cooldown_seconds, enabled: _enabled, operator, action, ...rest } = r
    const rule: Record<string, unknown> = {
      ...rest,
      operator: typeof operator === 'string' ? (OPERATORS[operator.toLowerCase()] ?? operator) : (operator ?? '>'),
      window: typeof window_seconds === 'number' ? `${window_seconds}s` : (window_seconds ?? '60s'),
      cooldown: typeof cooldown_seconds === 'number' ? `${cooldown_seconds}s` : (cooldown_seconds ?? '60s'),
    }
    if (isRecord(action) && action.type === 'function') {
      warn(
        [...from, i, 'action'],
        `${dotted([...from, i, 'action'])}: a function action has no counterpart here; the alert is logged (use { type: enqueue, topic } for a step to handle it)`,
      )
      rule.action = { type: 'log' }
    } else if (action !== undefined) rule.action = action
    out.push(rule)
  })
  return out
}

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
