import { describe, expect, it } from 'vitest';
import { kmeans } from '../../../embeddings/patterns/kmeans.ts';
import { seededRandom } from '../../../core/seeded-random.ts';

function blobs(seed: number): { points: number[][]; truth: number[] } {
  const random = seededRandom(seed);
  const centres = [[0, 0], [10, 0], [0, 10], [10, 10]];
  const points: number[][] = [];
  const truth: number[] = [];
  for (let i = 0; i < 200; i++) {
    const c = i % 4;
    points.push([(centres[c]![0] as number) + random() - 0.5, (centres[c]![1] as number) + random() - 0.5]);
    truth.push(c);
  }
  return { points, truth };
}

describe('kmeans', () => {
  it('is deterministic for a seed', () => {
    const { points } = blobs(3);
    const w = points.map(() => 1);
    const a = kmeans(points, w, { k: 4, seed: 9 });
    const b = kmeans(points, w, { k: 4, seed: 9 });
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(a.centroids.map((c) => Array.from(c))).toEqual(b.centroids.map((c) => Array.from(c)));
  });

  it('recovers well-separated blobs (each cluster is one blob)', () => {
    const { points, truth } = blobs(5);
    const { assignments, inertia } = kmeans(points, points.map(() => 1), { k: 4, seed: 1 });
    const mapping = new Map<number, number>();
    truth.forEach((t, i) => {
      const a = assignments[i] as number;
      if (!mapping.has(a)) mapping.set(a, t);
      expect(mapping.get(a)).toBe(t);
    });
    expect(mapping.size).toBe(4);
    expect(inertia).toBeLessThan(200 * 0.5);
  });

  it('weights pull the centroid towards heavy points, and k is capped by the number of points', () => {
    const { centroids } = kmeans([[0], [10]], [9, 1], { k: 1, seed: 1 });
    expect(centroids[0]![0]).toBeCloseTo(1, 10);
    const capped = kmeans([[0], [1]], [1, 1], { k: 5, seed: 1 });
    expect(capped.centroids).toHaveLength(2);
    expect(new Set(capped.assignments).size).toBe(2);
  });
});
