/**
 * Exact (brute-force) search over a small set of labels, with the same distances as hnswlib:
 * cosine 1 − cos(a, b), ip 1 − a·b, l2 squared Euclidean. Used for tiny partitions (a client's
 * private patterns) where a scan is both exact and faster than a filtered graph walk.
 */
import type { Metric } from '../vector-index.ts';
import type { LabelPredicate } from './compile-filter.ts';

export interface Neighbour {
  label: number;
  distance: number;
}

export function bruteForceSearch(
  metric: Metric,
  dim: number,
  vectors: Float32Array,
  query: ArrayLike<number>,
  labels: Iterable<number>,
  predicate: LabelPredicate,
  k: number,
): Neighbour[] {
  const qNorm = metric === 'cosine' ? Math.sqrt(dot(query, 0, query, dim)) || 1 : 1;
  const found: Neighbour[] = [];
  for (const label of labels) {
    if (!predicate(label)) continue;
    found.push({ label, distance: distanceAt(metric, dim, vectors, label, query, qNorm) });
  }
  found.sort((a, b) => a.distance - b.distance || a.label - b.label);
  return found.slice(0, k);
}

function distanceAt(metric: Metric, dim: number, vectors: Float32Array, label: number, query: ArrayLike<number>, qNorm: number): number {
  const base = label * dim;
  if (metric === 'l2') {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const d = (vectors[base + j] as number) - (query[j] as number);
      s += d * d;
    }
    return s;
  }
  const ab = dot(vectors, base, query, dim);
  if (metric === 'ip') return 1 - ab;
  const aNorm = Math.sqrt(dot(vectors, base, vectors.subarray(base, base + dim), dim)) || 1;
  return 1 - ab / (aNorm * qNorm);
}

function dot(a: ArrayLike<number>, aBase: number, b: ArrayLike<number>, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += (a[aBase + j] as number) * (b[j] as number);
  return s;
}

/** Score from an hnswlib distance: similarity (1 − d) for cosine/ip, negative Euclidean distance for l2. */
export function scoreOf(metric: Metric, distance: number): number {
  return metric === 'l2' ? -Math.sqrt(Math.max(0, distance)) : 1 - distance;
}
