/**
 * `almanac index`: mines success patterns from a training set with the champion model's
 * embeddings, indexes them into a NEW vector collection `patterns_<ms>`, writes the catalogue and
 * the graph, then switches the alias 'patterns' to the new collection and drops older builds. A
 * reader sees the old build or the new one, never a half-built index.
 */
import type { AlmanacConfig } from '../../core/config.ts';
import { invalidInput } from '../../core/errors.ts';
import { createProgress } from '../../core/progress.ts';
import type { TrainingSet } from '../../features/training-set.ts';
import type { Scorer } from '../../models/inference/scorer.ts';
import { createGraphStore } from '../graph-store/create-graph-store.ts';
import type { GraphStore } from '../graph-store/graph-store.ts';
import { createVectorIndex } from '../vector-index/create-vector-index.ts';
import type { FieldSpec, VectorIndex } from '../vector-index/vector-index.ts';
import { detectRoleFeatures, groupConfigurations, ROLE_FEATURES } from './configuration.ts';
import { embedConfigurations } from './embed-configurations.ts';
import { minePatterns } from './mine-patterns.ts';
import { markCurrentCatalogue, readPatternCatalogue, removePatternCatalogue, writePatternCatalogue, type PatternCatalogue } from './pattern-catalogue.ts';
import { upsertPatternGraph } from './pattern-graph.ts';
import { patternRecord } from './pattern-records.ts';
import type { MinedPattern } from './pattern-stats.ts';
import { PATTERN_FIELDS } from './success-pattern.ts';

export const PATTERNS_ALIAS = 'patterns';
const BUILD_NAME = /^patterns_\d+$/;

export interface BuildPatternIndexOptions {
  trainingSet: TrainingSet;
  scorer: Scorer;
  quiet?: boolean;
  /** Number of global patterns (k-means clusters); default ≈ √configurations within [2, 64]. */
  patterns?: number;
  /** k for the report (default config.patterns.minClients); serving applies its own k at query time. */
  minClients?: number;
  seed?: number;
  /** Sample touches embedded per configuration (default 16). */
  samplesPerConfiguration?: number;
  /** Injected stores (tests); default: the configured adapters, opened and closed here. */
  vectorIndex?: VectorIndex;
  graphStore?: GraphStore;
}

export interface BuildPatternIndexResult {
  collection: string;
  alias: string;
  /** All indexed patterns (global + private). */
  patterns: number;
  global: number;
  private: number;
  /** Global patterns backed by ≥ minClients distinct clients. */
  visibleGlobal: number;
  minClients: number;
  configurations: number;
  touches: number;
  catalogue: string;
  dropped: string[];
}

/** @throws ALMANAC_ERR_INPUT_INVALID when the training set is empty or carries no configuration feature. */
export async function buildPatternIndex(config: AlmanacConfig, options: BuildPatternIndexOptions): Promise<BuildPatternIndexResult> {
  const { trainingSet, scorer, quiet = false } = options;
  const seed = options.seed ?? 42;
  const minClients = options.minClients ?? config.patterns.minClients;
  const roleFeatures = checkInput(trainingSet);
  const configs = groupConfigurations(trainingSet.examples, roleFeatures, { samplesPerConfiguration: options.samplesPerConfiguration ?? 16, seed });
  const samples = configs.reduce((s, c) => s + c.samples.length, 0);
  const embedProgress = createProgress({ label: 'index embed', total: samples, unit: 'touches', quiet });
  const embeddings = await embedConfigurations(configs, scorer, embedProgress);
  embedProgress.done(`${configs.length} configurations`);
  const vectorIndex = options.vectorIndex ?? (await createVectorIndex(config));
  const graph = options.graphStore ?? (await createGraphStore(config));
  try {
    if (!options.vectorIndex) await vectorIndex.init();
    if (!options.graphStore) await graph.init();
    const collection = await newCollectionName(vectorIndex);
    const mined = minePatterns(configs, embeddings, { prefix: collection, patterns: options.patterns, seed });
    const all = [...mined.global, ...mined.private];
    await indexPatterns(vectorIndex, collection, embeddings[0]?.length ?? 0, all, quiet);
    const catalogue = writePatternCatalogue(config, catalogueOf(collection, trainingSet, scorer, minClients, roleFeatures, configs.length, all));
    await upsertPatternGraph(graph, collection, all);
    await vectorIndex.setAlias(PATTERNS_ALIAS, collection);
    markCurrentCatalogue(config, collection);
    const dropped = await dropOlderBuilds(config, vectorIndex, graph, collection);
    if (!quiet) process.stderr.write(`[index] alias '${PATTERNS_ALIAS}' → ${collection}: ${mined.global.length} global + ${mined.private.length} private patterns\n`);
    return {
      collection,
      alias: PATTERNS_ALIAS,
      patterns: all.length,
      global: mined.global.length,
      private: mined.private.length,
      visibleGlobal: mined.global.filter((p) => p.distinct_clients >= minClients).length,
      minClients,
      configurations: configs.length,
      touches: trainingSet.examples.length,
      catalogue,
      dropped,
    };
  } finally {
    if (!options.vectorIndex) await vectorIndex.close();
    if (!options.graphStore) await graph.close();
  }
}

