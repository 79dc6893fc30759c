/**
 * Subgroups as numbers: a subgroup is a sorted set of 1–4 condition ids, packed base B = conditions + 1
 * into one exact integer (< 2^53), so the miner's tallies live in Maps keyed by numbers and
 * typed-array columns rather than in strings and objects.
 */

/** At most this many distinct conditions: B^4 must stay below 2^53. */
export const MAX_CONDITIONS = 9000;
export const MAX_SUBGROUP_SIZE = 4;

export class SubgroupKeys {
  readonly base: number;
  private readonly b2: number;
  private readonly b3: number;

  constructor(conditions: number) {
    if (conditions > MAX_CONDITIONS) throw new RangeError(`at most ${MAX_CONDITIONS} conditions, got ${conditions}`);
    this.base = conditions + 1;
    this.b2 = this.base * this.base;
    this.b3 = this.b2 * this.base;
  }

  /** The key of sorted condition ids (1–4 of them). */
  key(ids: readonly number[]): number {
    const [a, b, c, d] = ids;
    return ((a as number) + 1) * this.b3 + (b === undefined ? 0 : (b + 1) * this.b2) + (c === undefined ? 0 : (c + 1) * this.base) + (d === undefined ? 0 : d + 1);
  }

  /** The condition ids of a key, ascending. */
  ids(key: number): number[] {
    const out: number[] = [];
    let rest = key;
    const digits = [Math.floor(rest / this.b3)];
    rest -= (digits[0] as number) * this.b3;
    digits.push(Math.floor(rest / this.b2));
    rest -= (digits[1] as number) * this.b2;
    digits.push(Math.floor(rest / this.base));
    rest -= (digits[2] as number) * this.base;
    digits.push(rest);
    for (const d of digits) if (d > 0) out.push(d - 1);
    return out;
  }

  /**
   * Calls `visit(key)` for every subset of 1..maxSize of the sorted ids `c` (a touch's conditions).
   * Subsets come in lexicographic order of their ids.
   */
  forEachSubset(c: ArrayLike<number>, maxSize: number, visit: (key: number) => void): void {
    const m = c.length;
    const { base, b2, b3 } = this;
    for (let i = 0; i < m; i++) {
      const k1 = ((c[i] as number) + 1) * b3;
      visit(k1);
      if (maxSize < 2) continue;
      for (let j = i + 1; j < m; j++) {
        const k2 = k1 + ((c[j] as number) + 1) * b2;
        visit(k2);
        if (maxSize < 3) continue;
        for (let l = j + 1; l < m; l++) {
          const k3 = k2 + ((c[l] as number) + 1) * base;
          visit(k3);
          if (maxSize < 4) continue;
          for (let o = l + 1; o < m; o++) visit(k3 + (c[o] as number) + 1);
        }
      }
    }
  }

  /** Keys of the non-empty proper subsets of a subgroup (its generalisations). */
  generalisations(key: number): number[] {
    const ids = this.ids(key);
    const out: number[] = [];
    const n = ids.length;
    for (let mask = 1; mask < (1 << n) - 1; mask++) {
      const sub = ids.filter((_, i) => (mask & (1 << i)) !== 0);
      out.push(this.key(sub));
    }
    return out;
  }
}
