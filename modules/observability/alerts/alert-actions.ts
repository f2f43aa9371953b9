import type { AlertAction } from '../../../runtime/config/alert-schema'
import type { Engine } from '../../../runtime/engine'
import type { StructuredLogger } from '../../../runtime/logger'
import { newTraceId } from '../../../runtime/trace-id'

/** A fired alert, as kept for the console, posted to a webhook and enqueued. */
export interface FiredAlert {
  /** `<rule>-<n>`: unique in this process. */
  id: string
  name: string
  metric: string
  labels: Readonly<Record<string, string>>
  aggregate: string
  /** ms. */
  window: number
  operator: string
  threshold: number
  value: number
  /** Epoch ms. */
  firedAt: number
  service: { name: string; instanceId: string }
  action: AlertAction['type']
  /** How the action went: `pending` until it is done (a webhook retrying). */
  delivery: 'pending' | 'delivered' | 'failed'
  error?: string
}

export interface ActionEnv {
  engine: Engine
  log: Pick<StructuredLogger, 'info' | 'warn' | 'error'>
  /** Aborted when the runtime stops: a retrying webhook gives up. */
  signal: AbortSignal
}

/** The alert without its delivery fields: what leaves the process. */
function payload(alert: FiredAlert): Omit<FiredAlert, 'delivery' | 'error'> {
  const { delivery: _d, error: _e, ...rest } = alert
  return rest
}

/** Runs the rule's action; never throws (a failure is recorded on the alert and logged). */
export async function runAction(action: AlertAction, alert: FiredAlert, env: ActionEnv): Promise<void> {
  try {
    if (action.type === 'log') {
      env.log.warn(
        `alert "${alert.name}" fired: ${alert.metric} ${alert.aggregate} = ${alert.value} (${alert.operator} ${alert.threshold})`,
        { alert: payload(alert) },
      )
    } else if (action.type === 'enqueue') {
      await env.engine.enqueue(
        { topic: action.topic, data: payload(alert) },
        { step: '_alerts', traceId: newTraceId() },
      )
    } else await postWebhook(action, alert, env)
    alert.delivery = 'delivered'
  } catch (err) {
    alert.delivery = 'failed'
    alert.error = (err as Error)?.message ?? String(err)
    env.log.error(`alert "${alert.name}": its ${action.type} action failed: ${alert.error}`, { alertId: alert.id })
  }
}

/** Status codes worth another attempt: the receiver may answer next time. */
const retriable = (status: number) => status === 408 || status === 429 || status >= 500

/** POSTs the alert as JSON; retries a network error, a timeout, 408, 429 or 5xx with doubling waits. */
async function postWebhook(action: Extract<AlertAction, { type: 'webhook' }>, alert: FiredAlert, env: ActionEnv) {
  const body = JSON.stringify(payload(alert))
  let wait = action.backoff
  for (let attempt = 0; ; attempt++) {
    let problem: string
    try {
      const res = await fetch(action.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...action.headers },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(action.timeout), env.signal]),
      })
      await res.arrayBuffer().catch(() => undefined)
      if (res.ok) return
      problem = `${action.url} answered ${res.status}`
      if (!retriable(res.status)) throw new Error(problem)
    } catch (err) {
      if (env.signal.aborted) throw new Error(`${action.url}: not delivered before shutdown`)
      const e = err as Error
      if (/ answered \d+$/.test(e.message ?? '')) throw err // an answer not worth retrying
      problem =
        e?.name === 'TimeoutError' ? `${action.url} timed out after ${action.timeout} ms` : String(e?.message ?? e)
    }
    if (attempt >= action.retries) throw new Error(`${problem} (after ${attempt + 1} attempts)`)
    env.log.warn(`alert "${alert.name}": webhook ${problem}; retrying in ${wait} ms`)
    await sleepUnless(wait, env.signal)
    wait *= 2
  }
}

function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
