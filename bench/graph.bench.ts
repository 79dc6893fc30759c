/**
 * Benchmark of the embedded GraphStore (SQLite, embeddings/graph-store/embedded/) at scale.
 *
 *   npx tsx bench/graph.bench.ts                           # 1M patterns (about 4.1M edges)
 *   BENCH_PATTERNS=100000 BENCH_QUERIES=2000 npm run bench:graph
 *
 * Loads N patterns through the store's own write path in 10k chunks, as `almanac index` does
 * (pattern-graph.ts): N/10 campaigns of N/100 clients over 12 industries; each pattern MATCHES 2
 * campaigns, is SEEN_IN 1 industry and SIMILAR_TO 1 pattern. Then times `patternEvidence` for 50
 * random candidates with an industry (the rerank's call) and `similarPatterns`, beside a baseline
 * in the same run and file: 50 primary-key lookups of the node rows alone (the floor any store
 * pays to find 50 nodes). Prints load time, file size, peak RSS and latency percentiles (wall clock,
 * and the process CPU time per call, which the other work on a shared machine does not inflate).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../core/config.ts';
import { seededRandom } from '../core/seeded-random.ts';
import { createEmbeddedGraphStore } from '../embeddings/graph-store/embedded/embedded-graph-store.ts';
import type { GraphEdge, GraphNode } from '../embeddings/graph-store/graph-store.ts';

const N = Number(process.env.BENCH_PATTERNS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 5000);
const CANDIDATES = 50;
const CHUNK = 10_000;
const INDUSTRIES = Array.from({ length: 12 }, (_, i) => `industry-${i}`);
const CAMPAIGNS = Math.max(10, Math.floor(N / 10));
const CLIENTS = Math.max(3, Math.floor(N / 100));

const random = seededRandom(13);
const int = (n: number): number => Math.floor(random() * n);
const pid = (i: number): string => `pattern-${i.toString(36).padStart(5, '0')}-global`;
const percentile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const fmt = (xs: number[]): string => `p50 ${percentile(xs, 0.5).toFixed(3)} ms  p99 ${percentile(xs, 0.99).toFixed(3)} ms  max ${Math.max(...xs).toFixed(3)} ms`;

async function load(store: Awaited<ReturnType<typeof open>>): Promise<void> {
  const campaigns: GraphNode[] = Array.from({ length: CAMPAIGNS }, (_, k) => ({ label: 'Campaign', id: `campaign-${k}`, props: { client_id: `client-${k % CLIENTS}`, industry: INDUSTRIES[k % INDUSTRIES.length] as string } }));
  for (let i = 0; i < campaigns.length; i += CHUNK) await store.mergeNodes(campaigns.slice(i, i + CHUNK));
  const ran: GraphEdge[] = campaigns.map((c, k) => ({ type: 'RAN', from: { label: 'Client', id: `client-${k % CLIENTS}` }, to: { label: 'Campaign', id: c.id }, props: {} }));
  for (let i = 0; i < ran.length; i += CHUNK) await store.mergeEdges(ran.slice(i, i + CHUNK));
  for (let start = 0; start < N; start += CHUNK) {
    const nodes: GraphNode[] = [];
    const edges: GraphEdge[] = [];
    for (let i = start; i < Math.min(N, start + CHUNK); i++) {
      nodes.push({ label: 'Pattern', id: pid(i), props: { scope: 'global', success_rate: random(), touches: 100 + int(1000), description: `channel=email offer=${i % 97}` } });
      for (let m = 0; m < 2; m++) edges.push({ type: 'MATCHES', from: { label: 'Campaign', id: `campaign-${int(CAMPAIGNS)}` }, to: { label: 'Pattern', id: pid(i) }, props: { touches: 50, conversions: int(4) } });
      edges.push({ type: 'SEEN_IN', from: { label: 'Pattern', id: pid(i) }, to: { label: 'Industry', id: INDUSTRIES[int(INDUSTRIES.length)] as string }, props: { clients: 1 } });
      edges.push({ type: 'SIMILAR_TO', from: { label: 'Pattern', id: pid(i) }, to: { label: 'Pattern', id: pid(int(N)) }, props: { weight: random() } });
    }
    await store.mergeNodes(nodes);
    await store.mergeEdges(edges);
    if ((start / CHUNK) % 10 === 9) process.stderr.write(`  loaded ${start + CHUNK} patterns\n`);
  }
}

function open(home: string) {
  return createEmbeddedGraphStore(loadConfig({ env: {}, overrides: { home } }));
}

async function main(): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-graph-bench-'));
  console.log(`graph bench: ${N} patterns, ${CAMPAIGNS} campaigns, ${CLIENTS} clients; ${os.cpus().length} × ${os.cpus()[0]?.model}; node ${process.version}`);
  try {
    const store = open(home);
    await store.init();
    const t0 = process.hrtime.bigint();
    await load(store);
    const loadMs = ms(t0);
    const counts = await store.counts();
    const file = path.join(home, 'graph', 'graph.db');
    console.log(`load: ${(loadMs / 1000).toFixed(1)} s (${Math.round((counts.edges.MATCHES! + counts.edges.SEEN_IN! + counts.edges.SIMILAR_TO! + counts.edges.RAN!) / (loadMs / 1000))} edges/s); nodes ${JSON.stringify(counts.nodes)} edges ${JSON.stringify(counts.edges)}`);
    await store.close();

    const reader = open(home); // a fresh process's view: cold page cache of the store's connection
    await reader.init();
    const floor = new Database(file, { readonly: true });
    const lookup = floor.prepare('SELECT nid, props FROM nodes WHERE label = 2 AND id = ?');
    const evidence: number[] = [];
    const evidenceCpu: number[] = []; // process CPU time per call: what the call costs, without the waits of a shared machine
    const baseline: number[] = [];
    const similar: number[] = [];
    let found = 0;
    for (let q = 0; q < QUERIES; q++) {
      const ids = Array.from({ length: CANDIDATES }, () => pid(int(N)));
      const industry = INDUSTRIES[int(INDUSTRIES.length)] as string;
      const cpu = process.cpuUsage();
      let t = process.hrtime.bigint();
      found += (await reader.patternEvidence(ids, industry)).size;
      evidence.push(ms(t));
      const used = process.cpuUsage(cpu);
      evidenceCpu.push((used.user + used.system) / 1000);
      t = process.hrtime.bigint();
      for (const id of ids) lookup.get(id);
      baseline.push(ms(t));
      t = process.hrtime.bigint();
      await reader.similarPatterns(ids[0] as string, 3);
      similar.push(ms(t));
    }
    const warm = QUERIES > 200 ? 100 : 0; // the first queries fill the page cache; reported apart
    console.log(`patternEvidence, ${CANDIDATES} candidates + industry (${QUERIES} queries, ${(found / QUERIES).toFixed(1)} found each):`);
    console.log(`  embedded store          ${fmt(evidence.slice(warm))}   (first ${warm}: ${fmt(evidence.slice(0, warm || 1))})`);
    console.log(`  embedded store, CPU time ${fmt(evidenceCpu.slice(warm))}`);
    console.log(`  baseline: 50 node PK lookups, same file  ${fmt(baseline.slice(warm))}`);
    console.log(`similarPatterns (limit 3): ${fmt(similar.slice(warm))}`);
    const size = ['', '-wal'].reduce((s, x) => s + (statSync(file + x, { throwIfNoEntry: false })?.size ?? 0), 0);
    console.log(`file ${(size / 2 ** 20).toFixed(0)} MiB; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    floor.close();
    await reader.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
