/** Deterministic pseudo-random numbers in [0, 1) (mulberry32): the same seed, the same sequence (k-means, training, benches, test fixtures). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 31-bit integer from `random`, e.g. to seed a TF.js initializer or dropout. */
export function randomInt31(random: () => number): number {
  return Math.floor(random() * 0x7fffffff);
}

/** Fisher–Yates shuffle of `items` in place with `random`; returns the same array. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}