function checkInput(set: TrainingSet): ReturnType<typeof detectRoleFeatures> {
  if (set.examples.length === 0) {
    throw invalidInput('the training set has no labelled touches to mine patterns from; ingest events and build a training set first', [
      { path: 'trainingSet.examples', reason: 'empty' },
    ]);
  }
  const roles = detectRoleFeatures(set);
  if (Object.keys(roles).length === 0) {
    const expected = Object.values(ROLE_FEATURES).map((names) => names[0]).join(', ');
    throw invalidInput(`the training set carries no configuration feature (expected categorical features such as ${expected})`, [
      { path: 'trainingSet.manifest.columns', reason: 'no configuration feature' },
    ]);
  }
  return roles;
}

async function newCollectionName(index: VectorIndex): Promise<string> {
  const existing = new Set(await index.listCollections());
  let ms = Date.now();
  while (existing.has(`patterns_${ms}`)) ms++;
  return `patterns_${ms}`;
}

async function indexPatterns(index: VectorIndex, collection: string, dimension: number, patterns: MinedPattern[], quiet: boolean): Promise<void> {
  const fields: FieldSpec[] = PATTERN_FIELDS.map((f) => ({ name: f.name, type: f.type }));
  await index.ensureCollection({ name: collection, dimension, metric: 'cosine', fields });
  const progress = createProgress({ label: 'index upsert', total: patterns.length, unit: 'patterns', quiet });
  for (let i = 0; i < patterns.length; i += 1000) {
    const batch = patterns.slice(i, i + 1000);
    await index.upsert(collection, batch.map(patternRecord));
    progress.tick(batch.length);
  }
  progress.done(collection);
}

function catalogueOf(
  collection: string, set: TrainingSet, scorer: Scorer, minClients: number,
  roleFeatures: Record<string, string>, configurations: number, patterns: MinedPattern[],
): PatternCatalogue {
  return {
    collection,
    createdAt: new Date().toISOString(),
    modelVersion: scorer.version,
    trainingSetId: set.manifest.id,
    minClients,
    roleFeatures,
    configurations,
    patterns: patterns.map(({ campaignTallies: _c, industryStats: _i, ...p }) => p),
  };
}

/** Drops every earlier `patterns_<ms>` build (the previous alias target and crashed builds) with its graph nodes and catalogue. */
async function dropOlderBuilds(config: AlmanacConfig, index: VectorIndex, graph: GraphStore, keep: string): Promise<string[]> {
  const dropped: string[] = [];
  for (const name of await index.listCollections()) {
    if (name === keep || !BUILD_NAME.test(name)) continue;
    const old = readPatternCatalogue(config, name);
    if (old !== undefined) await graph.deleteNodes('Pattern', old.patterns.map((p) => p.id));
    await index.dropCollection(name);
    removePatternCatalogue(config, name);
    dropped.push(name);
  }
  return dropped;
}
