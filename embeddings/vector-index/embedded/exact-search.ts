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

/** The labels start ≤ label < end that `live` has (a scan of the whole collection without an iterator). */
export interface LabelRange {
  start: number;
  end: number;
  live: { has(label: number): boolean };
}

/** Labels to scan: a typed array or other iterable of labels, or a range of live labels. */
export type LabelSource = Int32Array | Iterable<number> | LabelRange;

const isRange = (s: LabelSource): s is LabelRange => typeof (s as LabelRange).end === 'number';

export function bruteForceSearch(
  metric: Metric,
  dim: number,
  vectors: Float32Array,
  query: ArrayLike<number>,
  partitions: LabelSource[],
  predicate: LabelPredicate,
  k: number,
  /** Precomputed norms by label (cosine): the scan skips recomputing them. */
  norms?: Float32Array,
): Neighbour[] {
  const qNorm = metric === 'cosine' ? Math.sqrt(dot(query, 0, query, dim)) || 1 : 1;
  const best: Neighbour[] = []; // ascending by distance, at most k
  const consider = (label: number): void => {
    if (!predicate(label)) return;
    const distance = metric === 'cosine' && norms !== undefined
      ? 1 - dot(vectors, label * dim, query, dim) / ((norms[label] || 1) * qNorm)
      : distanceAt(metric, dim, vectors, label, query, qNorm);
    if (best.length === k && !closer(distance, label, best[k - 1] as Neighbour)) return;
    for (let i = 0; i < best.length; i++) if ((best[i] as Neighbour).label === label) return; // a label listed by two sources
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && closer(distance, label, best[at - 1] as Neighbour)) {
      best[at] = best[at - 1] as Neighbour;
      at--;
    }
    best[at] = { label, distance };
  };
  for (const source of partitions) {
    if (isRange(source)) {
      for (let label = source.start; label < source.end; label++) if (source.live.has(label)) consider(label);
    } else if (source instanceof Int32Array) {
      for (let i = 0; i < source.length; i++) consider(source[i] as number);
    } else {
      for (const label of source) consider(label);
    }
  }
  return best;
}

function closer(distance: number, label: number, than: Neighbour): boolean {
  return distance < than.distance || (distance === than.distance && label < than.label);
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
  let aa = 0;
  for (let j = 0; j < dim; j++) aa += (vectors[base + j] as number) * (vectors[base + j] as number);
  const aNorm = Math.sqrt(aa) || 1;
  return 1 - ab / (aNorm * qNorm);
}

/** Σ a[aBase + j]·b[j] over j < dim. */
export function dot(a: ArrayLike<number>, aBase: number, b: ArrayLike<number>, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += (a[aBase + j] as number) * (b[j] as number);
  return s;
}

/** Score from an hnswlib distance: similarity (1 − d) for cosine/ip, negative Euclidean distance for l2. */
export function scoreOf(metric: Metric, distance: number): number {
  return metric === 'l2' ? -Math.sqrt(Math.max(0, distance)) : 1 - distance;
}
