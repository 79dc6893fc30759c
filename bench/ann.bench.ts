/**
 * ANN benchmark of the embedded VectorIndex (hnswlib-node) against exact brute-force search and
 * against the raw hnswlib-node library in the same run.
 *
 *   npx tsx bench/ann.bench.ts                     # 100k and 1M clustered vectors, dim 32
 *   ANN_SIZES=100000 ANN_DIM=32 ANN_QUERIES=300 ANN_EF=32,64,128 ANN_DATA=random npx tsx bench/ann.bench.ts
 *
 * Reports per size: build time (adapter vs raw), recall@10 vs exact at several ef, QPS of the
 * adapter vs raw hnswlib (same M/efConstruction/ef; queries interleaved one by one so that load
 * from other processes hits both alike; on a shared machine compare the p50 ratio, which outliers
 * do not move), p50/p99 latency without and with filters
 * (a 1% tenant partition; a 10% metadata condition; both, 0.1%: the adapter's exact scan of a
 * selective filter), filtered recall@10, beside raw hnswlib walking the graph with the same filter;
 * the longest GC pause (perf_hooks) during the adapter's build and during the query runs.
 */
import os from 'node:os';
import hnswlib from 'hnswlib-node';
import { loadConfig } from '../core/config.ts';
import { createEmbeddedVectorIndex } from '../embeddings/vector-index/embedded/embedded-vector-index.ts';
import { DEFAULT_TUNING } from '../embeddings/vector-index/embedded/hnsw-collection.ts';
import type { VectorFilter, VectorIndex, VectorRecord } from '../embeddings/vector-index/vector-index.ts';
import { seededRandom } from '../core/seeded-random.ts';
import { formatGc, GcPauseRecorder } from './gc-pauses.ts';

const SIZES = (process.env.ANN_SIZES ?? '100000,1000000').split(',').map(Number);
const DIM = Number(process.env.ANN_DIM ?? 32);
const QUERIES = Number(process.env.ANN_QUERIES ?? 300);
const EFS = (process.env.ANN_EF ?? '32,64,128').split(',').map(Number);
const M = Number(process.env.ANN_M ?? 16);
const EF_CONSTRUCTION = Number(process.env.ANN_EF_CONSTRUCTION ?? DEFAULT_TUNING.efConstruction);
/** Records per adapter upsert; a batch of ≥ 20,000 is built in worker threads, one per shard. */
const BATCH = Number(process.env.ANN_BATCH ?? 100_000);
/** Shards of the adapter's collection (default: the adapter's, min(4, cores)). */
const SHARDS = process.env.ANN_SHARDS === undefined ? undefined : Number(process.env.ANN_SHARDS);
const DATA = process.env.ANN_DATA ?? 'clustered';
const K = 10;
const TENANTS = 100;
const SEGMENTS = 10;

interface Dataset {
  n: number;
  vectors: Float32Array;
  tenant: Int32Array;
  segment: Int32Array;
  queries: Float32Array[];
}

/**
 * ANN_DATA=clustered (default): Gaussian-ish clusters (sum of uniforms) around 1000 random centres;
 * ANN_DATA=random: uniform in the cube (the hard case for HNSW). Unit-normalised (cosine).
 */
function dataset(n: number): Dataset {
  const random = seededRandom(n);
  const centres = DATA === 'random' ? [new Float32Array(DIM)] : Array.from({ length: 1000 }, () => Float32Array.from({ length: DIM }, () => random() * 2 - 1));
  const noise = DATA === 'random' ? () => random() * 2 - 1 : () => (random() + random() + random() - 1.5) * 0.35;
  const point = (out: Float32Array, at: number) => {
    const c = centres[Math.floor(random() * centres.length)] as Float32Array;
    let norm = 0;
    for (let j = 0; j < DIM; j++) norm += (out[at + j] = (c[j] as number) + noise()) ** 2;
    norm = Math.sqrt(norm);
    for (let j = 0; j < DIM; j++) out[at + j] = (out[at + j] as number) / norm;
  };
  const vectors = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) point(vectors, i * DIM);
  const tenant = Int32Array.from({ length: n }, () => Math.floor(random() * TENANTS));
  const segment = Int32Array.from({ length: n }, () => Math.floor(random() * SEGMENTS));
  const queries = Array.from({ length: QUERIES }, () => {
    const q = new Float32Array(DIM);
    point(q, 0);
    return q;
  });
  return { n, vectors, tenant, segment, queries };
}

