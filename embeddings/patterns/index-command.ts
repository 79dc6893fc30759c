/**
 * `almanac index`: the latest training set (or `--training-set DIR`) + the champion model →
 * success-pattern index (index-with-champion.ts). Prints a summary (or JSON with --json).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AlmanacConfig } from '../../core/config.ts';
import { notFound } from '../../core/errors.ts';
import type { TrainingSet } from '../../features/training-set.ts';
import type { Scorer } from '../../models/inference/scorer.ts';
import type { BuildPatternIndexResult } from './build-pattern-index.ts';
import { indexWithChampion, openChampionScorer } from './index-with-champion.ts';

export interface IndexCommandOptions {
  minClients?: number;
  /** Conditions per pattern, 1–4. */
  maxConditions?: number;
  trainingSet?: string;
  seed?: number;
  json?: boolean;
  quiet?: boolean;
}

interface Collaborators {
  /** `holdRows`: a bigger set is held as a sample (the miner streams every row from `dir`). */
  readTrainingSet(dir: string, holdRows?: number): Promise<TrainingSet>;
  championScorer(config: AlmanacConfig): Promise<Scorer>;
}

/** The feature store's reader and the model registry's champion, loaded lazily (heavy modules). */
const defaultCollaborators: Collaborators = {
  async readTrainingSet(dir, holdRows) {
    return (await import('../../features/training-set-file.ts')).readTrainingSet(dir, holdRows === undefined ? {} : { holdRows });
  },
  championScorer: (config) => openChampionScorer(config),
};

/** The folder of the training set to index: the given one, or the latest built (`<home>/training-sets/LATEST`). @throws ALMANAC_ERR_INPUT_NOT_FOUND */
export async function trainingSetDir(config: AlmanacConfig, given?: string): Promise<string> {
  if (given !== undefined) {
    if (!existsSync(given)) throw notFound('training set folder', given);
    return path.resolve(given);
  }
  return (await import('../../features/training-set-file.ts')).latestTrainingSetDir(config);
}

export async function runIndexCommand(config: AlmanacConfig, options: IndexCommandOptions, collaborators: Collaborators = defaultCollaborators): Promise<BuildPatternIndexResult> {
  const effective: AlmanacConfig = options.minClients === undefined ? config : { ...config, patterns: { ...config.patterns, minClients: options.minClients } };
  const dir = await trainingSetDir(effective, options.trainingSet);
  const trainingSet = await collaborators.readTrainingSet(dir, effective.training.holdRows);
  const result = await indexWithChampion(effective, {
    trainingSet, championScorer: collaborators.championScorer, quiet: options.quiet ?? options.json ?? false, maxConditions: options.maxConditions, seed: options.seed,
  });
  process.stdout.write(options.json ? `${JSON.stringify({ ...result, trainingSet: dir })}\n` : summary(result, dir, result.model));
  return result;
}

function summary(r: BuildPatternIndexResult, dir: string, model: number): string {
  return [
    `indexed ${r.patterns} patterns into ${r.collection} (alias '${r.alias}'), model v${model}, training set ${path.basename(dir)}`,
    `  ${r.touches} touches in ${r.configurations} campaign configurations, ${r.tested} combinations tested in ${(r.miningMs / 1000).toFixed(1)} s → ${r.global} cross-client success patterns (${r.visibleGlobal} visible at k = ${r.minClients}) + ${r.private} private, ${r.anti} anti-patterns`,
    `  catalogue ${r.catalogue}${r.dropped.length > 0 ? `; dropped ${r.dropped.join(', ')}` : ''}`,
    '',
  ].join('\n');
}
