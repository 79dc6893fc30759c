import fs, { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createEmbeddedVectorIndex } from '../../embeddings/vector-index/embedded/embedded-vector-index.ts';
import type { VectorRecord } from '../../embeddings/vector-index/vector-index.ts';
import { vectorIndexContract } from '../contracts/vector-index.contract.ts';

const homes: string[] = [];
function home(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'almanac-vec-'));
  homes.push(dir);
  return dir;
}
afterAll(() => homes.forEach((d) => rmSync(d, { recursive: true, force: true })));

const config = (dir: string) => loadConfig({ env: {}, overrides: { home: dir } });

vectorIndexContract('embedded', async () => {
  const index = createEmbeddedVectorIndex(config(home()));
  await index.init();
  return index;
});

// Same contract with exact scans disabled (small partitions and selective filters), so every filtered search walks the HNSW graph with the filter callback.
vectorIndexContract('embedded (graph walk only)', async () => {
  const index = createEmbeddedVectorIndex(config(home()), { tuning: { bruteForceMax: 0, exactMatchesMax: 0, exactScanMax: 0 } });
  await index.init();
  return index;
});

// Same contract with three shards built in worker threads on every upsert (the parallel build) and graph walks only.
vectorIndexContract('embedded (3 shards, every upsert built in workers)', async () => {
  const index = createEmbeddedVectorIndex(config(home()), { tuning: { shards: 3, parallelBuildMin: 1, bruteForceMax: 0, exactMatchesMax: 0, exactScanMax: 0 } });
  await index.init();
  return index;
});

// Same contract searched through inverted lists from the first record (cosine collections; small ones keep their writes in the overflow) and no exact scans.
vectorIndexContract('embedded (inverted lists)', async () => {
  const index = createEmbeddedVectorIndex(config(home()), { tuning: { listsMin: 1, bruteForceMax: 0, exactMatchesMax: 0, exactScanMax: 0 } });
  await index.init();
  return index;
});