/** Exact top-K by cosine (vectors are unit length: dot product) over the labels passing `allow`. */
function exactTopK(d: Dataset, q: Float32Array, allow: (i: number) => boolean): number[] {
  const best: { i: number; s: number }[] = [];
  let floor = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < d.n; i++) {
    if (!allow(i)) continue;
    let s = 0;
    const base = i * DIM;
    for (let j = 0; j < DIM; j++) s += (d.vectors[base + j] as number) * (q[j] as number);
    if (best.length < K || s > floor) {
      best.push({ i, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > K) best.pop();
      floor = (best[best.length - 1] as { s: number }).s;
    }
  }
  return best.map((b) => b.i);
}

function recall(truth: number[][], got: number[][]): number {
  let hit = 0;
  let total = 0;
  truth.forEach((t, qi) => {
    const g = new Set(got[qi]);
    for (const x of t) if (g.has(x)) hit++;
    total += t.length;
  });
  return total === 0 ? 1 : hit / total;
}

function percentile(ms: number[], p: number): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

async function buildAdapter(d: Dataset): Promise<{ index: VectorIndex; seconds: number }> {
  const index = createEmbeddedVectorIndex(loadConfig({ env: {}, overrides: { home: os.tmpdir() } }), {
    persist: false,
    tuning: { m: M, efConstruction: EF_CONSTRUCTION, ef: 64, ...(SHARDS === undefined ? {} : { shards: SHARDS }) },
  });
  await index.init();
  await index.ensureCollection({ name: 'bench', dimension: DIM, metric: 'cosine', fields: [{ name: 'segment', type: 'string' }] });
  const started = performance.now();
  for (let i = 0; i < d.n; i += BATCH) {
    const batch: VectorRecord[] = [];
    for (let j = i; j < Math.min(d.n, i + BATCH); j++) {
      batch.push({ id: String(j), vector: d.vectors.subarray(j * DIM, (j + 1) * DIM), tenant: `t${d.tenant[j]}`, metadata: { segment: `s${d.segment[j]}` } });
    }
    await index.upsert('bench', batch);
    process.stderr.write(`[ann] adapter build ${Math.min(d.n, i + BATCH)}/${d.n} at ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
  return { index, seconds: (performance.now() - started) / 1000 };
}

function buildRaw(d: Dataset): { index: hnswlib.HierarchicalNSW; seconds: number } {
  const index = new hnswlib.HierarchicalNSW('cosine', DIM);
  index.initIndex({ maxElements: d.n, m: M, efConstruction: EF_CONSTRUCTION, randomSeed: 100 });
  const started = performance.now();
  for (let i = 0; i < d.n; i++) {
    index.addPoint(Array.from(d.vectors.subarray(i * DIM, (i + 1) * DIM)), i);
    if (i % 200_000 === 0 && i > 0) process.stderr.write(`[ann] raw build ${i}/${d.n}\n`);
  }
  return { index, seconds: (performance.now() - started) / 1000 };
}

/** Adapter and raw searches interleaved query by query, so load from other processes hits both alike. */
async function timedPair(adapter: VectorIndex, raw: hnswlib.HierarchicalNSW, d: Dataset, ef: number): Promise<{ a: Timed; r: Timed }> {
  const a: Timed = { ids: [], ms: [] };
  const r: Timed = { ids: [], ms: [] };
  raw.setEf(ef);
  for (const q of d.queries) {
    let t = performance.now();
    const hits = await adapter.search('bench', { vector: q, topK: K, ef });
    a.ms.push(performance.now() - t);
    a.ids.push(hits.map((h) => Number(h.id)));
    t = performance.now();
    r.ids.push(raw.searchKnn(Array.from(q), K).neighbors);
    r.ms.push(performance.now() - t);
  }
  return { a, r };
}

interface Timed {
  ids: number[][];
  ms: number[];
}

const qps = (ms: number[]) => (1000 * ms.length) / ms.reduce((s, x) => s + x, 0);
const fmt = (x: number, digits = 2) => x.toFixed(digits);

async function runSize(n: number): Promise<void> {
  process.stderr.write(`[ann] generating ${n} vectors\n`);
  const d = dataset(n);
  const buildGc = new GcPauseRecorder().start();
  const adapter = await buildAdapter(d);
  const buildPauses = await buildGc.stop();
  const raw = buildRaw(d);
  console.log(`\n## n=${n} ${DATA} dim=${DIM} M=${M} efConstruction=${EF_CONSTRUCTION} queries=${QUERIES}`);
  console.log(`build: adapter ${fmt(adapter.seconds, 1)} s (${SHARDS ?? DEFAULT_TUNING.shards} shards built in parallel, batches of ${BATCH.toLocaleString('en-US')}) (${fmt(n / adapter.seconds, 0)} vectors/s) | raw hnswlib ${fmt(raw.seconds, 1)} s (${fmt(n / raw.seconds, 0)} vectors/s)`);
  console.log(`adapter build: ${formatGc(buildPauses)}`);
  const truth = d.queries.map((q) => exactTopK(d, q, () => true));
  const queryGc = new GcPauseRecorder().start();
  console.log('| ef | recall@10 adapter | recall@10 raw | QPS adapter | QPS raw | p50 ms adapter | p50 ms raw | adapter/raw at p50 | p99 ms adapter | p99 ms raw |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const ef of EFS) {
    await timedPair(adapter.index, raw.index, d, ef); // warm-up
    const { a, r } = await timedPair(adapter.index, raw.index, d, ef);
    const [pa, pr] = [percentile(a.ms, 50), percentile(r.ms, 50)];
    console.log(`| ${ef} | ${fmt(recall(truth, a.ids), 4)} | ${fmt(recall(truth, r.ids), 4)} | ${fmt(qps(a.ms), 0)} | ${fmt(qps(r.ms), 0)} | ${fmt(pa, 3)} | ${fmt(pr, 3)} | ${fmt(pr / pa)} | ${fmt(percentile(a.ms, 99), 3)} | ${fmt(percentile(r.ms, 99), 3)} |`);
  }
  const tenantOf = (qi: number) => qi % TENANTS;
  const filters: { name: string; filter: (qi: number) => VectorFilter; allow: (qi: number) => (i: number) => boolean }[] = [
    { name: `tenant (1%, ${Math.round(n / TENANTS)} vectors)`, filter: (qi) => ({ tenants: [`t${tenantOf(qi)}`] }), allow: (qi) => (i) => d.tenant[i] === tenantOf(qi) },
    { name: 'segment eq (10%)', filter: () => ({ conditions: [{ field: 'segment', op: 'eq', value: 's3' }] }), allow: () => (i) => d.segment[i] === 3 },
    { name: 'tenant + segment (0.1%)', filter: (qi) => ({ tenants: [`t${tenantOf(qi)}`], conditions: [{ field: 'segment', op: 'eq', value: 's3' }] }), allow: (qi) => (i) => d.tenant[i] === tenantOf(qi) && d.segment[i] === 3 },
  ];
  // The adapter answers a selective filter (estimated matches ≤ exactMatchesMax, default 4096) by an
  // exact scan of the matches; raw hnswlib with the same predicate as a filter callback is the
  // graph walk the adapter would otherwise do (the baseline).
  console.log('| filter (ef=64) | adapter recall@10 | adapter QPS | adapter p50 ms | adapter p99 ms | raw+filter recall@10 | raw+filter p50 ms | raw+filter p99 ms |');
  console.log('|---|---|---|---|---|---|---|---|');
  raw.index.setEf(64);
  for (const f of filters) {
    const ids: number[][] = [];
    const ms: number[] = [];
    const rawIds: number[][] = [];
    const rawMs: number[] = [];
    for (const [qi, q] of d.queries.entries()) {
      let t = performance.now();
      const hits = await adapter.index.search('bench', { vector: q, topK: K, ef: 64, filter: f.filter(qi) });
      ms.push(performance.now() - t);
      ids.push(hits.map((h) => Number(h.id)));
      const allow = f.allow(qi);
      t = performance.now();
      rawIds.push(raw.index.searchKnn(Array.from(q), K, allow).neighbors);
      rawMs.push(performance.now() - t);
    }
    const exact = d.queries.map((q, qi) => exactTopK(d, q, f.allow(qi)));
    console.log(`| ${f.name} | ${fmt(recall(exact, ids), 4)} | ${fmt(qps(ms), 0)} | ${fmt(percentile(ms, 50), 3)} | ${fmt(percentile(ms, 99), 3)} | ${fmt(recall(exact, rawIds), 4)} | ${fmt(percentile(rawMs, 50), 3)} | ${fmt(percentile(rawMs, 99), 3)} |`);
  }
  console.log(`queries (adapter and raw, interleaved): ${formatGc(await queryGc.stop())}`);
  await adapter.index.close();
}

console.log(`# ANN bench — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length} cores, node ${process.version}, hnswlib-node ${(await import('hnswlib-node/package.json', { with: { type: 'json' } })).default.version}`);
for (const n of SIZES) await runSize(n);
