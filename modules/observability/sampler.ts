import type { SamplingConfig, SamplingRule } from '../../runtime/config/schema'
import { issuedTraceIdTail } from '../../runtime/trace-id'
import type { ExecutionParent, SampledTrigger } from '../../runtime/tracing'

/** Not-kept decisions remembered for the console ("not kept: sampled out (ratio 0.1)"). */
const RECENT = 8192

/** Codes of the reasons a decision names (a rule's is RULE + its index). */
const BY_PARENT = 0
const OVER_CAP = 1
const FALLBACK = 2
const RULE = 3

interface Choice {
  /** Kept when the trace id's hash is below this (`ratio` × 2³²). */
  bound: number
  /** Why a trace it drops was not kept. */
  reason: string
  /** `reason`'s code. */
  code: number
}

/**
 * Decides, at the start of each execution, whether its trace is recorded (head sampling), as
 * `observability.sampling` says: parent-based (the cause's decision holds), else the first rule
 * that matches the execution, else `ratio`, compared with the trace id's hash so that every
 * instance decides a trace alike (as OpenTelemetry's TraceIdRatioBased), then the per-second
 * cap on new traces. Errors and slow executions are kept afterwards by `TailSpan`.
 */
export class TraceSampler {
  readonly parentBased: boolean
  readonly keepErrors: boolean
  readonly keepSlowerThan: number | undefined
  private readonly rules: readonly {
    rule: SamplingRule
    test: (name: string, step: string, t: SampledTrigger) => boolean
    choice: Choice
  }[]
  private readonly fallback: Choice
  private lastTrigger: SampledTrigger | undefined
  private lastChoice: Choice | undefined
  private readonly byTrigger = new WeakMap<SampledTrigger, Choice | ((name: string, step: string) => Choice)>()
  private readonly cap: number | undefined
  private second = -1
  private inSecond = 0
  /** Each reason by its code. */
  private readonly reasons: string[]
  /**
   * The last RECENT not-kept decisions as the trace id's hash and the reason's code: numbers in
   * typed arrays, not the id strings, so a not-sampled request leaves nothing behind that the
   * collector must mark (an array of the last 8,192 ids kept each id alive past the young
   * collections). Two ids of one hash (1 in 2³² a pair) share an entry: one may be explained
   * with the other's reason.
   */
  private readonly recentHashes = new Uint32Array(RECENT)
  private readonly recentCodes = new Uint16Array(RECENT)
  private next = 0
  /** The ring went round: every entry holds a decision. */
  private full = false

  constructor(
    readonly config: SamplingConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.parentBased = config.parentBased
    this.keepErrors = config.keepErrors
    this.keepSlowerThan = config.keepSlowerThan
    this.cap = config.maxTracesPerSecond
    this.fallback = choice(config.ratio, `sampled out (ratio ${config.ratio})`, FALLBACK)
    this.rules = config.rules.map((rule, i) => ({
      rule,
      test: matcher(rule),
      choice: choice(rule.ratio, `sampled out (rule ${i + 1}: ${describe(rule)}, ratio ${rule.ratio})`, RULE + i),
    }))
    this.reasons = [
      'sampled out by its parent (traceparent flags 00, or the span that caused it)',
      `over maxTracesPerSecond (${config.maxTracesPerSecond})`,
      this.fallback.reason,
      ...this.rules.map((r) => r.choice.reason),
    ]
  }

  /** Undefined when the execution's trace is recorded; else why not (remembered for `explain`). */
  decide(
    traceId: string,
    parent: ExecutionParent,
    name: string,
    step: string,
    trigger: SampledTrigger,
  ): string | undefined {
    if (parent === 'sampled' && this.parentBased) return undefined
    const h = traceIdHash(traceId)
    let code: number
    if (parent === 'not-sampled' && this.parentBased) code = BY_PARENT
    else {
      const c = this.choiceFor(name, step, trigger)
      if (h >= c.bound) code = c.code
      else if (this.cap !== undefined && !this.underCap()) code = OVER_CAP
      else return undefined
    }
    const i = this.next
    this.recentHashes[i] = h
    this.recentCodes[i] = code
    if (i === RECENT - 1) {
      this.next = 0
      this.full = true
    } else this.next = i + 1
    return this.reasons[code]
  }