describe('embedded VectorIndex shards', () => {
  const dims = 8;
  const randomVectors = (n: number, seed: number) => {
    let s = seed >>> 0;
    const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
    return Array.from({ length: n }, () => Array.from({ length: dims }, r));
  };
  const cosine = (a: number[], b: number[]) => {
    let dot = 0, na = 0, nb = 0;
    for (let j = 0; j < a.length; j++) { dot += (a[j] as number) * (b[j] as number); na += (a[j] as number) ** 2; nb += (b[j] as number) ** 2; }
    return dot / Math.sqrt(na * nb);
  };

  it('in-place adds, a re-sharding parallel build, deletes and reused labels search like an exact scan, before and after reopening', async () => {
    const dir = home();
    const tuning = { shards: 3, parallelBuildMin: 500, bruteForceMax: 0, exactMatchesMax: 0, exactScanMax: 0, ef: 400 };
    const index = createEmbeddedVectorIndex(config(dir), { tuning });
    await index.init();
    await index.ensureCollection({ name: 's', dimension: dims, metric: 'cosine', fields: [{ name: 'tag', type: 'string' }] });
    const live = new Map<string, { vector: number[]; tag: string }>();
    const put = async (ids: string[], vectors: number[][]) => {
      const records = ids.map((id, i) => ({ id, vector: vectors[i] as number[], tenant: 'global', metadata: { tag: i % 2 === 0 ? 'even' : 'odd' } }));
      await index.upsert('s', records);
      records.forEach((r) => live.set(r.id, { vector: r.vector, tag: r.metadata.tag }));
    };
    await put(Array.from({ length: 40 }, (_, i) => `b${i}`), randomVectors(40, 2)); // in place, one graph
    await put(Array.from({ length: 1500 }, (_, i) => `a${i}`), randomVectors(1500, 1)); // re-sharded: three new graphs, built in workers with the 40
    await put(Array.from({ length: 30 }, (_, i) => `e${i}`), randomVectors(30, 4)); // in place, in the three graphs
    const gone = Array.from({ length: 300 }, (_, i) => `a${i * 5}`);
    await index.delete('s', gone);
    gone.forEach((id) => live.delete(id));
    // workers again: 300 new ids take the freed labels, 300 existing ids move, 100 are appended
    await put([...Array.from({ length: 400 }, (_, i) => `c${i}`), ...Array.from({ length: 300 }, (_, i) => `a${i * 5 + 1}`)], randomVectors(700, 3));
    expect(await index.count('s')).toBe(live.size);
    const folder = path.join(dir, 'vector', 's');
    const gen = fs.readFileSync(path.join(folder, 'CURRENT'), 'utf8').trim();
    expect(fs.readdirSync(folder).filter((f) => f.includes('.index')).sort()).toEqual([`${gen}.index.1.bin`, `${gen}.index.2.bin`, `${gen}.index.bin`]);

    const check = async (reader: typeof index) => {
      let found = 0;
      let wanted = 0;
      for (const [qi, q] of randomVectors(40, 9).entries()) {
        const tag = qi % 2 === 0 ? undefined : 'odd';
        const truth = [...live].filter(([, v]) => tag === undefined || v.tag === tag).map(([id, v]) => ({ id, score: cosine(q, v.vector) }))
          .sort((x, y) => y.score - x.score).slice(0, 10).map((h) => h.id);
        const filter = tag === undefined ? undefined : { conditions: [{ field: 'tag', op: 'eq' as const, value: tag }] };
        const hits = await reader.search('s', { vector: q, topK: 10, ...(filter ? { filter } : {}) });
        expect(hits.every((h) => live.has(h.id) && (tag === undefined || live.get(h.id)?.tag === tag))).toBe(true);
        found += hits.filter((h) => truth.includes(h.id)).length;
        wanted += truth.length;
      }
      expect(found / wanted).toBeGreaterThanOrEqual(0.98);
      const [moved] = await reader.get('s', ['a1']);
      expect(moved?.vector.map((x) => Math.fround(x))).toEqual((live.get('a1')?.vector ?? []).map((x) => Math.fround(x)));
    };
    await check(index);
    await index.close();
    const reopened = createEmbeddedVectorIndex(config(dir), { tuning });
    await reopened.init();
    expect(await reopened.count('s')).toBe(live.size);
    await check(reopened);
    await reopened.close();
  });

  it('an empty graph read back from disk (a new collection, a re-shard\'s empty shard) takes records added in place', async () => {
    const dir = home();
    const rec = (id: string, vector: number[]) => ({ id, vector, tenant: 'global', metadata: {} });
    const first = createEmbeddedVectorIndex(config(dir), { tuning: { shards: 1 } });
    await first.init();
    await first.ensureCollection({ name: 'new', dimension: 2, metric: 'l2', fields: [] });
    // two records re-shard into three graphs: labels 0 and 1, the third graph stays empty
    const sharded = createEmbeddedVectorIndex(config(dir), { tuning: { shards: 3, parallelBuildMin: 2 } });
    await sharded.init();
    await sharded.ensureCollection({ name: 'split', dimension: 2, metric: 'l2', fields: [] });
    await sharded.upsert('split', [rec('x', [1, 0]), rec('y', [0, 1])]);
    await first.close();
    await sharded.close();
    const reopened = createEmbeddedVectorIndex(config(dir), { tuning: { shards: 3, parallelBuildMin: 2, bruteForceMax: 0 } });
    await reopened.init();
    await reopened.upsert('new', [rec('a', [1, 1])]);
    await reopened.upsert('split', [rec('z', [-1, 0])]); // label 2: the empty graph
    expect((await reopened.search('new', { vector: [1, 1], topK: 1 }))[0]?.id).toBe('a');
    expect((await reopened.search('split', { vector: [-1, 0.1], topK: 1 }))[0]?.id).toBe('z');
    expect(await reopened.count('split')).toBe(3);
    await reopened.close();
  });

  it('a collection saved in format 1 (before shards and the columns file) still loads, searches and takes upserts', async () => {
    const dir = home();
    const one = createEmbeddedVectorIndex(config(dir), { tuning: { shards: 1 } });
    await one.init();
    await one.ensureCollection({ name: 'old', dimension: 2, metric: 'cosine', fields: [] });
    await one.upsert('old', [{ id: 'x', vector: [1, 0], tenant: 'global', metadata: {} }, { id: 'y', vector: [0, 1], tenant: 'global', metadata: {} }]);
    await one.close();
    const folder = path.join(dir, 'vector', 'old');
    const gen = fs.readFileSync(path.join(folder, 'CURRENT'), 'utf8').trim();
    expect(fs.readdirSync(folder).filter((f) => f.includes('.index')).sort()).toEqual([`${gen}.index.bin`]);
    // the state as written before shards and the columns file (format 1: ids and cells in the JSON, no shard count)
    const stateFile = path.join(folder, `${gen}.state.json`);
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { spec: unknown; nextLabel: number; tenants: string[] };
    expect(state).toMatchObject({ format: 2, nextLabel: 2, tenants: ['global'] });
    fs.writeFileSync(stateFile, JSON.stringify({ format: 1, spec: state.spec, nextLabel: 2, ids: ['x', 'y'], tenants: ['global'], tenantOf: [0, 0], columns: [], free: [] }));
    fs.rmSync(path.join(folder, `${gen}.columns.bin`));
    const many = createEmbeddedVectorIndex(config(dir), { tuning: { shards: 4, bruteForceMax: 0 } });
    await many.init();
    expect((await many.search('old', { vector: [0.1, 1], topK: 1 }))[0]?.id).toBe('y');
    await many.upsert('old', [{ id: 'z', vector: [-1, 0], tenant: 'global', metadata: {} }]);
    expect((await many.search('old', { vector: [-1, 0.1], topK: 1 }))[0]?.id).toBe('z');
    await many.close();
  });
});

