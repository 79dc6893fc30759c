/**
 * `almanac index`: mines success patterns and anti-patterns from a training set by subgroup
 * discovery (subgroup-discovery.ts), fits the configuration encoder, indexes the success patterns
 * into a NEW vector collection `patterns_<ms>`, writes the catalogue (with the encoder and the
 * anti-patterns) and the graph, then switches the alias 'patterns' to the new collection and drops
 * older builds. A reader sees the old build or the new one, never a half-built index.
 */
import type { AlmanacConfig } from '../../core/config.ts';
import { AlmanacError, invalidInput } from '../../core/errors.ts';
import { createProgress } from '../../core/progress.ts';
import type { TrainingSet } from '../../features/training-set.ts';
import { streamTrainingExamples } from '../../features/training-set-file.ts';
import type { Scorer } from '../../models/inference/scorer.ts';
import { createGraphStore } from '../graph-store/create-graph-store.ts';
import type { GraphStore } from '../graph-store/graph-store.ts';
import { createVectorIndex } from '../vector-index/create-vector-index.ts';
import type { FieldSpec, VectorIndex } from '../vector-index/vector-index.ts';
import { detectMiningAttributes, ROLE_FEATURES, type MiningAttribute } from './configuration.ts';
import { encodeCells, encodeCellsFrom, type EncodedCells } from './configuration-cells.ts';
import { ENCODER_DIMS, encodeConfiguration, fitConfigurationEncoder, type ConfigurationEncoderState } from './configuration-encoder.ts';
import { markCurrentCatalogue, readPatternCatalogue, removePatternCatalogue, writePatternCatalogue, type PatternCatalogue } from './pattern-catalogue.ts';
import { upsertPatternGraph } from './pattern-graph.ts';
import { recordPatternHistory } from './pattern-history.ts';
import { patternRecord } from './pattern-records.ts';
import { patternId, summarisePattern, type MinedPattern } from './pattern-stats.ts';
import { discoverSubgroupsInCells, type SubgroupDiscovery } from './subgroup-discovery.ts';
import { PATTERN_FIELDS } from './success-pattern.ts';

export const PATTERNS_ALIAS = 'patterns';
const BUILD_NAME = /^patterns_\d+$/;

export interface BuildPatternIndexOptions {
  trainingSet: TrainingSet;
  /** The champion the build is recorded against (lineage; patterns do not depend on its family). */
  scorer: Pick<Scorer, 'version'>;
  quiet?: boolean;
  /** Conditions per pattern, 1–4 (default config.patterns.maxConditions). */
  maxConditions?: number;
  /** k for the report (default config.patterns.minClients); serving applies its own k at query time. */
  minClients?: number;
  /** Only these clients count toward cross-client patterns (registered tenants); default every client in the set. */
  countedClients?: ReadonlySet<string>;
  seed?: number;
  /** Injected stores (tests); default: the configured adapters, opened and closed here. */
  vectorIndex?: VectorIndex;
  graphStore?: GraphStore;
}

export interface BuildPatternIndexResult {
  collection: string;
  alias: string;
  /** Success patterns indexed (global + private). */
  patterns: number;
  global: number;
  private: number;
  /** Anti-patterns found (catalogue only, never indexed for recommendation). */
  anti: number;
  /** Global success patterns visible at k = minClients. */
  visibleGlobal: number;
  minClients: number;
  /** Campaign × configuration cells mined, combinations tested, discoveries before pruning. */
  configurations: number;
  tested: number;
  discovered: number;
  touches: number;
  miningMs: number;
  catalogue: string;
  dropped: string[];
}

/**
 * Mines every row of the set: the examples held, or, when the set holds only a sample of its rows
 * (`trainingSet.sample`), the whole set streamed from its folder (`trainingSet.dir`) into cells, so
 * memory is bounded by the cells, never by the rows. Attributes are detected on the rows held.
 * @throws ALMANAC_ERR_INPUT_INVALID when the training set is empty, carries no configuration
 * feature, holds a sample but names no folder, or its examples file cannot be read in full.
 */
