/**
 * The training set `almanac train` learns from: the folder given, else the latest built set
 * (`<home>/training-sets/LATEST`), else a new one built from the feature store.
 */
import type { AlmanacConfig } from '../../core/config.ts';
import { isAlmanacError } from '../../core/errors.ts';
import { buildTrainingSet } from '../../features/training-set-builder.ts';
import { latestTrainingSetDir, readTrainingSet } from '../../features/training-set-file.ts';
import type { TrainingSet } from '../../features/training-set.ts';

/** @throws ALMANAC_ERR_INPUT_NOT_FOUND when `dir` holds no training set. */
export async function resolveTrainingSet(config: AlmanacConfig, options: { dir?: string; quiet?: boolean }): Promise<{ dir: string; set: TrainingSet; built: boolean }> {
  if (options.dir !== undefined) return { dir: options.dir, set: await readTrainingSet(options.dir, { holdRows: config.training.holdRows }), built: false };
  try {
    const dir = await latestTrainingSetDir(config);
    return { dir, set: await readTrainingSet(dir, { holdRows: config.training.holdRows }), built: false };
  } catch (e) {
    if (!isAlmanacError(e) || e.code !== 'ALMANAC_ERR_INPUT_NOT_FOUND') throw e;
  }
  const built = await buildTrainingSet(config, { quiet: options.quiet === true });
  return { ...built, built: true };
}