describe('embedded VectorIndex HNSW parameters from the configuration', () => {
  it('ALMANAC_HNSW_M sets the degree of new graphs (a saved graph keeps its own) and out-of-range values are refused with the field', async () => {
    const rng = (() => { let s = 7; return () => ((s = (s * 48271) % 2147483647) / 2147483647); })();
    const records: VectorRecord[] = Array.from({ length: 2000 }, (_, i) => ({ id: `r${i}`, vector: Array.from({ length: 8 }, rng), tenant: 'global', metadata: {} }));
    const graphBytes = async (env: Record<string, string>) => {
      const dir = home();
      const index = createEmbeddedVectorIndex(loadConfig({ env, overrides: { home: dir } }), { tuning: { parallelBuildMin: 0 } });
      await index.init();
      await index.ensureCollection({ name: 'm', dimension: 8, metric: 'l2', fields: [] });
      await index.upsert('m', records);
      const hits = await index.search('m', { vector: records[5]?.vector as number[], topK: 1 });
      await index.close();
      const folder = path.join(dir, 'vector', 'm');
      return { hit: hits[0]?.id, bytes: fs.readdirSync(folder).filter((f) => f.includes('.index')).reduce((n, f) => n + fs.statSync(path.join(folder, f)).size, 0) };
    };
    const small = await graphBytes({ ALMANAC_HNSW_M: '4' });
    const large = await graphBytes({ ALMANAC_HNSW_M: '32', ALMANAC_HNSW_EF_CONSTRUCTION: '64' });
    expect([small.hit, large.hit]).toEqual(['r5', 'r5']);
    // level-0 links: 2·M per vector, 4 bytes each
    expect(large.bytes - small.bytes).toBeGreaterThan(2000 * (64 - 8) * 4 * 0.9);
    expect(() => loadConfig({ env: { ALMANAC_HNSW_M: '1' } })).toThrow(/vector\.embedded\.m/);
    expect(() => loadConfig({ env: { ALMANAC_HNSW_EF_CONSTRUCTION: 'wide' } })).toThrow(/ALMANAC_HNSW_EF_CONSTRUCTION/);
  });
});

