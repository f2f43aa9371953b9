/**
 * Stand-ins for the `@motiadev/*` packages that Motia 0.x apps import in `motia.config.ts`:
 * the Workbench plugins (our console replaces the Workbench) and the Redis/BullMQ/RabbitMQ
 * adapters (mapped onto `config.yaml` adapters where this runtime has one). The binary provides
 * them by name, so such apps start unmodified whether or not the packages are in node_modules.
 */

/** Marks a stand-in plugin so the config loader knows it replaces a Workbench plugin. */
export const WORKBENCH_PLUGIN = Symbol.for('motia.workbenchPlugin')

/** The Workbench plugins Motia 0.x shipped (`@motiadev/plugin-<name>` and `.../plugin`). */
export const WORKBENCH_PLUGINS = [
  'bullmq',
  'cron',
  'endpoint',
  'example',
  'logs',
  'observability',
  'states',
  'streams',
  'ws',
] as const

export interface WorkbenchPluginStandIn {
  (): { dirname: string; steps: string[]; workbench: never[] }
  [WORKBENCH_PLUGIN]: string
}

/** What `@motiadev/plugin-<name>/plugin` exports: a plugin that contributes nothing. */
export function workbenchPluginModule(name: string): Record<string, unknown> {
  const plugin = Object.assign(() => ({ dirname: '', steps: [], workbench: [] }), {
    [WORKBENCH_PLUGIN]: `@motiadev/plugin-${name}`,
  }) as WorkbenchPluginStandIn
  return { default: plugin, plugin }
}

/** Marks an adapter stand-in: which package it stands for and what it would replace. */
export const ADAPTER_STAND_IN = Symbol.for('motia.adapterStandIn')

export interface AdapterStandInInfo {
  /** The class name, as the app wrote it. */
  className: string
  packageName: string
  /** What the adapter stores or carries, as in 0.x `adapters: { state, streams, events, cron }`. */
  role: 'state' | 'streams' | 'events' | 'cron'
  backend: 'redis' | 'bullmq' | 'rabbitmq'
  /** The constructor arguments, to read the connection from. */
  args: readonly unknown[]
}

function standIn(
  className: string,
  packageName: string,
  role: AdapterStandInInfo['role'],
  backend: AdapterStandInInfo['backend'],
) {
  const Cls = class {
    readonly [ADAPTER_STAND_IN]: AdapterStandInInfo
    constructor(...args: unknown[]) {
      this[ADAPTER_STAND_IN] = { className, packageName, role, backend, args }
    }
  }
  Object.defineProperty(Cls, 'name', { value: className })
  return Cls
}

/** `@motiadev/adapter-*` packages by name, each with the classes apps construct from it. */
export const ADAPTER_PACKAGES: Record<string, Record<string, unknown>> = {
  '@motiadev/adapter-redis-state': {
    RedisStateAdapter: standIn('RedisStateAdapter', '@motiadev/adapter-redis-state', 'state', 'redis'),
  },
  '@motiadev/adapter-redis-streams': {
    RedisStreamAdapterManager: standIn(
      'RedisStreamAdapterManager',
      '@motiadev/adapter-redis-streams',
      'streams',
      'redis',
    ),
    RedisStreamAdapter: standIn('RedisStreamAdapter', '@motiadev/adapter-redis-streams', 'streams', 'redis'),
  },
  '@motiadev/adapter-redis-cron': {
    RedisCronAdapter: standIn('RedisCronAdapter', '@motiadev/adapter-redis-cron', 'cron', 'redis'),
  },
  '@motiadev/adapter-bullmq-events': {
    BullMQEventAdapter: standIn('BullMQEventAdapter', '@motiadev/adapter-bullmq-events', 'events', 'bullmq'),
  },
  '@motiadev/adapter-rabbitmq-events': {
    RabbitMQEventAdapter: standIn('RabbitMQEventAdapter', '@motiadev/adapter-rabbitmq-events', 'events', 'rabbitmq'),
  },
}

export function adapterStandIn(value: unknown): AdapterStandInInfo | undefined {
  return typeof value === 'object' && value !== null
    ? (value as { [ADAPTER_STAND_IN]?: AdapterStandInInfo })[ADAPTER_STAND_IN]
    : undefined
}
