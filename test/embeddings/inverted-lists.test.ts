import fs, { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { CodeScanner, strideFor, weightMaxFor } from '../../embeddings/vector-index/embedded/code-scan.ts';
import { CODE_SCAN_WASM } from '../../embeddings/vector-index/embedded/code-scan-wasm.ts';
import { createEmbeddedVectorIndex } from '../../embeddings/vector-index/embedded/embedded-vector-index.ts';
import type { VectorFilter } from '../../embeddings/vector-index/vector-index.ts';

const homes: string[] = [];
function home(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'almanac-ivf-'));
  homes.push(dir);
  return dir;
}
afterAll(() => homes.forEach((d) => rmSync(d, { recursive: true, force: true })));

const config = (dir: string) => loadConfig({ env: {}, overrides: { home: dir } });

/** Lets `n` turns of the event loop pass, a few milliseconds apart (work sliced between turns runs: zero-delay timers). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 2));
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('code scan (WebAssembly SIMD)', () => {
  it('the committed bytes are code-scan.wat assembled by wabt', async () => {
    const wat = fs.readFileSync(new URL('../../embeddings/vector-index/embedded/code-scan.wat', import.meta.url), 'utf8');
    const wabt = await (createRequire(import.meta.url)('wabt') as () => Promise<{ parseWat(name: string, text: string, features: Record<string, boolean>): { validate(): void; toBinary(o: object): { buffer: Uint8Array } } }>)();
    const parsed = wabt.parseWat('code-scan.wat', wat, { simd: true });
    parsed.validate();
    const bytes = Buffer.from(parsed.toBinary({}).buffer).toString('base64');
    if (process.env.UPDATE_CODE_SCAN === '1' && bytes !== CODE_SCAN_WASM) {
      const file = new URL('../../embeddings/vector-index/embedded/code-scan-wasm.ts', import.meta.url);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(CODE_SCAN_WASM, bytes));
    }
    expect(bytes, 'code-scan-wasm.ts is stale: run UPDATE_CODE_SCAN=1 npx vitest run test/embeddings/inverted-lists.test.ts').toBe(CODE_SCAN_WASM);
  });

  it('scores rows of codes like a plain dot product, for padded widths and at the weights\' bounds', () => {
    for (const dimension of [1, 16, 20, 50, 64, 100]) {
      const scanner = new CodeScanner(dimension);
      expect(scanner.stride).toBe(strideFor(dimension));
      const rows = 37;
      scanner.reserve(rows, rows);
      const random = lcg(dimension);
      for (let r = 0; r < rows; r++) for (let j = 0; j < dimension; j++) scanner.codes[r * scanner.stride + j] = r === 0 ? -128 : Math.floor(random() * 256) - 128;
      const max = weightMaxFor(scanner.stride);
      for (let j = 0; j < dimension; j++) scanner.query[j] = j % 3 === 0 ? -max : Math.floor(random() * 2 * max) - max;
      scanner.score(0, rows);
      for (let r = 0; r < rows; r++) {
        let want = 0;
        for (let j = 0; j < dimension; j++) want += (scanner.codes[r * scanner.stride + j] as number) * (scanner.query[j] as number);
        expect(scanner.out[r]).toBe(want);
      }
      scanner.score(5, 3); // a run from the middle
      let want5 = 0;
      for (let j = 0; j < dimension; j++) want5 += (scanner.codes[5 * scanner.stride + j] as number) * (scanner.query[j] as number);
      expect(scanner.out[0]).toBe(want5);
      expect(() => scanner.score(30, 10)).toThrow(/outside/);
      // above(): the same scores, only the rows above the threshold, in row order (−∞ keeps every row)
      scanner.score(0, rows);
      const all = Array.from(scanner.out.subarray(0, rows));
      const sorted = [...all].sort((a, b) => a - b);
      for (const threshold of [Number.NEGATIVE_INFINITY, sorted[0] as number, sorted[18] as number, (sorted[18] as number) + 0.5, sorted[rows - 1] as number, Number.POSITIVE_INFINITY]) {
        const expected = all.flatMap((v, r) => (v > threshold ? [[r, v]] : []));
        const n = scanner.above(0, rows, threshold);
        expect(Array.from({ length: n }, (_, i) => [scanner.kept[i], scanner.out[i]])).toEqual(expected);
      }
      const n7 = scanner.above(7, 4, Number.NEGATIVE_INFINITY); // a run from the middle: rows from its start
      expect(Array.from(scanner.kept.subarray(0, n7))).toEqual([0, 1, 2, 3]);
      expect(Array.from(scanner.out.subarray(0, n7))).toEqual(all.slice(7, 11));
      expect(() => scanner.above(30, 10, 0)).toThrow(/outside/);
    }
  });
});

describe('embedded VectorIndex searched through inverted lists', () => {
  const dims = 16;
  const TAGS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  // clustered vectors (the lists' case): 40 centres, each record a centre plus noise
  const centres = (() => { const r = lcg(7); return Array.from({ length: 40 }, () => Array.from({ length: dims }, () => r() * 2 - 1)); })();
  const vectorsOf = (n: number, seed: number) => {
    const r = lcg(seed);
    return Array.from({ length: n }, () => { const c = centres[Math.floor(r() * centres.length)] as number[]; return c.map((x) => x + (r() - 0.5) * 0.6); });
  };
  const cosine = (a: number[], b: number[]) => {
    let dot = 0, na = 0, nb = 0;
    for (let j = 0; j < a.length; j++) { dot += (a[j] as number) * (b[j] as number); na += (a[j] as number) ** 2; nb += (b[j] as number) ** 2; }
    return dot / Math.sqrt(na * nb);
  };
  interface Live { vector: number[]; tag: string; n: number; channels: string[]; tenant: string }
  const filters: { name: string; filter: VectorFilter | undefined; pass: (v: Live) => boolean }[] = [
    { name: 'none', filter: undefined, pass: () => true },
    { name: 'tenants', filter: { tenants: ['global', 't1'] }, pass: (v) => v.tenant === 'global' || v.tenant === 't1' },
    { name: 'tag', filter: { conditions: [{ field: 'tag', op: 'eq', value: 'c' }] }, pass: (v) => v.tag === 'c' },
    { name: 'channel', filter: { conditions: [{ field: 'channels', op: 'contains_any', values: ['sms'] }] }, pass: (v) => v.channels.includes('sms') },
    { name: 'range + tenant', filter: { tenants: ['global'], conditions: [{ field: 'n', op: 'range', gte: 50 }] }, pass: (v) => v.tenant === 'global' && v.n >= 50 },
  ];

  it('finds what an exact scan finds through writes, deletes, moved records, packs, a reopen and a retraining', async () => {
    const dir = home();
    const tuning = { listsMin: 2000, bruteForceMax: 0, exactMatchesMax: 0, exactScanMax: 0 };
    let index = createEmbeddedVectorIndex(config(dir), { tuning });
    await index.init();
    await index.ensureCollection({ name: 'p', dimension: dims, metric: 'cosine', fields: [{ name: 'tag', type: 'string' }, { name: 'n', type: 'number' }, { name: 'channels', type: 'string[]' }] });
    const live = new Map<string, Live>();
    const put = async (ids: string[], seed: number) => {
      const vectors = vectorsOf(ids.length, seed);
      const r = lcg(seed + 1);
      const records = ids.map((id, i) => {
        const v: Live = { vector: vectors[i] as number[], tag: TAGS[Math.floor(r() * TAGS.length)] as string, n: Math.floor(r() * 100), channels: r() < 0.2 ? ['sms', 'email'] : ['email'], tenant: r() < 0.8 ? 'global' : r() < 0.5 ? 't1' : 't2' };
        live.set(id, v);
        return { id, vector: v.vector, tenant: v.tenant, metadata: { tag: v.tag, n: v.n, channels: v.channels } };
      });
      await index.upsert('p', records);
    };
    const check = async (label: string, ef?: number) => {
      const queries = vectorsOf(30, 99);
      for (const f of filters) {
        let found = 0;
        let wanted = 0;
        let exactTop = 0;
        for (const q of queries) {
          const truth = [...live].filter(([, v]) => f.pass(v)).map(([id, v]) => ({ id, score: cosine(q, v.vector) })).sort((x, y) => y.score - x.score).slice(0, 10);
          const hits = await index.search('p', { vector: q, topK: 10, ...(f.filter ? { filter: f.filter } : {}), ...(ef ? { ef } : {}) });
          expect(hits.every((h) => live.has(h.id) && f.pass(live.get(h.id) as Live)), `${label} ${f.name}: a hit that is gone or fails the filter`).toBe(true);
          expect(hits.length).toBe(truth.length);
          const ids = new Set(hits.map((h) => h.id));
          found += truth.filter((t) => ids.has(t.id)).length;
          wanted += truth.length;
          // scores are the exact cosine of the stored vector, nearest first
          hits.forEach((h) => expect(h.score).toBeCloseTo(cosine(q, (live.get(h.id) as Live).vector), 5));
          expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
          if (hits[0]?.id === truth[0]?.id) exactTop++;
        }
        expect(found / wanted, `${label} ${f.name}: recall@10`).toBeGreaterThanOrEqual(ef ? 0.995 : 0.95);
        expect(exactTop, `${label} ${f.name}: the nearest`).toBeGreaterThanOrEqual(queries.length - 1);
      }
    };
    await put(Array.from({ length: 1500 }, (_, i) => `x${i}`), 1); // below listsMin: graphs
    await put(Array.from({ length: 1500 }, (_, i) => `y${i}`), 2); // 3000: lists trained and packed
    // searches on one turn of the event loop check the filter columns by label (their copies into
    // list order are made between searches); later ones read the copies
    await check('trained');
    await turns(4);
    await check('trained, filter columns copied into list order');
    await check('every list', 100_000);
    // deletes, moved records and new ones stay in the overflow (fewer than its minimum)
    const gone = Array.from({ length: 300 }, (_, i) => `x${i * 5}`);
    await index.delete('p', gone);
    gone.forEach((id) => live.delete(id));
    await put(Array.from({ length: 200 }, (_, i) => `y${i * 7}`), 3); // moved: new vectors and metadata
    await put(Array.from({ length: 100 }, (_, i) => `z${i}`), 4);
    expect(await index.count('p')).toBe(live.size);
    await check('overflow');
    // a big batch crowds the overflow: packed again (same centroids)
    await put(Array.from({ length: 1200 }, (_, i) => `w${i}`), 5);
    await check('packed again');
    await turns(4);
    await check('packed again, columns copied again');
    await index.close();
    index = createEmbeddedVectorIndex(config(dir), { tuning });
    await index.init();
    const folder = path.join(dir, 'vector', 'p');
    const gen = fs.readFileSync(path.join(folder, 'CURRENT'), 'utf8').trim();
    const state = JSON.parse(fs.readFileSync(path.join(folder, `${gen}.state.json`), 'utf8')) as { lists?: { count: number; trainedSize: number } };
    expect(state.lists).toMatchObject({ count: 55, trainedSize: 3000 }); // √3000 lists, trained at 3,000
    await check('reopened');
    await turns(4);
    await check('reopened, columns copied');
    // doubling the collection trains the lists again
    await put(Array.from({ length: 3000 }, (_, i) => `v${i}`), 6);
    await check('retrained');
    await index.close();
    const again = JSON.parse(fs.readFileSync(path.join(folder, `${fs.readFileSync(path.join(folder, 'CURRENT'), 'utf8').trim()}.state.json`), 'utf8')) as { lists?: { count: number; trainedSize: number } };
    expect(again.lists?.trainedSize).toBeGreaterThanOrEqual(6000);
  });

  it('a collection saved without lists gets them at load; damaged lists fail the load with a clear error, not a crash', async () => {
    const dir = home();
    const without = createEmbeddedVectorIndex(config(dir), { tuning: { listsMin: 0 } });
    await without.init();
    await without.ensureCollection({ name: 'q', dimension: dims, metric: 'cosine', fields: [] });
    const vectors = vectorsOf(2500, 11);
    await without.upsert('q', vectors.map((vector, i) => ({ id: `r${i}`, vector, tenant: 'global', metadata: {} })));
    await without.close();
    const folder = path.join(dir, 'vector', 'q');
    const stateFile = () => path.join(folder, `${fs.readFileSync(path.join(folder, 'CURRENT'), 'utf8').trim()}.state.json`);
    expect((JSON.parse(fs.readFileSync(stateFile(), 'utf8')) as { lists?: unknown }).lists).toBeUndefined();
    const withLists = createEmbeddedVectorIndex(config(dir), { tuning: { listsMin: 2000, bruteForceMax: 0 } });
    await withLists.init();
    const q = vectorsOf(1, 12)[0] as number[];
    const truth = vectors.map((v, i) => ({ id: `r${i}`, score: cosine(q, v) })).sort((a, b) => b.score - a.score).slice(0, 5).map((h) => h.id);
    expect((await withLists.search('q', { vector: q, topK: 5, ef: 100_000 })).map((h) => h.id)).toEqual(truth);
    await withLists.upsert('q', [{ id: 'r0', vector: vectors[0] as number[], tenant: 'global', metadata: {} }]); // saved with its lists now
    await withLists.close();
    const state = JSON.parse(fs.readFileSync(stateFile(), 'utf8')) as { lists: { count: number } };
    expect(state.lists.count).toBe(50);
    state.lists.count = 9; // centroids that no longer fit the file
    fs.writeFileSync(stateFile(), JSON.stringify(state));
    const damaged = createEmbeddedVectorIndex(config(dir), { tuning: { listsMin: 2000 } });
    await damaged.init();
    await expect(damaged.search('q', { vector: q, topK: 5 })).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE' });
    await damaged.close();
  });

  it('saved lists of another dimension than the collection fail the load (they would score garbage)', async () => {
    const dir = home();
    const index = createEmbeddedVectorIndex(config(dir), { tuning: { listsMin: 2000 } });
    await index.init();
    await index.ensureCollection({ name: 'q', dimension: dims, metric: 'cosine', fields: [] });
    await index.upsert('q', vectorsOf(2100, 13).map((vector, i) => ({ id: `r${i}`, vector, tenant: 'global', metadata: {} })));
    await index.close();
    const folder = path.join(dir, 'vector', 'q');
    const stateFile = path.join(folder, `${fs.readFileSync(path.join(folder, 'CURRENT'), 'utf8').trim()}.state.json`);
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { lists: { count: number; centroids: { length: number }; low: { length: number }; step: { length: number } } };
    // the trained part still fits together (count × 8 centroid values, 8 lows and steps), but not the 16-dimension collection
    state.lists.low.length = 8;
    state.lists.step.length = 8;
    state.lists.centroids.length = state.lists.count * 8;
    fs.writeFileSync(stateFile, JSON.stringify(state));
    const reopened = createEmbeddedVectorIndex(config(dir), { tuning: { listsMin: 2000 } });
    await reopened.init();
    await expect(reopened.search('q', { vector: vectorsOf(1, 14)[0] as number[], topK: 5 })).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE' });
    await reopened.close();
  });

  it('a cosine collection of more dimensions than the code scan takes (4,096) is served by its graphs: its writes succeed', async () => {
    const dir = home();
    const index = createEmbeddedVectorIndex(config(dir), { tuning: { listsMin: 2 } });
    await index.init();
    const d = 4100;
    await index.ensureCollection({ name: 'wide', dimension: d, metric: 'cosine', fields: [] });
    const vector = (seed: number) => Array.from({ length: d }, (_, j) => Math.sin(seed * 7.3 + j * 0.01 * (seed + 1)));
    await index.upsert('wide', [0, 1, 2].map((i) => ({ id: `r${i}`, vector: vector(i), tenant: 'global', metadata: {} })));
    await index.upsert('wide', [{ id: 'r3', vector: vector(3), tenant: 'global', metadata: {} }]);
    expect(await index.count('wide')).toBe(4);
    expect((await index.search('wide', { vector: vector(2), topK: 1 }))[0]?.id).toBe('r2');
    await index.close();
    const again = createEmbeddedVectorIndex(config(dir), { tuning: { listsMin: 2 } });
    await again.init();
    expect(await again.count('wide')).toBe(4);
    await again.close();
  });
});
