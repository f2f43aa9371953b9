import type { ConfigPath } from './interpolate'

type Warn = (path: ConfigPath, message: string) => void
type Aliases = { from: ConfigPath; to: ConfigPath }[]

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** `['modules', 0, 'config']` → `modules[0].config`. */
const dotted = (path: ConfigPath) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')

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
 * `enabled: false` left out, and a `function` action (no functions here) logged instead. Other
 * keys are ignored with a warning. What the file sets itself wins, with a warning.
 */
export function translateIiiOtel(
  config: Record<string, unknown>,
  entry: Record<string, unknown>,
  at: ConfigPath,
  aliases: Aliases,
  warn: Warn,
): void {
  const section = (name: string): Record<string, unknown> => {
    const v = isRecord(config[name]) ? { ...(config[name] as Record<string, unknown>) } : {}
    config[name] = v
    return v
  }
  const put = (path: [string, ...string[]], value: unknown, from: ConfigPath) => {
    let node = section(path[0])
    for (const key of path.slice(1, -1)) {
      node[key] = isRecord(node[key]) ? { ...(node[key] as Record<string, unknown>) } : {}
      node = node[key] as Record<string, unknown>
    }
    const last = path[path.length - 1]!
    if (last in node) return warn(from, `${dotted(from)} is ignored: ${path.join('.')} is set`)
    node[last] = value
    aliases.push({ from: path, to: from })
  }
  const settings = isRecord(entry.config) ? entry.config : {}
  for (const [key, value] of Object.entries(settings)) {
    const from: ConfigPath = [...at, 'config', key]
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
