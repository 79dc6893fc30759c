/**
 * `npm run bench:patterns` (issue 9): does the success-pattern miner recover the real cross-client
 * patterns of worlds it was never tuned on? Over ≥ 5 seeds of two generators — the project's own
 * simulator and worldgen2 (bench/pattern-worlds/, a different design: other attributes and
 * cardinalities, client base-rate confounding, within-industry interactions, a single-client
 * pattern, anti-patterns, noise) — each world is mined and indexed (buildPatternIndex, embedded
 * vector index and graph), then every planted pattern is searched by three clients of its industry
 * with a plan of exactly that configuration, through the route's own searchPatterns.
 *
 * Prints, per generator: recovery@1 and @5, false patterns among the top 5, anti-patterns
 * recommended, private patterns shown to another client, and mining time against training-set
 * size; beside it, the same searches answered by the baseline "popular patterns" ranking (the
 * visible patterns by lift bound, no plan fit), measured in the same run. Finally mining time of a
 * 1M-touch worldgen2 world (BENCH_PATTERNS_SCALE=0 skips it).
 *
 * The model component of the rerank is off here (no champion is trained per world; the scorer
 * refuses, which is the route's own "ranking without the model" path): the figures measure the
 * miner, the encoder, the graph evidence and the rerank.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type AlmanacConfig } from '../core/config.ts';
import { createMetrics } from '../core/metrics.ts';
import { seededRandom, shuffleInPlace } from '../core/seeded-random.ts';
import { createEmbeddedGraphStore } from '../embeddings/graph-store/embedded/embedded-graph-store.ts';
import { buildPatternIndex } from '../embeddings/patterns/build-pattern-index.ts';
import { detectMiningAttributes } from '../embeddings/patterns/configuration.ts';
import { readPatternCatalogue, visiblePatterns } from '../embeddings/patterns/pattern-catalogue.ts';
import { patternFilter } from '../embeddings/patterns/pattern-filter.ts';
import { discoverSubgroups } from '../embeddings/patterns/subgroup-discovery.ts';
import { createEmbeddedVectorIndex } from '../embeddings/vector-index/embedded/embedded-vector-index.ts';
import type { TrainingSet } from '../features/training-set.ts';
import { touchFeatureRecord } from '../features/touch-features.ts';
import type { Scorer } from '../models/inference/scorer.ts';
import { createGuard } from '../serving/dependency-guard.ts';
import type { SearchRequest } from '../serving/schemas/search-schema.ts';
import { searchPatterns } from '../serving/search/pattern-search.ts';
import type { ServingRuntime } from '../serving/serving-runtime.ts';
import type { PatternWorld, PlantedPattern } from './pattern-worlds/pattern-world.ts';
import { simulatorWorld } from './pattern-worlds/simulator-world.ts';
import { worldgen2 } from './pattern-worlds/worldgen2.ts';

const SEEDS = (process.env.BENCH_PATTERN_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const SCALE = Number(process.env.BENCH_PATTERNS_SCALE ?? 1_000_000);
const SEARCHERS = 3;
const TOP = 5;

interface Tally {
  searches: number;
  at1: number;
  at5: number;
  falseTop5: number;
  results: number;
  antiRecommended: number;
  privateLeaks: number;
  baselineAt1: number;
  baselineAt5: number;
  mining: { rows: number; ms: number; tested: number; patterns: number }[];
}

const key = (c: Record<string, string>) => JSON.stringify(Object.entries(c).sort());
/**
 * A result is the planted pattern when its conditions are exactly the planted ones; the simulator
 * plants some patterns of 5 choices, which a miner of 1–4 conditions describes by 4 of them.
 */
const isPlanted = (found: Record<string, string>, planted: Record<string, string>) =>
  key(found) === key(planted) || (Object.keys(planted).length > MAX_CONDITIONS && Object.keys(found).length === MAX_CONDITIONS && within(found, planted));
const MAX_CONDITIONS = 4;
const within = (small: Record<string, string>, big: Record<string, string>) => Object.entries(small).every(([k, v]) => big[k] === v);

