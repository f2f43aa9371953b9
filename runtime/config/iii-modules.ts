/**
 * Motia 1.x projects' iii engine `config.yaml` (`modules:`), translated into this runtime's keys
 * before validation (load-config.ts); OtelModule entries are iii-otel.ts's.
 */
import { translateIiiOtel } from './iii-otel'
import { type ConfigAlias, dotted, isRecord, keySetter } from './iii-translate'
import type { ConfigPath } from './interpolate'

/** Whether `path` is `prefix` or inside it. */
export function startsWith(path: ConfigPath, prefix: ConfigPath): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => String(k) === String(path[i]))
}

const BRIDGE_ADAPTERS: Record<string, { module: string; kind: 'state' | 'streams' }> = {
  'modules::state::adapters::Bridge': { module: 'modules::state::StateModule', kind: 'state' },
  'modules::stream::adapters::Bridge': { module: 'modules::stream::StreamModule', kind: 'streams' },
}

/** A state or stream module whose adapter is iii's Bridge: which one, and the engine it forwards to. */
function bridgeOf(cls: string | undefined, config: unknown): { kind: 'state' | 'streams'; url: unknown } | undefined {
  const adapter = isRecord(config) && isRecord(config.adapter) ? config.adapter : undefined
  const b = typeof adapter?.class === 'string' ? BRIDGE_ADAPTERS[adapter.class] : undefined
  if (!b || b.module !== cls || !isRecord(adapter?.config)) return undefined
  return { kind: b.kind, url: adapter.config.bridge_url }
}

const III_TARGETS: Record<string, 'http' | 'streams'> = {
  'modules::api::RestApiModule': 'http',
  'modules::stream::StreamModule': 'streams',
}

/**
 * Motia 1.x projects carry an iii engine `config.yaml`: a `modules:` list of `{ class, config }`.
 * The REST and stream modules' `port`/`host` become `http.*` / `streams.*` (where the file does
 * not set them itself); everything else is ignored with a warning. `sourcePath` maps a path in
 * the translated config back to where the value was written, for problem locations.
 */
