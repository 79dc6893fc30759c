import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createEmbeddedVectorIndex } from '../../embeddings/vector-index/embedded/embedded-vector-index.ts';
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

describe('embedded VectorIndex persistence', () => {
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
