/**
 * Query strings, forms and headers → a plain record where a repeated key becomes an array, in
 * order. Keys come from the client, so any name is an own data property: `__proto__` does not
 * replace the prototype and `constructor` or `hasOwnProperty` do not merge with
 * Object.prototype's. The record stays a plain object (handlers call `queryParams.hasOwnProperty`).
 */
export function multiRecord<V>(entries: Iterable<[string, V]>): Record<string, V | V[]> {
  const out: Record<string, V | V[]> = {}
  for (const [k, v] of entries) addEntry(out, k, v)
  return out
}

export function addEntry<V>(out: Record<string, V | V[]>, key: string, value: V): void {
  if (!Object.hasOwn(out, key)) {
    if (key === '__proto__')
      Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true })
    else out[key] = value
    return
  }
  const prev = out[key]!
  if (Array.isArray(prev)) prev.push(value)
  else out[key] = [prev, value]
}