describe('embedded VectorIndex persistence', () => {
  it('the columns file round-trips ids and every field type, missing cells and freed labels included', async () => {
    const dir = home();
    const fields = [{ name: 'n', type: 'number' }, { name: 'b', type: 'bool' }, { name: 's', type: 'string' }, { name: 'l', type: 'string[]' }] as const;
    const first = createEmbeddedVectorIndex(config(dir));
    await first.init();
    await first.ensureCollection({ name: 'cols', dimension: 2, metric: 'l2', fields: fields.map((f) => ({ ...f })) });
    const long = `long-${'é'.repeat(5000)}`;
    const records: VectorRecord[] = [
      { id: 'plain', vector: [1, 2], tenant: 'global', metadata: { n: -0.5, b: true, s: 'x', l: ['a', 'b'] } },
      { id: 'ünïcødé ✓', vector: [3, 4], tenant: 'client_1', metadata: { n: 1e300, b: false, s: '', l: [] } },
      { id: long, vector: [5, 6], tenant: 'global', metadata: {} },
      { id: 'gone', vector: [7, 8], tenant: 'client_2', metadata: { n: 1, s: 'y', l: ['c'] } },
      { id: 'last', vector: [9, 10], tenant: 'client_2', metadata: { l: ['b', 'c', 'a'] } },
    ];
    await first.upsert('cols', records);
    await first.delete('cols', ['gone']);
    const before = await first.get('cols', records.map((r) => r.id));
    await first.close();
    const second = createEmbeddedVectorIndex(config(dir));
    await second.init();
    const after = await second.get('cols', records.map((r) => r.id));
    expect(after).toEqual(before);
    expect(after.map((r) => r.id)).toEqual(['plain', 'ünïcødé ✓', long, 'last']);
    expect(after[0]).toEqual({ id: 'plain', vector: [1, 2], tenant: 'global', metadata: { n: -0.5, b: true, s: 'x', l: ['a', 'b'] } });
    expect(after[2]?.metadata).toEqual({});
    // the freed label is reused, and a filter on each type still answers from the reloaded columns
    await second.upsert('cols', [{ id: 'new', vector: [7, 8], tenant: 'global', metadata: { s: 'y' } }]);
    const hit = async (c: object) => (await second.search('cols', { vector: [0, 0], topK: 10, filter: { conditions: [c as never] } })).map((h) => h.id).sort();
    expect(await hit({ field: 'l', op: 'contains_any', values: ['c'] })).toEqual(['last']);
    expect(await hit({ field: 'b', op: 'eq', value: false })).toEqual(['ünïcødé ✓']);
    expect(await hit({ field: 's', op: 'eq', value: 'y' })).toEqual(['new']);
    expect(await hit({ field: 'n', op: 'range', gt: 0 })).toEqual(['ünïcødé ✓']);
    await second.close();
  });

  it('reloads collections, deletes and aliases after reopen', async () => {
    const dir = home();
    const first = createEmbeddedVectorIndex(config(dir));
    await first.init();
    await first.ensureCollection({ name: 'c1', dimension: 3, metric: 'cosine', fields: [{ name: 'tag', type: 'string' }] });
    await first.upsert('c1', [
      { id: 'a', vector: [1, 0, 0], tenant: 'global', metadata: { tag: 'x' } },
      { id: 'b', vector: [0, 1, 0], tenant: 'client_1', metadata: { tag: 'y' } },
      { id: 'c', vector: [0, 0, 1], tenant: 'global', metadata: {} },
    ]);
    await first.delete('c1', ['c']);
    await first.setAlias('current', 'c1');
    await first.close();

    const second = createEmbeddedVectorIndex(config(dir));
    await second.init();
    expect(await second.listCollections()).toEqual(['c1']);
    expect(await second.count('current')).toBe(2);
    expect(await second.get('c1', ['b'])).toEqual([{ id: 'b', vector: [0, 1, 0], tenant: 'client_1', metadata: { tag: 'y' } }]);
    const hits = await second.search('current', { vector: [0, 1, 0.1], topK: 5, filter: { tenants: ['client_1'] } });
    expect(hits.map((h) => h.id)).toEqual(['b']);
    // a reused label after reopen keeps ids consistent
    await second.upsert('c1', [{ id: 'd', vector: [0, 0, 1], tenant: 'global', metadata: { tag: 'z' } }]);
    expect((await second.search('c1', { vector: [0, 0, 1], topK: 1 }))[0]).toMatchObject({ id: 'd', metadata: { tag: 'z' } });
    await second.close();
  });

  it('a reader sees a collection and alias written by another instance', async () => {
    const dir = home();
    const writer = createEmbeddedVectorIndex(config(dir));
    const reader = createEmbeddedVectorIndex(config(dir), { freshnessMs: 0 });
    await Promise.all([writer.init(), reader.init()]);
    await writer.ensureCollection({ name: 'v1', dimension: 2, metric: 'cosine', fields: [] });
    await writer.upsert('v1', [{ id: 'a', vector: [1, 0], tenant: 'global', metadata: {} }]);
    expect(await reader.count('v1')).toBe(1);
    await writer.upsert('v1', [{ id: 'b', vector: [0, 1], tenant: 'global', metadata: {} }]);
    await writer.setAlias('live', 'v1');
    expect(await reader.count('live')).toBe(2);
  });

  it('grows past its initial capacity and scores l2 as negative distance', async () => {
    const index = createEmbeddedVectorIndex(config(home()), { persist: false });
    await index.init();
    await index.ensureCollection({ name: 'big', dimension: 2, metric: 'l2', fields: [] });
    const records = Array.from({ length: 2500 }, (_, i) => ({ id: `r${i}`, vector: [i, 0], tenant: 'global', metadata: {} }));
    await index.upsert('big', records);
    expect(await index.count('big')).toBe(2500);
    const hits = await index.search('big', { vector: [10, 3], topK: 2 });
    expect(hits[0]).toMatchObject({ id: 'r10', score: -3 });
  });
});
