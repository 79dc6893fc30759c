/**
 * The pattern catalogue: every pattern of one index build with its statistics, written to
 * `<home>/patterns/<collection>.json`, and `<home>/patterns/CURRENT` naming the live build. Serving
 * uses it for the configuration encoder of the build (a plan's vector), for the "popular patterns"
 * fallback when the vector index is down, for the patterns a plan falls under, and for the
 * anti-patterns; `visiblePatterns` applies the same k-anonymity rule as `patternFilter`, in memory.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../../core/atomic-file.ts';
import { homePath, type AlmanacConfig } from '../../core/config.ts';
import { AlmanacError } from '../../core/errors.ts';
import { conditionText, type MiningAttribute } from './configuration.ts';
import type { ConfigurationEncoderState } from './configuration-encoder.ts';
import type { PatternFilterOptions } from './pattern-filter.ts';
import type { SuccessPattern } from './success-pattern.ts';

export interface CataloguePattern extends SuccessPattern {
  scope: 'global' | 'private';
  visibility_clients: number;
}

export interface PatternCatalogue {
  collection: string;
  createdAt: string;
  modelVersion: number;
  trainingSetId: string;
  /** k used for the build's report (serving applies its own configured k). */
  minClients: number;
  /** Feature name used for each configuration role. */
  roleFeatures: Record<string, string>;
  /** Distinct configurations (campaign × configuration cells) mined. */
  configurations: number;
  /** The attributes conditions are drawn from (condition key → feature). */
  attributes: MiningAttribute[];
  /** The configuration encoder fitted with this build (plans are encoded with it at query time). */
  encoder: ConfigurationEncoderState;
  /** The miner's figures: combinations tested, discoveries before pruning, BH threshold, time. */
  mining: { tested: number; discovered: number; threshold: number; conditions: number; touches: number; ms: number };
  /** Success patterns and anti-patterns (kind), global and private. */
  patterns: CataloguePattern[];
}

const dirOf = (config: AlmanacConfig) => homePath(config, 'patterns');

const writeAtomic = (file: string, body: string): void => writeFileAtomicSync(file, body);

export function writePatternCatalogue(config: AlmanacConfig, catalogue: PatternCatalogue): string {
  const file = path.join(dirOf(config), `${catalogue.collection}.json`);
  writeAtomic(file, JSON.stringify(catalogue));
  return file;
}

/** The live build's collection name (`<home>/patterns/CURRENT`), undefined before the first build. */
export function currentCollection(config: AlmanacConfig): string | undefined {
  const file = path.join(dirOf(config), 'CURRENT');
  const name = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  return name === '' ? undefined : name;
}

/** Marks `collection` as the live build (after the alias switch). */
export function markCurrentCatalogue(config: AlmanacConfig, collection: string): void {
  writeAtomic(path.join(dirOf(config), 'CURRENT'), `${collection}\n`);
}

export function removePatternCatalogue(config: AlmanacConfig, collection: string): void {
  rmSync(path.join(dirOf(config), `${collection}.json`), { force: true });
}

/**
 * The catalogue of `collection`, or of the live build when omitted; undefined when none was built.
 * @throws ALMANAC_ERR_STORE_UNAVAILABLE when the file exists but cannot be read.
 */
export function readPatternCatalogue(config: AlmanacConfig, collection?: string): PatternCatalogue | undefined {
  const dir = dirOf(config);
  const name = collection ?? currentCollection(config);
  if (name === undefined || name === '') return undefined;
  const file = path.join(dir, `${name}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PatternCatalogue;
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `cannot read pattern catalogue ${file}: ${(e as Error).message}; rebuild it with \`almanac index\``, { cause: e, retriable: false });
  }
}

/** Whether a catalogue was written by this miner (older builds had k-means clusters without an encoder). */
export function isCurrentFormat(catalogue: PatternCatalogue): boolean {
  return catalogue.encoder?.kind === 'configuration-encoder' && Array.isArray(catalogue.attributes);
}

/** The k-anonymity rule in memory (what patternFilter pushes down): a cross-client pattern backed by ≥ k clients with any one left out, or the client's own. */
export const mayShowPattern = (p: Pick<CataloguePattern, 'tenant' | 'visibility_clients'>, options: Pick<PatternFilterOptions, 'clientId' | 'minClients'>): boolean =>
  (p.tenant === 'global' || p.tenant === options.clientId) && p.visibility_clients >= options.minClients;
const mayShow = mayShowPattern;

/** Whether a success pattern passes the request's filters as well as the k-anonymity rule (patternFilter's rule, in memory). */
export function passesPatternFilter(p: CataloguePattern, options: PatternFilterOptions): boolean {
  return (p.kind ?? 'success') === 'success' && mayShow(p, options)
    && (options.industry === undefined || p.industries.includes(options.industry))
    && (options.minSuccessRate === undefined || p.success_rate >= options.minSuccessRate)
    && (options.minSampleSize === undefined || p.touches >= options.minSampleSize)
    && (!options.channels?.length || p.channels.some((c) => options.channels?.includes(c)));
}

