/**
 * Keys remembered until an event-time deadline: O(1) lookup, eviction by whole generations when
 * the watermark advances, so memory holds only keys whose deadline is still ahead.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private readonly generations = new Map<number, string[]>();
  private minGeneration = Infinity;

  constructor(private readonly generationMs: number) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Remembers `key` until the watermark reaches `until` (epoch ms); a re-set keeps the later deadline. */
  set(key: string, value: V, until: number): void {
    const prev = this.entries.get(key);
    if (prev && prev.until >= until) {
      prev.value = value;
      return;
    }
    this.entries.set(key, { value, until });
    const gen = Math.floor(until / this.generationMs);
    const list = this.generations.get(gen);
    if (list) list.push(key);
    else this.generations.set(gen, [key]);
    if (gen < this.minGeneration) this.minGeneration = gen;
  }

  /** Forgets every key whose deadline is ≤ `watermark`. */
  evict(watermark: number): void {
    const last = Math.floor(watermark / this.generationMs) - 1;
    if (last < this.minGeneration) return;
    const gens = last - this.minGeneration > 4096 ? [...this.generations.keys()].filter((g) => g <= last) : range(this.minGeneration, last);
    for (const gen of gens) {
      const keys = this.generations.get(gen);
      if (!keys) continue;
      this.generations.delete(gen);
      for (const key of keys) {
        const entry = this.entries.get(key);
        if (entry && entry.until <= watermark) this.entries.delete(key);
      }
    }
    this.minGeneration = this.generations.size === 0 ? Infinity : Math.min(...this.generations.keys());
  }

  /** Entries as [key, value, until] (for checkpoints). */
  toJSON(): [string, V, number][] {
    return [...this.entries].map(([k, e]) => [k, e.value, e.until]);
  }

  static fromJSON<V>(generationMs: number, rows: [string, V, number][]): ExpiringMap<V> {
    const map = new ExpiringMap<V>(generationMs);
    for (const [k, v, until] of rows) map.set(k, v, until);
    return map;
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let g = from; g <= to; g++) out.push(g);
  return out;
}
