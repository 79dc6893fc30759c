/**
 * Keys remembered until an event-time deadline: O(1) lookup, eviction by whole generations when
 * the watermark advances, so memory holds only keys whose deadline is (about) still ahead. A key is
 * set once (`add` of a present key is refused), so eviction needs no per-key bookkeeping.
 *
 * `ExpiringMap` keeps a value per key (touch dimensions); `ExpiringSet` only the keys (event ids for
 * dedupe), with one hash operation per `add`.
 */
/** [generation, keys, values] per generation. */
export type ExpiringMapSnapshot<V> = [number, string[], V[]][];

/** Keys grouped by the generation of their deadline. */
class Generations {
  readonly byGeneration = new Map<number, string[]>();
  private minGeneration = Infinity;
  private lastGeneration = NaN;
  private lastKeys: string[] | undefined;

  constructor(readonly generationMs: number) {}

  push(key: string, until: number): void {
    const gen = Math.floor(until / this.generationMs);
    let keys = gen === this.lastGeneration ? this.lastKeys : this.byGeneration.get(gen);
    if (!keys) {
      keys = [];
      this.byGeneration.set(gen, keys);
      if (gen < this.minGeneration) this.minGeneration = gen;
    }
    keys.push(key);
    this.lastGeneration = gen;
    this.lastKeys = keys;
  }

  /** Removes the generations wholly ≤ `watermark` and returns their keys (undefined when none). */
  expire(watermark: number): string[][] | undefined {
    const last = Math.floor(watermark / this.generationMs) - 1;
    if (last < this.minGeneration) return undefined;
    const out: string[][] = [];
    for (const [gen, keys] of this.byGeneration) {
      if (gen > last) continue;
      out.push(keys);
      this.byGeneration.delete(gen);
      if (gen === this.lastGeneration) this.lastKeys = undefined;
    }
    this.minGeneration = Infinity;
    for (const gen of this.byGeneration.keys()) if (gen < this.minGeneration) this.minGeneration = gen;
    return out;
  }
}

export class ExpiringMap<V> {
  private readonly values = new Map<string, V>();
  private readonly generations: Generations;
  /** The last key found by `get` and its value (outcomes look their touch up once per view). */
  private hitKey: string | undefined;
  private hitValue: V | undefined;

  constructor(generationMs: number) {
    this.generations = new Generations(generationMs);
  }

  get size(): number {
    return this.values.size;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  get(key: string): V | undefined {
    if (key === this.hitKey) return this.hitValue;
    const value = this.values.get(key);
    if (value !== undefined) {
      this.hitKey = key;
      this.hitValue = value;
    }
    return value;
  }

  /** Remembers `key` until the watermark reaches `until` (epoch ms); false (and no change) when already present. */
  add(key: string, value: V, until: number): boolean {
    if (this.values.has(key)) return false;
    this.values.set(key, value);
    this.generations.push(key, until);
    return true;
  }

  /**
   * Forgets every key of a generation wholly ≤ `watermark` (keys may outlive their deadline by up to
   * one generation; which keys are dropped depends only on the watermark, so it is deterministic).
   */
  evict(watermark: number): void {
    const expired = this.generations.expire(watermark);
    if (!expired) return;
    for (const keys of expired) for (const key of keys) this.values.delete(key);
    this.hitKey = undefined;
    this.hitValue = undefined;
  }

  /** Column-wise state for checkpoints: per generation, its keys and their values. */
  toJSON(): ExpiringMapSnapshot<V> {
    return [...this.generations.byGeneration].map(([gen, keys]) => [gen, keys, keys.map((k) => this.values.get(k) as V)]);
  }

  static fromJSON<V>(generationMs: number, snapshot: ExpiringMapSnapshot<V>): ExpiringMap<V> {
    const map = new ExpiringMap<V>(generationMs);
    for (const [gen, keys, values] of snapshot) keys.forEach((k, i) => map.add(k, values[i] as V, gen * generationMs));
    return map;
  }
}

/** Like `ExpiringMap` without values; snapshots keep the map's shape (values 0) so checkpoints stay compatible. */
export class ExpiringSet {
  private readonly keys = new Set<string>();
  private readonly generations: Generations;

  constructor(generationMs: number) {
    this.generations = new Generations(generationMs);
  }

  get size(): number {
    return this.keys.size;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Remembers `key` until the watermark reaches `until` (epoch ms); false (and no change) when already present. */
  add(key: string, until: number): boolean {
    const before = this.keys.size;
    this.keys.add(key);
    if (this.keys.size === before) return false;
    this.generations.push(key, until);
    return true;
  }

  /** As `ExpiringMap.evict`. */
  evict(watermark: number): void {
    const expired = this.generations.expire(watermark);
    if (expired) for (const keys of expired) for (const key of keys) this.keys.delete(key);
  }

  toJSON(): ExpiringMapSnapshot<number> {
    return [...this.generations.byGeneration].map(([gen, keys]) => [gen, keys, keys.map(() => 0)]);
  }

  static fromJSON(generationMs: number, snapshot: ExpiringMapSnapshot<unknown>): ExpiringSet {
    const set = new ExpiringSet(generationMs);
    for (const [gen, keys] of snapshot) for (const k of keys) set.add(k, gen * generationMs);
    return set;
  }
}
