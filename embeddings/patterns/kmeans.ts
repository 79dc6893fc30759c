/**
 * Weighted k-means (Lloyd) with k-means++ initialisation and several restarts (the lowest inertia
 * wins, as scikit-learn's n_init), seeded: the same points, weights and seed always give the same
 * clusters. Points are configuration embeddings; weights are touches.
 */
import { seededRandom } from '../../core/seeded-random.ts';

export interface KMeansOptions {
  k: number;
  seed?: number;
  maxIterations?: number;
  /** Independent k-means++ starts; the lowest inertia is kept (default 8). */
  restarts?: number;
}

export interface KMeansResult {
  /** Cluster index per point. */
  assignments: Int32Array;
  centroids: Float64Array[];
  iterations: number;
  /** Weighted sum of squared distances to the assigned centroid. */
  inertia: number;
}

export function kmeans(points: ArrayLike<number>[], weights: ArrayLike<number>, options: KMeansOptions): KMeansResult {
  if (points.length === 0) return { assignments: new Int32Array(0), centroids: [], iterations: 0, inertia: 0 };
  const random = seededRandom(options.seed ?? 42);
  let best: KMeansResult | undefined;
  for (let r = 0; r < Math.max(1, options.restarts ?? 8); r++) {
    const run = lloyd(points, weights, options, random);
    if (best === undefined || run.inertia < best.inertia - 1e-12) best = run;
  }
  return best as KMeansResult;
}

function lloyd(points: ArrayLike<number>[], weights: ArrayLike<number>, options: KMeansOptions, random: () => number): KMeansResult {
  const n = points.length;
  const k = Math.max(1, Math.min(options.k, n));
  const centroids = initPlusPlus(points, weights, k, random);
  const assignments = new Int32Array(n).fill(-1);
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 100); iterations++) {
    const changed = assign(points, centroids, assignments);
    if (!changed && iterations > 0) break;
    update(points, weights, centroids, assignments);
  }
  return { assignments, centroids, iterations, inertia: inertiaOf(points, weights, centroids, assignments) };
}

export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const d = (a[j] as number) - (b[j] as number);
    s += d * d;
  }
  return s;
}

/** k-means++: the first centre ∝ weight, each next ∝ weight × squared distance to the nearest centre. */
function initPlusPlus(points: ArrayLike<number>[], weights: ArrayLike<number>, k: number, random: () => number): Float64Array[] {
  const n = points.length;
  const nearest = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const centroids: Float64Array[] = [];
  let next = pick(n, (i) => weights[i] as number, random);
  while (centroids.length < k) {
    const c = Float64Array.from(points[next] as ArrayLike<number>);
    centroids.push(c);
    for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i] as number, squaredDistance(points[i] as ArrayLike<number>, c));
    next = pick(n, (i) => (weights[i] as number) * (nearest[i] as number), random);
  }
  return centroids;
}

/** Index drawn with probability ∝ score (uniform when every score is 0). */
function pick(n: number, score: (i: number) => number, random: () => number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += score(i);
  if (!(total > 0)) return Math.floor(random() * n);
  let r = random() * total;
  for (let i = 0; i < n; i++) {
    r -= score(i);
    if (r <= 0) return i;
  }
  return n - 1;
}

function assign(points: ArrayLike<number>[], centroids: Float64Array[], assignments: Int32Array): boolean {
  let changed = false;
  points.forEach((p, i) => {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    centroids.forEach((c, j) => {
      const d = squaredDistance(p, c);
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    });
    if (assignments[i] !== best) {
      assignments[i] = best;
      changed = true;
    }
  });
  return changed;
}

/** Weighted means; an empty cluster takes the point farthest from its centroid. */
function update(points: ArrayLike<number>[], weights: ArrayLike<number>, centroids: Float64Array[], assignments: Int32Array): void {
  const dim = centroids[0]?.length ?? 0;
  const sums = centroids.map(() => new Float64Array(dim));
  const mass = new Float64Array(centroids.length);
  points.forEach((p, i) => {
    const c = assignments[i] as number;
    const w = Math.max(weights[i] as number, 1e-12);
    mass[c] = (mass[c] as number) + w;
    const s = sums[c] as Float64Array;
    for (let j = 0; j < dim; j++) s[j] = (s[j] as number) + w * (p[j] as number);
  });
  centroids.forEach((c, j) => {
    const m = mass[j] as number;
    if (m > 0) {
      const s = sums[j] as Float64Array;
      for (let d = 0; d < dim; d++) c[d] = (s[d] as number) / m;
      return;
    }
    const far = farthestPoint(points, centroids, assignments);
    c.set(points[far] as ArrayLike<number>);
    assignments[far] = j;
  });
}

function farthestPoint(points: ArrayLike<number>[], centroids: Float64Array[], assignments: Int32Array): number {
  let best = 0;
  let bestD = -1;
  points.forEach((p, i) => {
    const d = squaredDistance(p, centroids[assignments[i] as number] as Float64Array);
    if (d > bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

function inertiaOf(points: ArrayLike<number>[], weights: ArrayLike<number>, centroids: Float64Array[], assignments: Int32Array): number {
  let s = 0;
  points.forEach((p, i) => (s += (weights[i] as number) * squaredDistance(p, centroids[assignments[i] as number] as Float64Array)));
  return s;
}
