/** A minimal typed event: `on` returns an unsubscribe function; a throwing listener cannot break the others. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  on(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  fire(value: T): void {
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch {
        // Listeners are UI refreshes; one failing must not stop the store.
      }
    }
  }
}
