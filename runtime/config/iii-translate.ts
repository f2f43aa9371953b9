import type { ConfigPath } from './interpolate'

/** A translated key and where it was written in the iii module (for problem locations). */
export interface ConfigAlias {
  from: ConfigPath
  to: ConfigPath
}

export type Warn = (path: ConfigPath, message: string) => void

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** `['modules', 0, 'config']` → `modules[0].config`. */
export function dotted(path: ConfigPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
}

/**
 * Sets a motia key (`['queue', 'defaults', 'type']`) in the config being translated from an iii
 * module, copying each section on the way so the parsed file is never changed in place, and
 * records where the value was written (`from`). A key the file sets itself wins: the iii value
 * is then ignored with a warning at its place.
 */
export function keySetter(
  config: Record<string, unknown>,
  aliases: ConfigAlias[],
  warn: Warn,
): (path: [string, ...string[]], value: unknown, from: ConfigPath) => void {
  return (path, value, from) => {
    const copy = (parent: Record<string, unknown>, key: string) => {
      const v = isRecord(parent[key]) ? { ...(parent[key] as Record<string, unknown>) } : {}
      parent[key] = v
      return v
    }
    let node = copy(config, path[0])
    for (const key of path.slice(1, -1)) node = copy(node, key)
    const last = path[path.length - 1]!
    if (last in node) return warn(from, `${dotted(from)} is ignored: ${path.join('.')} is set`)
    node[last] = value
    aliases.push({ from: path, to: from })
  }
}