  /**
   * Why a trace that is not in the store was not kept, as far as sampling knows: its first
   * decision among the last 8,192, else what the ratios say of its id (`undefined`: sampling would have
   * kept it, so it is unknown or was pruned).
   */
  explain(traceId: string): string | undefined {
    // The oldest entry is the trace's first decision (its root's); later ones say "by its parent".
    // Entries from `next` on are older than those before it (and empty until the ring is full).
    const h = traceIdHash(traceId)
    let at = this.full ? this.recentHashes.indexOf(h, this.next) : -1
    if (at < 0) {
      at = this.recentHashes.indexOf(h)
      if (at >= this.next) at = -1
    }
    if (at >= 0) return this.reasons[this.recentCodes[at]!]
    const all = [this.fallback, ...this.rules.map((r) => r.choice)]
    if (all.every((c) => h >= c.bound)) return this.fallback.reason
    if (h >= this.fallback.bound) return `${this.fallback.reason}, unless a rule kept it`
    return undefined
  }

  /** The choice for an execution: found once per trigger (and name, when a rule matches on names). */
  private choiceFor(name: string, step: string, trigger: SampledTrigger): Choice {
    // The last trigger's choice first: a WeakMap lookup is a call into the VM, a field is not.
    if (trigger === this.lastTrigger) return this.lastChoice!
    const known = this.byTrigger.get(trigger)
    if (known !== undefined) {
      if (typeof known === 'function') return known(name, step)
      this.lastTrigger = trigger
      this.lastChoice = known
      return known
    }
    const find = (n: string, s: string) => this.rules.find((r) => r.test(n, s, trigger))?.choice ?? this.fallback
    // Span names of one trigger are fixed (its route, topic or step) but for a wildcard match: memoised per name.
    const byName = new Map<string, Choice>()
    const perName = (n: string, s: string) => {
      let c = byName.get(n)
      if (!c) {
        c = find(n, s)
        byName.set(n, c)
      }
      return c
    }
    this.byTrigger.set(trigger, this.rules.some((r) => r.rule.name !== undefined) ? perName : find(name, step))
    return this.choiceFor(name, step, trigger)
  }

  private underCap(): boolean {
    const s = Math.floor(this.now() / 1000)
    if (s !== this.second) {
      this.second = s
      this.inSecond = 0
    }
    return this.inSecond++ < this.cap!
  }
}

function choice(ratio: number, reason: string, code: number): Choice {
  return { bound: ratio >= 1 ? 2 ** 32 : Math.floor(ratio * 2 ** 32), reason, code }
}

function describe(rule: SamplingRule): string {
  const parts: string[] = []
  for (const k of ['trigger', 'method', 'route', 'step', 'topic', 'name'] as const)
    if (rule[k] !== undefined) parts.push(`${k} ${rule[k]}`)
  return parts.join(', ') || 'every execution'
}

/** A rule as a predicate; `*` in route, step, topic and name matches any run of characters. */
function matcher(rule: SamplingRule): (name: string, step: string, t: SampledTrigger) => boolean {
  const route = rule.route === undefined ? undefined : glob(rule.route)
  const step = rule.step === undefined ? undefined : glob(rule.step)
  const topic = rule.topic === undefined ? undefined : glob(rule.topic)
  const name = rule.name === undefined ? undefined : glob(rule.name)
  return (n, s, t) =>
    (rule.trigger === undefined || t.type === rule.trigger) &&
    (rule.method === undefined || t.method === rule.method) &&
    (route === undefined || (t.path !== undefined && route.test(t.path))) &&
    (topic === undefined || (t.topic !== undefined && topic.test(t.topic))) &&
    (step === undefined || step.test(s)) &&
    (name === undefined || name.test(n))
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`)
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * A trace id as a number in [0, 2³²): its last 8 hex digits (the random part of a W3C id), or
 * FNV-1a of an id given in another form (`x-trace-id: order-42`). The same on every instance.
 */
export function traceIdHash(traceId: string): number {
  const issued = issuedTraceIdTail(traceId)
  if (issued >= 0) return issued
  const n = traceId.length
  if (n === 32) {
    let h = 0
    for (let i = 24; i < 32; i++) {
      const c = traceId.charCodeAt(i)
      const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1
      if (v < 0) return fnv1a(traceId)
      h = h * 16 + v
    }
    return h
  }
  return fnv1a(traceId)
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}
