import { readdirSync } from 'node:fs';
import os from 'node:os';
import hnswlib from 'hnswlib-node';
import { describe, expect, it } from 'vitest';
import { buildShards } from '../../embeddings/vector-index/embedded/shard-builder.ts';
import type { CollectionSpec } from '../../embeddings/vector-index/vector-index.ts';

const spec: CollectionSpec = { name: 'shards', dimension: 4, metric: 'l2', fields: [] };
const params = { m: 8, efConstruction: 50, randomSeed: 7 };
const point = (label: number) => [label, label % 7, label % 3, 1];
const leftovers = () => readdirSync(os.tmpdir()).filter((f) => f.startsWith(`almanac-shard-${process.pid}-`));

describe('buildShards (worker threads)', () => {
  it('builds a new graph and extends an existing one in parallel, leaving the given graph as it was', async () => {
    const existing = new hnswlib.HierarchicalNSW('l2', 4);
    existing.initIndex({ maxElements: 10, ...params });
    for (let label = 0; label < 10; label++) existing.addPoint(point(label), label);
    const job = (labels: number[], graph?: hnswlib.HierarchicalNSW) => ({
      graph, capacity: (graph?.getCurrentCount() ?? 0) + labels.length,
      labels: Float64Array.from(labels), vectors: Float32Array.from(labels.flatMap(point)),
    });
    const [fresh, extended] = await buildShards(spec, params, [job([100, 101, 102]), job([10, 11, 3], existing)]);
    expect(fresh?.getCurrentCount()).toBe(3);
    expect(fresh?.getIdsList().sort((a, b) => a - b)).toEqual([100, 101, 102]);
    // 10 and 11 are new, 3 is moved to the same place (an update, not an element more)
    expect(extended?.getCurrentCount()).toBe(12);
    for (const label of [0, 5, 9, 10, 11]) expect(extended?.searchKnn(point(label), 1).neighbors).toEqual([label]);
    expect(existing.getCurrentCount()).toBe(10);
    expect(existing.searchKnn(point(11), 1).neighbors).not.toEqual([11]);
    expect(leftovers()).toEqual([]);
  });

  it('rejects when a worker fails, and removes its files', async () => {
    const existing = new hnswlib.HierarchicalNSW('l2', 4);
    existing.initIndex({ maxElements: 2, ...params });
    existing.addPoint(point(1), 1);
    // room for 2 elements, 3 to add: hnswlib refuses the third
    const full = { graph: existing, capacity: 2, labels: Float64Array.from([2, 3]), vectors: Float32Array.from([...point(2), ...point(3)]) };
    const fine = { graph: undefined, capacity: 1, labels: Float64Array.from([9]), vectors: Float32Array.from(point(9)) };
    await expect(buildShards(spec, params, [fine, full])).rejects.toThrow(/exceeds/);
    expect(leftovers()).toEqual([]);
    expect(existing.getCurrentCount()).toBe(1);
  });

  it('rejects only once every worker has finished, so a slower worker leaves no graph file behind', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => i);
    const slow = () => ({ graph: undefined, capacity: many.length, labels: Float64Array.from(many), vectors: Float32Array.from(many.flatMap(point)) });
    // how long the slow job takes on this machine, built alone
    const started = performance.now();
    await buildShards(spec, params, [slow()]);
    const alone = performance.now() - started;
    const existing = new hnswlib.HierarchicalNSW('l2', 4);
    existing.initIndex({ maxElements: 1, ...params });
    const full = { graph: existing, capacity: 1, labels: Float64Array.from([2, 3]), vectors: Float32Array.from([...point(2), ...point(3)]) };
    await expect(buildShards(spec, params, [slow(), full])).rejects.toThrow(/exceeds/);
    // a worker still running after the rejection would write its graph file after the clean-up
    await new Promise((resolve) => setTimeout(resolve, 2 * alone + 200));
    expect(leftovers()).toEqual([]);
  });
});
