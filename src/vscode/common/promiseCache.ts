/**
 * One promise per key, created on first use and shared by every caller while it is pending or fulfilled.
 * A rejected promise is forgotten, so the next call tries again (GitLens's `PromiseCache` with expire-on-error).
 */
export class PromiseCache<K, V> {
  private readonly entries = new Map<K, Promise<V>>();
  private readonly settled = new Map<K, V>();

  /** `discard` receives a value that arrives after its key was deleted (e.g. to dispose it). */
  constructor(private readonly discard: (value: V) => void = () => undefined) {}

  get(key: K, create: () => Promise<V>): Promise<V> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = create();
      this.entries.set(key, entry);
      entry.then(
        (value) => {
          if (this.entries.get(key) === entry) this.settled.set(key, value);
          else this.discard(value);
        },
        () => {
          if (this.entries.get(key) === entry) this.entries.delete(key);
        },
      );
    }
    return entry;
  }

  /** The fulfilled value, for synchronous readers (hovers, counts) that must not start any work. */
  peek(key: K): V | undefined {
    return this.settled.get(key);
  }

  /** Every fulfilled value. */
  values(): V[] {
    return [...this.settled.values()];
  }

  /** Forgets `key` (or everything); returns the fulfilled values it held, for their owner to dispose. */
  delete(key?: K): V[] {
    const keys = key === undefined ? [...this.entries.keys()] : [key];
    const dropped: V[] = [];
    for (const k of keys) {
      const value = this.settled.get(k);
      if (value !== undefined) dropped.push(value);
      this.settled.delete(k);
      this.entries.delete(k);
    }
    return dropped;
  }
}
