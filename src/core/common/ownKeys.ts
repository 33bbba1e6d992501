// Lookups keyed by text from workspace files or the command line. A plain `{}` answers `constructor`,
// `toString` or `hasOwnProperty` from Object.prototype, and assigning to `__proto__` swaps its prototype
// instead of storing a value; these helpers keep such names plain data.

/** A frozen null-prototype copy of a constant table, safe to index with user text. */
export function lookupTable<V>(entries: Readonly<Record<string, V>>): Readonly<Record<string, V>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, V>, entries));
}

/** An empty null-prototype record, for counters and maps filled with user text that never leave the process as-is. */
export function emptyRecord<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

/** Stores `value` as an own property of a plain object, even under the name `__proto__` (as JSON.parse does). */
export function setOwn<V>(target: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The own value of `key`, never one inherited from Object.prototype. */
export function ownValue<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