async function main(): Promise<void> {
  const generators: [string, (seed: number) => PatternWorld][] = [['simulator', (s) => simulatorWorld(s)], ['worldgen2', (s) => worldgen2(s)]];
  const totals: Record<string, Tally> = {};
  for (const [name, generate] of generators) {
    const t: Tally = (totals[name] = { searches: 0, at1: 0, at5: 0, falseTop5: 0, results: 0, antiRecommended: 0, privateLeaks: 0, baselineAt1: 0, baselineAt5: 0, mining: [] });
    for (const seed of SEEDS) {
      const world = generate(seed);
      await runWorld(world, t);
      const m = t.mining.at(-1)!;
      process.stderr.write(`[bench:patterns] ${name} seed ${seed}: ${m.rows.toLocaleString('en-US')} touches mined in ${(m.ms / 1000).toFixed(1)} s, ${m.tested.toLocaleString('en-US')} combinations tested → ${m.patterns} patterns; recovery@1 so far ${(t.at1 / t.searches).toFixed(3)}\n`);
    }
  }
  const rows = Object.entries(totals).map(([name, t]) => ({
    generator: name,
    seeds: SEEDS.length,
    searches: t.searches,
    'recovery@1': round(t.at1 / t.searches),
    'recovery@5': round(t.at5 / t.searches),
    'false in top 5': `${t.falseTop5}/${t.results}`,
    'anti recommended': t.antiRecommended,
    'private leaks': t.privateLeaks,
    'baseline @1': round(t.baselineAt1 / t.searches),
    'baseline @5': round(t.baselineAt5 / t.searches),
    'mining s per 100k touches': round(t.mining.reduce((s, m) => s + m.ms, 0) / 1000 / (t.mining.reduce((s, m) => s + m.rows, 0) / 100_000)),
  }));
  console.log('\nSuccess-pattern recovery (plans of exactly a planted configuration, 3 clients of its industry each; baseline = popular patterns by lift bound, no plan fit)');
  console.table(rows);
  if (SCALE > 0) {
    const world = worldgen2(7, { touches: SCALE });
    const set = trainingSet(world);
    const attributes = detectMiningAttributes(set);
    const started = performance.now();
    const d = discoverSubgroups(set.examples, attributes);
    const ms = performance.now() - started;
    const rss = process.memoryUsage().rss;
    console.log(`\nMining ${world.examples.length.toLocaleString('en-US')} labelled touches (worldgen2, ${attributes.length} attributes, ${d.cells.toLocaleString('en-US')} cells): ${(ms / 1000).toFixed(1)} s, ${d.tested.toLocaleString('en-US')} combinations tested, ${d.patterns.length} patterns, RSS ${(rss / 2 ** 20).toFixed(0)} MB (target < 60 s)`);
  }
}

async function runWorld(world: PatternWorld, t: Tally): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-bench-patterns-'));
  const config = loadConfig({ env: {}, overrides: { home, logLevel: 'silent', serving: { timeouts: { graph: 2_000, vector: 2_000 } } } });
  const vectorIndex = createEmbeddedVectorIndex(config);
  const graph = createEmbeddedGraphStore(config);
  await Promise.all([vectorIndex.init(), graph.init()]);
  try {
    const set = trainingSet(world);
    const built = await buildPatternIndex(config, { trainingSet: set, scorer: { version: 0 }, quiet: true, vectorIndex, graphStore: graph });
    t.mining.push({ rows: set.examples.length, ms: built.miningMs, tested: built.tested, patterns: built.patterns + built.anti });
    const rt = benchRuntime(config, vectorIndex, graph);
    await rt.reload();
    const catalogue = readPatternCatalogue(config)!;
    const random = seededRandom(world.seed * 31 + 7);
    const industryOf = new Map(world.clients.map((c) => [c.id, c.industry]));
    for (const planted of world.planted) {
      const industry = planted.conditions.industry as string;
      const candidates = world.clients.filter((c) => c.industry === industry).map((c) => c.id);
      const searchers = pick(candidates, SEARCHERS, random);
      for (const client of searchers) {
        const plan = planFor(world, planted, client, industry, random);
        const res = await searchPatterns(rt, plan);
        const top = res.patterns.slice(0, TOP);
        const rank = top.findIndex((p) => isPlanted(p.conditions, planted.conditions));
        t.searches++;
        if (rank === 0) t.at1++;
        if (rank >= 0) t.at5++;
        if (rank !== 0 && process.env.BENCH_DEBUG) {
          process.stderr.write(`  miss (${world.generator} ${world.seed}) ${client} planted ${key(planted.conditions)} rank ${rank}\n`);
          for (const p of top.slice(0, 3)) process.stderr.write(`     ${p.scope} ${p.match} ${key(p.conditions)} score ${p.score} ${JSON.stringify(p.score_components)} lift ${p.lift_interval}\n`);
        }
        for (const p of top) {
          t.results++;
          const real = [...world.planted, ...world.singleClient.filter((s) => s.clients.includes(client))]
            .some((w) => within(p.conditions, w.conditions) || within(w.conditions, p.conditions));
          if (!real) t.falseTop5++;
          if (world.anti.some((a) => within(a.conditions, p.conditions))) t.antiRecommended++;
          if (p.scope === 'private' && !p.pattern_id.endsWith(`.${client}`)) t.privateLeaks++;
          if (world.singleClient.some((s) => !s.clients.includes(client) && within(s.conditions, p.conditions))) t.privateLeaks++;
        }
        const baseline = visiblePatterns(catalogue, { clientId: client, minClients: config.patterns.minClients }).slice(0, TOP);
        const bRank = baseline.findIndex((p) => isPlanted(p.conditions, planted.conditions));
        if (bRank === 0) t.baselineAt1++;
        if (bRank >= 0) t.baselineAt5++;
      }
    }
    // the single-client pattern, searched by the other clients of its industry: never shown to them
    for (const single of world.singleClient) {
      const owner = single.clients[0] as string;
      const industry = single.conditions.industry ?? industryOf.get(owner) ?? '';
      for (const client of world.clients.filter((c) => c.industry === industry && c.id !== owner).map((c) => c.id)) {
        const res = await searchPatterns(rt, planFor(world, single, client, industry, random));
        for (const p of res.patterns) {
          if (p.scope === 'private' && !p.pattern_id.endsWith(`.${client}`)) t.privateLeaks++;
          if (within(single.conditions, p.conditions) || (p.scope === 'global' && key(p.conditions) === key(single.conditions))) t.privateLeaks++;
        }
      }
    }
  } finally {
    await Promise.allSettled([vectorIndex.close(), graph.close()]);
    rmSync(home, { recursive: true, force: true });
  }
}

