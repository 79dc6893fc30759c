import os from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { seededRandom } from '../../core/seeded-random.ts';
import { compileFilter } from '../../embeddings/vector-index/embedded/compile-filter.ts';
import { createEmbeddedVectorIndex } from '../../embeddings/vector-index/embedded/embedded-vector-index.ts';
import { DEFAULT_TUNING, HnswCollection } from '../../embeddings/vector-index/embedded/hnsw-collection.ts';
import type { VectorFilter, VectorIndex, VectorRecord } from '../../embeddings/vector-index/vector-index.ts';

const N = 6000;
const DIM = 8;
const random = seededRandom(11);
const records: VectorRecord[] = Array.from({ length: N }, (_, i) => ({
  id: `r${i}`,
  vector: Array.from({ length: DIM }, () => random() * 2 - 1),
  tenant: `t${i % 20}`,
  metadata: { segment: `s${Math.floor(random() * 10)}`, score: random(), tags: i % 97 === 0 ? ['rare', 'x'] : ['x'] },
}));
const fields = [{ name: 'segment', type: 'string' }, { name: 'score', type: 'number' }, { name: 'tags', type: 'string[]' }] as const;

/** Reference: exact cosine top-k over the records passing `allow`, best first. */
function exactTopK(q: number[], k: number, allow: (r: VectorRecord) => boolean, over: VectorRecord[] = records): string[] {
  const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
  return over
    .filter(allow)
    .map((r) => ({ id: r.id, s: Array.from(r.vector).reduce((s, x, j) => s + x * (q[j] as number), 0) / (norm(r.vector) * norm(q)) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}

const meta = (r: VectorRecord) => r.metadata as { segment: string; score: number; tags: string[] };
const cases: { name: string; filter: VectorFilter; allow: (r: VectorRecord) => boolean; share: number }[] = [
  { name: 'tenant + segment (0.5%)', filter: { tenants: ['t3'], conditions: [{ field: 'segment', op: 'eq', value: 's4' }] }, allow: (r) => r.tenant === 't3' && meta(r).segment === 's4', share: 0.005 },
  { name: 'rare tag (1%)', filter: { conditions: [{ field: 'tags', op: 'contains_any', values: ['rare'] }] }, allow: (r) => meta(r).tags.includes('rare'), share: 0.01 },
  { name: 'segment + narrow range (~2%)', filter: { conditions: [{ field: 'segment', op: 'in', values: ['s1', 's2'] }, { field: 'score', op: 'range', gte: 0.2, lt: 0.3 }] }, allow: (r) => ['s1', 's2'].includes(meta(r).segment) && meta(r).score >= 0.2 && meta(r).score < 0.3, share: 0.02 },
  { name: 'two tenants + range (~1%)', filter: { tenants: ['t1', 't2'], conditions: [{ field: 'score', op: 'range', gt: 0.5, lte: 0.6 }] }, allow: (r) => ['t1', 't2'].includes(r.tenant) && meta(r).score > 0.5 && meta(r).score <= 0.6, share: 0.01 },
];
const queries = Array.from({ length: 30 }, () => Array.from({ length: DIM }, () => random() * 2 - 1));

describe('embedded VectorIndex: selective filters are answered by an exact scan of the matches', () => {
  let index: VectorIndex;
  beforeAll(async () => {
    index = createEmbeddedVectorIndex(loadConfig({ env: {}, overrides: { home: os.tmpdir() } }), { persist: false, tuning: { exactMatchesMax: 500, exactScanMax: 2000 } });
    await index.init();
    await index.ensureCollection({ name: 'sel', dimension: DIM, metric: 'cosine', fields: [...fields] });
    await index.upsert('sel', records);
    await index.delete('sel', ['r5', 'r6']); // deleted labels are never returned by the range scan
  });

  for (const c of cases) {
    it(`${c.name}: the same ids in the same order as an exact search, for every query (even at ef = k)`, async () => {
      for (const q of queries) {
        const hits = await index.search('sel', { vector: q, topK: 10, ef: 10, filter: c.filter });
        const truth = exactTopK(q, 10, (r) => r.id !== 'r5' && r.id !== 'r6' && c.allow(r));
        expect(hits.map((h) => h.id)).toEqual(truth);
      }
    });
  }

  it('a broad filter (about 60% pass: plain walk, then the predicate) gives the exact filtered top-k', async () => {
    const broad: VectorFilter = { tenants: ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9', 't10', 't11', 't12'], conditions: [{ field: 'score', op: 'range', gte: 0.05 }] };
    for (const q of queries) {
      const hits = await index.search('sel', { vector: q, topK: 10, filter: broad });
      const tenants = new Set(broad.tenants);
      expect(hits.map((h) => h.id)).toEqual(exactTopK(q, 10, (r) => r.id !== 'r5' && r.id !== 'r6' && tenants.has(r.tenant) && meta(r).score >= 0.05));
    }
  });

  it('returns every match (fewer than topK) when the filter passes only a few records', async () => {
    const filter: VectorFilter = { tenants: ['t7'], conditions: [{ field: 'tags', op: 'contains_any', values: ['rare'] }] };
    const hits = await index.search('sel', { vector: queries[0] as number[], topK: 50, filter });
    expect(hits.map((h) => h.id).sort()).toEqual(records.filter((r) => r.tenant === 't7' && meta(r).tags.includes('rare')).map((r) => r.id).sort());
  });

  it('keeps the inverted lists in step with upserts and deletes (moved tags, removed records)', async () => {
    const idx = createEmbeddedVectorIndex(loadConfig({ env: {}, overrides: { home: os.tmpdir() } }), { persist: false, tuning: { exactMatchesMax: 500, exactScanMax: 2000 } });
    await idx.init();
    await idx.ensureCollection({ name: 'moves', dimension: DIM, metric: 'cosine', fields: [...fields] });
    await idx.upsert('moves', records);
    const rare: VectorFilter = { conditions: [{ field: 'tags', op: 'contains_any', values: ['rare', 'new'] }] };
    await idx.search('moves', { vector: queries[0] as number[], topK: 10, filter: rare }); // builds the lists
    const changed = records.slice(0, 400).map((r, i) => ({ ...r, metadata: { ...meta(r), tags: meta(r).tags.includes('rare') ? ['x'] : i % 5 === 0 ? ['new', 'rare'] : ['x'] } }));
    await idx.upsert('moves', changed);
    await idx.delete('moves', ['r5', 'r970']);
    const current = new Map(records.map((r) => [r.id, r]));
    for (const r of changed) current.set(r.id, r);
    current.delete('r5');
    current.delete('r970');
    for (const q of queries) {
      const hits = await idx.search('moves', { vector: q, topK: 10, ef: 10, filter: rare });
      expect(hits.map((h) => h.id)).toEqual(exactTopK(q, 10, (r) => meta(r).tags.some((t) => t === 'rare' || t === 'new'), [...current.values()]));
    }
  });

  it('returns each hit with its stored vector when asked (and without it otherwise)', async () => {
    const [withVector] = await index.search('sel', { vector: queries[1] as number[], topK: 1, includeVectors: true });
    const [without] = await index.search('sel', { vector: queries[1] as number[], topK: 1 });
    const stored = records.find((r) => r.id === withVector?.id) as VectorRecord;
    expect(withVector?.vector).toEqual(Array.from(Float32Array.from(stored.vector)));
    expect(without).not.toHaveProperty('vector');
  });
});

describe('HnswCollection.estimateMatches', () => {
  // parallelBuildMin 0: every upsert adds in place, so the collection is filled when upsert() returns (no await in a describe body)
  const coll = new HnswCollection({ name: 'est', dimension: DIM, metric: 'cosine', fields: [...fields] }, { ...DEFAULT_TUNING, exactMatchesMax: 500, exactScanMax: 2000, parallelBuildMin: 0 });
  void coll.upsert(records);
  const target = { collection: 'est', columns: coll.columns, tenants: coll.tenants, tenantOf: () => coll.tenantOf };

  for (const c of [...cases, { name: 'no filter', filter: {}, allow: () => true, share: 1 }]) {
    it(`${c.name}: estimates the match count from a sample of the metadata columns (within ±${Math.round(N * 0.03)})`, () => {
      const actual = records.filter(c.allow).length;
      expect(Math.abs(coll.estimateMatches(compileFilter(target, c.filter)) - actual)).toBeLessThanOrEqual(N * 0.03);
    });
  }

  it('plans an exact scan for the selective filters and the graph walk for broad ones', () => {
    for (const c of cases) expect(coll.exactScan(compileFilter(target, c.filter), true), c.name).toBeDefined();
    const broad: VectorFilter = { conditions: [{ field: 'tags', op: 'contains_any', values: ['x'] }] }; // 6000 labels: more than exactScanMax (2000) to scan, and 6000 estimated matches
    expect(coll.exactScan(compileFilter(target, broad), true)).toBeUndefined();
    expect(coll.exactScan(compileFilter(target, {}), false)).toBeUndefined();
    const off = new HnswCollection(coll.spec, { ...DEFAULT_TUNING, bruteForceMax: 0, exactMatchesMax: 0, exactScanMax: 0, parallelBuildMin: 0 });
    void off.upsert(records);
    expect(off.exactScan(compileFilter({ ...target, columns: off.columns, tenants: off.tenants, tenantOf: () => off.tenantOf }, (cases[0] as { filter: VectorFilter }).filter), true)).toBeUndefined();
  });
});