export function translateIiiModules(
  raw: Record<string, unknown>,
  warn: (path: ConfigPath, message: string) => void,
): {
  config: Record<string, unknown>
  sourcePath: (path: ConfigPath) => ConfigPath
  problem?: { path: string; message: string }
} {
  const aliases: ConfigAlias[] = []
  const sourcePath = (path: ConfigPath) => {
    const alias = aliases.find((a) => startsWith(path, a.from))
    return alias ? [...alias.to, ...path.slice(alias.from.length)] : path
  }
  if (!('modules' in raw)) return { config: raw, sourcePath }
  const { modules, ...config } = raw
  // iii's top-level `port:` is its worker port: iii SDK workers attach there (modules/iii).
  if ('port' in config) {
    const { port, ...rest } = config
    const section = isRecord(rest.iii) ? { ...rest.iii } : {}
    if (!('port' in section)) {
      section.port = port
      aliases.push({ from: ['iii', 'port'], to: ['port'] })
    }
    Object.assign(config, rest, { iii: section })
    delete config.port
  }
  if (!Array.isArray(modules)) {
    return {
      config,
      sourcePath,
      problem: { path: 'modules', message: 'expected a list of iii modules ({ class, config })' },
    }
  }
  modules.forEach((m, i) => {
    const entry = isRecord(m) ? m : {}
    const cls = typeof entry.class === 'string' ? entry.class : undefined
    if (cls === 'modules::queue::QueueModule' && rabbitAdapter(entry)) {
      translateIiiRabbit(config, rabbitAdapter(entry)!, ['modules', i, 'config', 'adapter'], aliases, warn)
      return
    }
    if (cls === 'modules::observability::OtelModule') {
      translateIiiOtel(config, entry, ['modules', i], aliases, warn)
      return
    }
    const target = cls === undefined ? undefined : III_TARGETS[cls]
    if (cls === 'modules::queue::QueueModule' && isRecord(entry.config) && isRecord(entry.config.queue_configs)) {
      // iii's named queues serve TriggerAction.Enqueue({ queue }) from its workers (modules/iii/queues.ts).
      const section = isRecord(config.iii) ? { ...config.iii } : {}
      if (!('queues' in section)) {
        section.queues = entry.config.queue_configs
        aliases.push({ from: ['iii', 'queues'], to: ['modules', i, 'config', 'queue_configs'] })
      }
      config.iii = section
      return
    }
    // iii's Bridge adapters: the state / streams functions are served by another engine (modules/iii).
    const bridged = bridgeOf(cls, entry.config)
    if (bridged) {
      const section = isRecord(config.iii) ? { ...config.iii } : {}
      const bridge = isRecord(section.bridge) ? { ...section.bridge } : {}
      if (!(bridged.kind in bridge)) {
        bridge[bridged.kind] = bridged.url
        aliases.push({
          from: ['iii', 'bridge', bridged.kind],
          to: ['modules', i, 'config', 'adapter', 'config', 'bridge_url'],
        })
      }
      config.iii = { ...section, bridge }
      if (!target) return
    }
    if (!target) {
      warn(['modules', i], `modules[${i}] (${cls ?? 'no class'}) is ignored: motia has it built in, see docs/config.md`)
      return
    }
    if (config[target] !== undefined && !isRecord(config[target])) return
    const section: Record<string, unknown> = { ...(config[target] as Record<string, unknown> | undefined) }
    for (const [key, value] of Object.entries(isRecord(entry.config) ? entry.config : {})) {
      const from: ConfigPath = ['modules', i, 'config', key]
      if (key === 'adapter' && bridged) continue
      if (key !== 'port' && key !== 'host') {
        warn(from, `modules[${i}].config.${key} is ignored: only port and host carry over (set ${target}.* instead)`)
      } else if (key in section) {
        warn(from, `modules[${i}].config.${key} is ignored: ${target}.${key} is set`)
      } else {
        section[key] = value
        aliases.push({ from: [target, key], to: from })
      }
    }
    config[target] = section
  })
  return { config, sourcePath }
}

/** The `config.adapter` of an iii QueueModule entry when it is `modules::queue::RabbitMQAdapter`. */
function rabbitAdapter(entry: Record<string, unknown>): Record<string, unknown> | undefined {
  const adapter = isRecord(entry.config) ? entry.config.adapter : undefined
  return isRecord(adapter) && adapter.class === 'modules::queue::RabbitMQAdapter' ? adapter : undefined
}

/**
 * iii's `modules::queue::RabbitMQAdapter` (Motia's engine docs, module-queue.mdx): `amqp_url` →
 * `rabbitmq.url`, `max_attempts` (total) → `queue.defaults.maxRetries` (retries: one less),
 * `prefetch_count` → `queue.defaults.concurrency`, `queue_mode` → `queue.defaults.type`; the
 * queue runs on RabbitMQ. What the file sets itself wins, with a warning.
 */
function translateIiiRabbit(
  config: Record<string, unknown>,
  adapter: Record<string, unknown>,
  at: ConfigPath,
  aliases: { from: ConfigPath; to: ConfigPath }[],
  warn: (path: ConfigPath, message: string) => void,
): void {
  const put = keySetter(config, aliases, warn)
  put(['queue', 'adapter'], 'rabbitmq', [...at, 'class'])
  const settings = isRecord(adapter.config) ? adapter.config : {}
  for (const [key, value] of Object.entries(settings)) {
    const from: ConfigPath = [...at, 'config', key]
    if (key === 'amqp_url') put(['rabbitmq', 'url'], value, from)
    else if (key === 'max_attempts')
      put(['queue', 'defaults', 'maxRetries'], typeof value === 'number' ? value - 1 : value, from)
    else if (key === 'prefetch_count') put(['queue', 'defaults', 'concurrency'], value, from)
    else if (key === 'queue_mode') put(['queue', 'defaults', 'type'], value, from)
    else warn(from, `${dotted(from)} is ignored: not a RabbitMQAdapter setting this runtime maps (docs/config.md)`)
  }
}
