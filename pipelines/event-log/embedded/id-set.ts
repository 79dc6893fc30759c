/**
 * A set of 52-bit id hashes (core/stable-hash.ts `hash52`) in one open-addressing table
 * (Float64Array, linear probing, grows ×2 at 70 % load): 10M ids take 128 MB, no per-entry objects.
 * Hash 0 is stored as 2^52 because 0 marks an empty slot.
 */
const EMPTY_KEY_SUBSTITUTE = 2 ** 52;
const MAX_LOAD = 0.7;

export class IdSet {
  private table: Float64Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 12) {
    let cap = 16;
    while (cap * MAX_LOAD < capacity) cap *= 2;
    this.table = new Float64Array(cap);
    this.mask = cap - 1;
  }

  has(hash: number): boolean {
    const key = hash === 0 ? EMPTY_KEY_SUBSTITUTE : hash;
    const table = this.table;
    for (let i = (key >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const v = table[i] as number;
      if (v === key) return true;
      if (v === 0) return false;
    }
  }

  /** Adds a hash; false when it was already present. */
  add(hash: number): boolean {
    const key = hash === 0 ? EMPTY_KEY_SUBSTITUTE : hash;
    if ((this.size + 1) > this.table.length * MAX_LOAD) this.grow();
    const table = this.table;
    for (let i = (key >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const v = table[i] as number;
      if (v === key) return false;
      if (v === 0) {
        table[i] = key;
        this.size++;
        return true;
      }
    }
  }

  /** Every stored key (for checkpoints), in table order. */
  keys(): Float64Array {
    const out = new Float64Array(this.size);
    let n = 0;
    for (const v of this.table) if (v !== 0) out[n++] = v;
    return out;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.mask = this.table.length - 1;
    this.size = 0;
    for (const v of old) if (v !== 0) this.add(v);
  }
}
