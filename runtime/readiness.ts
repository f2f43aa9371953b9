/**
 * Whether one part of the runtime can serve: a module's or an adapter's answer to a readiness
 * probe. `detail` says why not (`redis 127.0.0.1:6379: connection refused`).
 */
export interface Readiness {
  readonly ok: boolean
  readonly detail?: string
}

/** What a load balancer's readiness probe gets: ready when every module is and none drains. */
export interface ReadinessReport {
  readonly ok: boolean
  readonly draining: boolean
  /** One entry per module that answers probes. */
  readonly modules: Readonly<Record<string, Readiness>>
}

/** Something that may answer a readiness probe: a module or an adapter. */
export interface ReadinessProbe {
  ready?(): Promise<Readiness>
}

/** A probe that hangs (a Redis that accepts the connection and says nothing) is a "no" after this. */
export const READINESS_TIMEOUT_MS = 2000

const READY: Readiness = Object.freeze({ ok: true })

/**
 * Asks an adapter (or any probe): no `ready` means nothing to check (memory, or a SQLite file
 * the storage module answers for); a throw or a timeout is a "no" with the reason.
 */
export async function probe(target: ReadinessProbe | undefined, timeoutMs = READINESS_TIMEOUT_MS): Promise<Readiness> {
  if (!target?.ready) return READY
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs)
  })
  try {
    return await Promise.race([
      target.ready().catch((err: unknown) => ({ ok: false, detail: (err as Error)?.message ?? String(err) })),
      late,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Every module that answers probes, asked at once (a probe costs the slowest, not the sum). */
export async function checkReadiness(
  modules: readonly ({ readonly name: string } & ReadinessProbe)[],
  draining: boolean,
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const asked = modules.filter((m) => m.ready)
  const answers = await Promise.all(asked.map((m) => probe(m, timeoutMs)))
  const out: Record<string, Readiness> = {}
  asked.forEach((m, i) => {
    out[m.name] = answers[i]!
  })
  return { ok: !draining && answers.every((a) => a.ok), draining, modules: out }
}