function trainingSet(world: PatternWorld): TrainingSet {
  const positives = world.examples.reduce((s, e) => s + e.label, 0);
  return {
    manifest: {
      id: `${world.generator}-${world.seed}`, createdAt: new Date(0).toISOString(),
      range: { from: world.examples[0]?.ts ?? 0, to: (world.examples.at(-1)?.ts ?? 0) + 1 },
      rows: world.examples.length, positives, attributionWindowMs: 7 * 86_400_000, columns: world.columns,
      featureViews: [], eventLogOffsets: {}, file: 'examples.jsonl',
    },
    examples: world.examples,
  };
}

/** A plan of exactly the pattern's configuration, the rest of its choices drawn from the world's domain. */
function planFor(world: PatternWorld, p: PlantedPattern, client: string, industry: string, random: () => number): SearchRequest {
  const choose = (k: string, fallback: string) => p.conditions[k] ?? (world.domain[k]?.length ? (world.domain[k] as string[])[Math.floor(random() * (world.domain[k] as string[]).length)] as string : fallback);
  const audience: Record<string, string> = { segment: choose('segment', 'all') };
  for (const k of Object.keys(world.domain)) if (k.startsWith('audience.')) audience[k.slice('audience.'.length)] = choose(k, '');
  for (const [k, v] of Object.entries(p.conditions)) if (k.startsWith('audience.')) audience[k.slice('audience.'.length)] = v;
  const start = (world.examples.at(-1)?.ts ?? Date.now()) + 86_400_000;
  return {
    plan: {
      client_id: client, industry, objective: choose('objective', 'sales') as SearchRequest['plan']['objective'],
      channel: choose('channel', 'email') as SearchRequest['plan']['channel'], budget: 10_000, start, end: start + 30 * 86_400_000,
      attributes: { offer: choose('offer', 'none'), creative: choose('creative', 'none') },
      audience: [audience as SearchRequest['plan']['audience'][number]],
    },
    top_n: TOP,
    filters: {},
  };
}

/** The parts of a ServingRuntime pattern search uses: the real embedded stores, guards and feature code; a scorer that refuses (model component off). */
function benchRuntime(config: AlmanacConfig, vectorIndex: ReturnType<typeof createEmbeddedVectorIndex>, graph: ReturnType<typeof createEmbeddedGraphStore>): ServingRuntime & { reload(): Promise<void> } {
  const metrics = createMetrics(false);
  const refusing: Scorer = {
    version: 0, signature: { features: [], inputWidth: 0, inputName: 'x', outputs: { probability: 'p' } },
    predict: async () => { throw new Error('no model in the pattern bench'); },
    embed: async () => { throw new Error('no model in the pattern bench'); },
    close: async () => {},
  };
  const rt = {
    deps: { config, vectorIndex, graph, metrics, patternFilter, features: { touchFeatureRecord, touchFeatureKeys: () => [], getOnlineFeatures: async () => new Map() } },
    guards: { vector: createGuard('vector', { timeoutMs: 5_000 }, metrics), graph: createGuard('graph', { timeoutMs: 5_000 }, metrics) },
    directory: { requireClient: async () => {} },
    champion: { acquire: () => ({ scorer: refusing, model: { version: 0 }, release: () => {} }) },
    touchFeatures: {},
    log: { warn: () => {}, info: () => {}, error: () => {}, debug: () => {} },
    indexVersion: undefined as string | undefined,
    async reload() { rt.indexVersion = await vectorIndex.resolveAlias('patterns'); },
  };
  return rt as unknown as ServingRuntime & { reload(): Promise<void> };
}

const pick = <T>(items: T[], n: number, random: () => number): T[] => shuffleInPlace([...items], random).slice(0, n).sort();

const round = (x: number): number => Math.round(x * 1000) / 1000;

await main();
