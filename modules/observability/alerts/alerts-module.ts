import type { AlertRule } from '../../../runtime/config/alert-schema'
import type { MotiaModule, RuntimeServices } from '../../../runtime/module'
import { METRICS_KEY, type MetricsApi } from '../metrics/metrics-module'
import { type FiredAlert, runAction } from './alert-actions'
import { AGGREGATES_OF, AlertWindow, holds, sampleOf } from './alert-window'

export const ALERTS_KEY = 'alerts'
/** Fired alerts kept for the console, newest last. */
export const MAX_FIRED = 200

/** One rule's state, as the console shows it. */
export interface AlertRuleStatus {
  rule: AlertRule
  /** The figure at the last evaluation (undefined: no data yet). */
  value?: number
  /** Evaluations so far (tests wait on it). */
  evaluations: number
  /** Epoch ms of the last firing. */
  lastFired?: number
  /** Why the rule cannot be evaluated (an aggregate that does not fit the metric's type). */
  problem?: string
}

/** `shared.get('alerts')`: what the console's `/api/alerts` reads. */
export interface AlertsApi {
  rules(): AlertRuleStatus[]
  /** Newest first. */
  fired(): FiredAlert[]
}

/**
 * `observability.alerts`: each rule reads its metric from the runtime's registry every `every`,
 * reduces it over `window` (docs/observability.md, Alerts) and, when the figure crosses the
 * threshold and the last firing is more than `cooldown` ago, fires its action: a log line, a
 * webhook POST, or an enqueue to a topic that a step handles like any message.
 */
export function alertsModule(): MotiaModule {
  let rt: RuntimeServices
  const timers: ReturnType<typeof setInterval>[] = []
  const status: AlertRuleStatus[] = []
  const fired: FiredAlert[] = []
  const stopping = new AbortController()
  const pending = new Set<Promise<void>>()
  let count = 0

  const evaluate = async (s: AlertRuleStatus, window: AlertWindow, metrics: MetricsApi) => {
    const { rule } = s
    const instruments = await metrics.registry.collect()
    const inst = instruments.find((i) => i.name === rule.metric) ?? metrics.registry.instruments.get(rule.metric)
    const now = Date.now()
    window.add(sampleOf(inst, rule, now))
    s.evaluations++
    if (!inst) return
    const fits = AGGREGATES_OF[inst.type]
    const aggregate = rule.aggregate ?? fits[0]!
    if (!fits.includes(aggregate)) {
      if (!s.problem) {
        s.problem = `observability.alerts "${rule.name}": ${rule.metric} is a ${inst.type}; aggregate is one of ${fits.join(', ')}, not ${aggregate}`
        rt.log.error(s.problem)
      }
      return
    }
    const value = window.reduce(aggregate)
    s.value = value
    if (value === undefined || !holds(value, rule.operator, rule.threshold)) return
    if (s.lastFired !== undefined && now - s.lastFired < rule.cooldown) return
    s.lastFired = now
    const alert: FiredAlert = {
      id: `${rule.name}-${++count}`,
      name: rule.name,
      metric: rule.metric,
      labels: rule.labels,
      aggregate,
      window: rule.window,
      operator: rule.operator,
      threshold: rule.threshold,
      value,
      firedAt: now,
      service: {
        name: rt.config.observability.otlp?.serviceName ?? 'motia',
        instanceId: rt.config.instanceId,
      },
      action: rule.action.type,
      delivery: 'pending',
    }
    fired.push(alert)
    if (fired.length > MAX_FIRED) fired.splice(0, fired.length - MAX_FIRED)
    const done = runAction(rule.action, alert, { engine: rt.engine, log: rt.log, signal: stopping.signal })
    pending.add(done)
    void done.finally(() => pending.delete(done))
  }

  const api: AlertsApi = {
    // Webhook header values (credentials, often) stay in the config.
    rules: () =>
      status.map((s) => ({
        ...s,
        rule:
          s.rule.action.type === 'webhook'
            ? {
                ...s.rule,
                action: {
                  ...s.rule.action,
                  headers: Object.fromEntries(Object.keys(s.rule.action.headers).map((k) => [k, '<redacted>'])),
                },
              }
            : s.rule,
      })),
    fired: () => [...fired].reverse(),
  }

  return {
    name: 'alerts',
    dependsOn: ['metrics', 'queue'],
    setup(services) {
      rt = services
      const rules = rt.config.observability.alerts
      if (rules.length === 0) return
      if (!rt.config.observability.metrics.enabled) {
        rt.log.warn('observability.alerts are not evaluated: observability.metrics.enabled is false')
        return
      }
      for (const rule of rules) status.push({ rule, evaluations: 0 })
      rt.shared.set(ALERTS_KEY, api)
    },
    start() {
      const metrics = rt.shared.get(METRICS_KEY) as MetricsApi | undefined
      if (!metrics) return
      for (const s of status) {
        const window = new AlertWindow(s.rule.window)
        let running = false
        const tick = () => {
          if (running) return
          running = true
          evaluate(s, window, metrics)
            .catch((err) => rt.log.error(`observability.alerts "${s.rule.name}": evaluation failed`, { error: err }))
            .finally(() => {
              running = false
            })
        }
        tick() // the baseline a counter's increase is measured from
        const t = setInterval(tick, s.rule.every)
        t.unref?.()
        timers.push(t)
      }
    },
    async stop() {
      for (const t of timers.splice(0)) clearInterval(t)
      stopping.abort()
      await Promise.allSettled([...pending])
      rt?.shared.delete(ALERTS_KEY)
    },
  }
}
