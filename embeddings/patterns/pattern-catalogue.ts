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
import type { MiningAttribute } from './configuration.ts';
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

/** Success patterns a client may see (same rule as patternFilter), best lower confidence bound of lift first. */
export function visiblePatterns(catalogue: PatternCatalogue, options: PatternFilterOptions): CataloguePattern[] {
  return catalogue.patterns
    .filter((p) => (p.kind ?? 'success') === 'success' && mayShow(p, options))
    .filter((p) => options.industry === undefined || p.industries.includes(options.industry))
    .filter((p) => options.minSuccessRate === undefined || p.success_rate >= options.minSuccessRate)
    .filter((p) => options.minSampleSize === undefined || p.touches >= options.minSampleSize)
    .filter((p) => !options.channels?.length || p.channels.some((c) => options.channels?.includes(c)))
    .sort((a, b) => (b.lift_low ?? 0) - (a.lift_low ?? 0) || b.ci_low - a.ci_low || b.touches - a.touches);
}

/** Anti-patterns a client may see (the same k-anonymity rule), most harmful first. */
export function visibleAntiPatterns(catalogue: PatternCatalogue, options: Pick<PatternFilterOptions, 'clientId' | 'minClients'>): CataloguePattern[] {
  return catalogue.patterns.filter((p) => p.kind === 'anti' && mayShow(p, options)).sort((a, b) => a.lift_high - b.lift_high);
}
