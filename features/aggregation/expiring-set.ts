/**
 * Keys remembered until an event-time deadline: O(1) lookup, eviction by whole generations when
 * the watermark advances, so memory holds only keys whose deadline is (about) still ahead. A key is
 * set once (`add` of a present key is refused), so eviction needs no per-key bookkeeping.
 */
/** [generation, keys, values] per generation. */
export type ExpiringMapSnapshot<V> = [number, string[], V[]][];

export class ExpiringMap<V> {
  private readonly values = new Map<string, V>();
  private readonly generations = new Map<number, string[]>();
  private minGeneration = Infinity;
  private lastGeneration = NaN;
  private lastKeys: string[] | undefined;

  constructor(private readonly generationMs: number) {}

  get size(): number {
    return this.values.size;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  /** Remembers `key` until the watermark reaches `until` (epoch ms); false (and no change) when already present. */
  add(key: string, value: V, until: number): boolean {
    if (this.values.has(key)) return false;
    this.values.set(key, value);
    const gen = Math.floor(until / this.generationMs);
    let keys = gen === this.lastGeneration ? this.lastKeys : this.generations.get(gen);
    if (!keys) {
      keys = [];
      this.generations.set(gen, keys);
      if (gen < this.minGeneration) this.minGeneration = gen;
    }
    keys.push(key);
    this.lastGeneration = gen;
    this.lastKeys = keys;
    return true;
  }

  /**
   * Forgets every key of a generation wholly ≤ `watermark` (keys may outlive their deadline by up to
   * one generation; which keys are dropped depends only on the watermark, so it is deterministic).
   */
  evict(watermark: number): void {
    const last = Math.floor(watermark / this.generationMs) - 1;
    if (last < this.minGeneration) return;
    for (const gen of [...this.generations.keys()]) {
      if (gen > last) continue;
      for (const key of this.generations.get(gen) as string[]) this.values.delete(key);
      this.generations.delete(gen);
      if (gen === this.lastGeneration) this.lastKeys = undefined;
    }
    this.minGeneration = this.generations.size === 0 ? Infinity : Math.min(...this.generations.keys());
  }

  /** Column-wise state for checkpoints: per generation, its keys and their values. */
  toJSON(): ExpiringMapSnapshot<V> {
    return [...this.generations].map(([gen, keys]) => [gen, keys, keys.map((k) => this.values.get(k) as V)]);
  }

  static fromJSON<V>(generationMs: number, snapshot: ExpiringMapSnapshot<V>): ExpiringMap<V> {
    const map = new ExpiringMap<V>(generationMs);
    for (const [gen, keys, values] of snapshot) keys.forEach((k, i) => map.add(k, values[i] as V, gen * generationMs));
    return map;
  }
}