/** Best lower confidence bound of lift first (then of the success rate, then the larger sample). */
const byStrength = (a: CataloguePattern, b: CataloguePattern): number => (b.lift_low ?? 0) - (a.lift_low ?? 0) || b.ci_low - a.ci_low || b.touches - a.touches;

/**
 * A build's patterns ordered and keyed once (a build's catalogue never changes): success patterns
 * in `byStrength` order, anti-patterns most harmful first, and the success patterns in a tree of
 * their condition texts, so the patterns a plan falls under are found by walking the subsets of
 * the plan's conditions instead of scanning the build.
 */
interface CatalogueOrder {
  success: CataloguePattern[];
  anti: CataloguePattern[];
  /** Position of each success pattern in `success`. */
  rank: Map<CataloguePattern, number>;
  /**
   * The success patterns as a tree of their condition texts in key order (each node: the patterns
   * whose conditions end there, and the next texts): the lookup walks only the subsets of a plan's
   * conditions that lead somewhere, matching text by text.
   */
  tree: ConditionNode;
}

interface ConditionNode {
  patterns: CataloguePattern[];
  next: Map<string, ConditionNode>;
}

const orders = new WeakMap<PatternCatalogue, CatalogueOrder>();

function orderOf(catalogue: PatternCatalogue): CatalogueOrder {
  let order = orders.get(catalogue);
  if (order !== undefined) return order;
  // Array.prototype.sort is stable: ties keep the catalogue's order, as a sort per request did
  const success = catalogue.patterns.filter((p) => (p.kind ?? 'success') === 'success').sort(byStrength);
  const anti = catalogue.patterns.filter((p) => p.kind === 'anti').sort((a, b) => a.lift_high - b.lift_high);
  const tree: ConditionNode = { patterns: [], next: new Map() };
  for (const p of success) {
    let node = tree;
    for (const k of Object.keys(p.conditions).sort()) {
      const text = conditionText(k, p.conditions[k] as string);
      let child = node.next.get(text);
      if (child === undefined) node.next.set(text, (child = { patterns: [], next: new Map() }));
      node = child;
    }
    node.patterns.push(p);
  }
  order = { success, anti, rank: new Map(success.map((p, i) => [p, i])), tree };
  orders.set(catalogue, order);
  return order;
}

/** Success patterns a client may see (same rule as patternFilter), best lower confidence bound of lift first. */
export function visiblePatterns(catalogue: PatternCatalogue, options: PatternFilterOptions): CataloguePattern[] {
  return orderOf(catalogue).success.filter((p) => passesPatternFilter(p, options));
}

/**
 * The visible success patterns (visiblePatterns' rule and order) whose every condition holds in one
 * of `configurations`, at most `limit`, skipping `exclude`d ids: the subsets of a configuration's
 * conditions are walked in key order down the build's tree of condition texts, only where a
 * pattern's conditions lead — no scan of the build.
 */
export function patternsUnder(catalogue: PatternCatalogue, configurations: readonly Record<string, string>[], options: PatternFilterOptions, limit: number, exclude: ReadonlySet<string> = new Set()): CataloguePattern[] {
  const order = orderOf(catalogue);
  const found = new Set<CataloguePattern>();
  for (const configuration of configurations) {
    const texts = Object.keys(configuration).sort().map((k) => conditionText(k, configuration[k] as string));
    const down = (from: number, node: ConditionNode): void => {
      for (let i = from; i < texts.length; i++) {
        const child = node.next.get(texts[i] as string);
        if (child === undefined) continue;
        for (const p of child.patterns) if (!exclude.has(p.id) && passesPatternFilter(p, options)) found.add(p);
        down(i + 1, child);
      }
    };
    down(0, order.tree);
  }
  return [...found].sort((a, b) => (order.rank.get(a) as number) - (order.rank.get(b) as number)).slice(0, limit);
}

/** Every pattern of the build: success patterns (visiblePatterns' order), then anti-patterns (most harmful first). */
export function orderedPatterns(catalogue: PatternCatalogue): CataloguePattern[] {
  const order = orderOf(catalogue);
  return [...order.success, ...order.anti];
}

/** Anti-patterns a client may see (the same k-anonymity rule), most harmful first. */
export function visibleAntiPatterns(catalogue: PatternCatalogue, options: Pick<PatternFilterOptions, 'clientId' | 'minClients'>): CataloguePattern[] {
  return orderOf(catalogue).anti.filter((p) => mayShow(p, options));
}