export async function buildPatternIndex(config: AlmanacConfig, options: BuildPatternIndexOptions): Promise<BuildPatternIndexResult> {
  const { trainingSet, scorer, quiet = false } = options;
  const minClients = options.minClients ?? config.patterns.minClients;
  const attributes = checkInput(trainingSet);
  const started = performance.now();
  const cells = await cellsOf(trainingSet, attributes, quiet);
  const progress = createProgress({ label: 'index mine', total: 2, unit: 'passes', quiet });
  const discovery = discoverSubgroupsInCells(cells, {
    maxConditions: options.maxConditions ?? config.patterns.maxConditions,
    minTouches: config.patterns.minTouches,
    // visible needs k clients with any one left out: fewer backers can never be shown, so are not tested
    minSupportClients: minClients + 1,
    minClientTouches: config.patterns.minClientTouches,
    minClientConversions: config.patterns.minClientConversions,
    fdr: config.patterns.fdr,
    ...(options.countedClients ? { countedClients: options.countedClients } : {}),
    onProgress: (pass, done, total) => { if (done === total) progress.update(pass); },
  });
  const encoder = fitEncoder(discovery, options.seed ?? 42);
  const miningMs = performance.now() - started;
  progress.done(`${discovery.tested} combinations tested, ${discovery.patterns.length} patterns`);
  const vectorIndex = options.vectorIndex ?? (await createVectorIndex(config));
  const graph = options.graphStore ?? (await createGraphStore(config));
  try {
    if (!options.vectorIndex) await vectorIndex.init();
    if (!options.graphStore) await graph.init();
    const collection = await newCollectionName(vectorIndex);
    const all = minedPatterns(discovery, collection, encoder, attributes);
    const success = all.filter((p) => p.kind === 'success');
    await indexPatterns(vectorIndex, collection, ENCODER_DIMS, success, quiet);
    const built = {
      collection, createdAt: new Date().toISOString(), modelVersion: scorer.version, trainingSetId: trainingSet.manifest.id, minClients,
      roleFeatures: Object.fromEntries(attributes.map((a) => [a.key, a.feature])), configurations: discovery.cells, attributes, encoder,
      mining: { tested: discovery.tested, discovered: discovery.discovered, threshold: discovery.threshold, conditions: discovery.conditions, touches: discovery.touches, ms: Math.round(miningMs) },
      patterns: all.map(({ campaignTallies: _c, industryStats: _i, ...p }) => p),
    } satisfies PatternCatalogue;
    const catalogue = writePatternCatalogue(config, built);
    await upsertPatternGraph(graph, collection, success);
    await vectorIndex.setAlias(PATTERNS_ALIAS, collection);
    markCurrentCatalogue(config, collection);
    recordPatternHistory(config, built);
    const dropped = await dropOlderBuilds(config, vectorIndex, graph, collection);
    const global = success.filter((p) => p.scope === 'global');
    if (!quiet) process.stderr.write(`[index] alias '${PATTERNS_ALIAS}' → ${collection}: ${global.length} cross-client + ${success.length - global.length} private success patterns, ${all.length - success.length} anti-patterns\n`);
    return {
      collection,
      alias: PATTERNS_ALIAS,
      patterns: success.length,
      global: global.length,
      private: success.length - global.length,
      anti: all.length - success.length,
      visibleGlobal: global.filter((p) => p.visibility_clients >= minClients).length,
      minClients,
      configurations: discovery.cells,
      tested: discovery.tested,
      discovered: discovery.discovered,
      touches: discovery.touches,
      miningMs: Math.round(miningMs),
      catalogue,
      dropped,
    };
  } finally {
    if (!options.vectorIndex) await vectorIndex.close();
    if (!options.graphStore) await graph.close();
  }
}

/** The configuration encoder fitted on the miner's condition and pair tallies. */
export function fitEncoder(discovery: SubgroupDiscovery, seed: number): ConfigurationEncoderState {
  return fitConfigurationEncoder(discovery.vocabulary, (a, b) => discovery.tally({ [a.key]: a.value, [b.key]: b.value }), seed);
}

/** Every discovered pattern with its id and vector: cross-client success patterns by lift bound first. */
export function minedPatterns(discovery: SubgroupDiscovery, prefix: string, encoder: ConfigurationEncoderState, attributes: readonly MiningAttribute[]): MinedPattern[] {
  const order = (p: { scope: string; liftLow: number; liftHigh: number; kind: string }) => (p.kind === 'success' ? -p.liftLow : p.liftHigh);
  return [...discovery.patterns]
    .sort((a, b) => (a.scope === b.scope ? 0 : a.scope === 'global' ? -1 : 1) || order(a) - order(b))
    .map((d) => summarisePattern(d, patternId(prefix, d), encodeConfiguration(encoder, d.conditions), attributes));
}

function checkInput(set: TrainingSet): MiningAttribute[] {
  if (set.sample !== undefined && set.dir === undefined) {
    throw invalidInput(`the training set ${set.manifest.id} holds only a sample (${set.sample.rows} of ${set.sample.of} rows) and names no folder to read the rest from; patterns are mined over every row, so give the set as read from its folder (readTrainingSet) with its dir`, [
      { path: 'trainingSet.dir', reason: 'missing for a sampled set' },
    ]);
  }
  if ((set.sample === undefined ? set.examples.length : set.manifest.rows) === 0) {
    throw invalidInput('the training set has no labelled touches to mine patterns from; ingest events and build a training set first', [
      { path: 'trainingSet.examples', reason: 'empty' },
    ]);
  }
  const attributes = detectMiningAttributes(set);
  if (attributes.length === 0) {
    const expected = Object.values(ROLE_FEATURES).map((names) => names[0]).join(', ');
    throw invalidInput(`the training set carries no configuration feature (expected categorical features such as ${expected})`, [
      { path: 'trainingSet.manifest.columns', reason: 'no configuration feature' },
    ]);
  }
  return attributes;
}

/** The cells of every row: the examples held, or the whole set streamed from its folder when only a sample is held. */
async function cellsOf(set: TrainingSet, attributes: readonly MiningAttribute[], quiet: boolean): Promise<EncodedCells> {
  if (set.sample === undefined) return encodeCells(set.examples, attributes);
  const dir = set.dir as string;
  const progress = createProgress({ label: 'index read', total: set.manifest.rows, unit: 'touches', quiet });
  let cells: EncodedCells;
  try {
    cells = await encodeCellsFrom(streamTrainingExamples(dir, set.manifest, { features: attributes.map((a) => a.feature) }), attributes, (done) => progress.update(done));
  } catch (e) {
    if (e instanceof AlmanacError) throw e;
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `training set ${dir} is unreadable: ${(e as Error).message}; rebuild it with \`almanac features training-set\``, {
      cause: e, details: { issues: [{ path: dir, reason: 'unreadable' }] },
    });
  }
  progress.done(`${cells.cells.count} cells`);
  return cells;
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
