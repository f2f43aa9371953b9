import type { HistogramSeries, Instrument, Labels } from './registry'

/** Resource attributes shown as `target_info` (OpenTelemetry's Prometheus mapping). */
export type Resource = Readonly<Record<string, string>>

export const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8'
export const OPENMETRICS_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8'

/** Whether a scraper's Accept asks for OpenMetrics (Prometheus does when exemplars are enabled). */
export function wantsOpenMetrics(accept: string | null): boolean {
  return accept !== null && /application\/openmetrics-text/i.test(accept)
}

const UNIT_SUFFIX: Record<string, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  By: 'bytes',
  '1': 'ratio',
}

/**
 * An OpenTelemetry name as Prometheus spells it: dots become underscores, the unit is a suffix
 * (`http.server.request.duration` in `s` → `http_server_request_duration_seconds`), as the
 * OpenTelemetry Prometheus exporter does. Counters get `_total` on their samples.
 */
export function prometheusName(inst: Pick<Instrument, 'name' | 'unit' | 'type'>): string {
  let name = inst.name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/^([0-9])/, '_$1')
  const unit = UNIT_SUFFIX[inst.unit]
  if (unit && !(unit === 'ratio' && inst.type !== 'gauge') && !name.endsWith(`_${unit}`)) name += `_${unit}`
  return name
}

const labelName = (k: string) => k.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1')
const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')

function labelText(labels: Labels, extra?: string): string {
  let out = ''
  for (const k in labels) out += `${out ? ',' : ''}${labelName(k)}="${escapeValue(labels[k]!)}"`
  if (extra) out += `${out ? ',' : ''}${extra}`
  return out ? `{${out}}` : ''
}

const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN')

/**
 * The registry's instruments in Prometheus' text format (0.0.4), or OpenMetrics 1.0 with
 * exemplars (the trace id of a request that fell in each latency bucket) when `openMetrics`.
 */
export function renderPrometheus(instruments: readonly Instrument[], resource: Resource, openMetrics: boolean): string {
  const lines: string[] = []
  lines.push('# HELP target_info Target metadata', '# TYPE target_info gauge')
  lines.push(`target_info${labelText(resource)} 1`)
  for (const inst of instruments) {
    const name = prometheusName(inst)
    const type = inst.type === 'counter' ? 'counter' : inst.type === 'histogram' ? 'histogram' : 'gauge'
    const family = openMetrics && type === 'counter' ? name : type === 'counter' ? `${name}_total` : name
    if (inst.description) lines.push(`# HELP ${family} ${escapeHelp(inst.description)}`)
    lines.push(`# TYPE ${family} ${type}`)
    if (openMetrics && UNIT_SUFFIX[inst.unit] && name.endsWith(`_${UNIT_SUFFIX[inst.unit]}`))
      lines.push(`# UNIT ${family} ${UNIT_SUFFIX[inst.unit]}`)
    for (const s of inst.series.values()) {
      if (type === 'histogram') histogramLines(lines, name, s as HistogramSeries, openMetrics)
      else
        lines.push(
          `${type === 'counter' ? `${name}_total` : name}${labelText(s.labels)} ${num((s as { value: number }).value)}`,
        )
    }
  }
  if (openMetrics) lines.push('# EOF')
  return `${lines.join('\n')}\n`
}

function histogramLines(lines: string[], name: string, s: HistogramSeries, openMetrics: boolean): void {
  let cumulative = 0
  for (let i = 0; i <= s.bounds.length; i++) {
    cumulative += s.counts[i]!
    const le = i < s.bounds.length ? num(s.bounds[i]!) : '+Inf'
    let line = `${name}_bucket${labelText(s.labels, `le="${le}"`)} ${cumulative}`
    const ex = openMetrics ? s.exemplar(i) : undefined
    if (ex) line += ` # {trace_id="${escapeValue(ex.traceId)}"} ${num(ex.value)} ${(ex.time / 1000).toFixed(3)}`
    lines.push(line)
  }
  lines.push(`${name}_sum${labelText(s.labels)} ${num(s.sum)}`)
  lines.push(`${name}_count${labelText(s.labels)} ${s.count}`)
}
