/**
 * A bounded, expiring memory for one container: at most `max` entries (the least recently looked-up dropped first),
 * each trusted for `ttlMs` after it was set. A look-up does not extend an entry's life: what it remembers was true
 * when it was set, and is believed only so long after. Pure: the caller passes the time.
 */
export class ExpiringLru<V> {
  readonly #entries = new Map<string, { value: V; at: number }>();
  readonly #ttlMs: number;
  readonly #max: number;

  constructor(options: { ttlMs: number; max: number }) {
    this.#ttlMs = options.ttlMs;
    this.#max = options.max;
  }

  /** The value set for `key` less than the TTL before `now` (a clock gone backwards forgets it too). */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (now - entry.at >= this.#ttlMs || now < entry.at) {
      this.#entries.delete(key);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order, so the first key is the one to drop.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, now: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, at: now });
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
