/**
 * JS heap held by a loaded embedded vector collection, and the time of a full GC with it loaded,
 * beside the same figures before loading (the baseline). Run after bench:search kept its home:
 *
 *   BENCH_VECTORS=1000000 BENCH_HOME=/tmp/almanac-search npm run bench:search
 *   BENCH_HOME=/tmp/almanac-search node --expose-gc --import tsx bench/index-heap.bench.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../core/config.ts';
import { createEmbeddedVectorIndex } from '../embeddings/vector-index/embedded/embedded-vector-index.ts';

const home = process.env.BENCH_HOME;
const gc = (globalThis as { gc?: () => void }).gc;
if (!home || !gc) throw new Error('set BENCH_HOME to a bench:search home and run node with --expose-gc');
const { big } = JSON.parse(readFileSync(path.join(home, 'bench-search.json'), 'utf8')) as { big: string };
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
const fullGc = (): number => {
  const t = performance.now();
  gc();
  return performance.now() - t;
};

gc();
const before = process.memoryUsage();
const gcBefore = fullGc();
const index = createEmbeddedVectorIndex(loadConfig({ env: {}, overrides: { home } }));
await index.init();
const t0 = performance.now();
const count = await index.count(big);
const loadS = (performance.now() - t0) / 1000;
gc(); // frees the load's transient buffers (the measured GC below is a steady-state one)
gc();
const after = process.memoryUsage();
console.log(`collection ${big}: ${count} vectors, loaded in ${loadS.toFixed(1)} s`);
console.log(`heapUsed ${mib(before.heapUsed)} before → ${mib(after.heapUsed)} loaded; off-heap (external) ${mib(after.external)}; rss ${mib(after.rss)}`);
console.log(`full GC: ${gcBefore.toFixed(1)} ms before (baseline) → ${fullGc().toFixed(1)} ms loaded`);
await index.close();
