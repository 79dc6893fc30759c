/**
 * A stratified random split (seeded): each class keeps its share on both sides. Not the default
 * (a time split is the realistic one); used to compare with figures published on random splits.
 */
import { AlmanacError } from '../../core/errors.ts';
import { seededRandom, shuffleInPlace } from '../../core/seeded-random.ts';
import type { TrainingExample } from '../../features/training-set.ts';

/** Both parts keep the input's order. @throws ALMANAC_ERR_TRAINING_FAILED for < 2 rows. */
export function splitStratified(examples: readonly TrainingExample[], fraction: number, seed: number): { train: TrainingExample[]; holdout: TrainingExample[] } {
  if (examples.length < 2) throw new AlmanacError('ALMANAC_ERR_TRAINING_FAILED', `training set has ${examples.length} rows; need at least 2`);
  const rng = seededRandom(seed >>> 0);
  const held = new Uint8Array(examples.length);
  for (const label of [0, 1]) {
    const idx = examples.flatMap((e, i) => (e.label === label ? [i] : []));
    shuffleInPlace(idx, rng);
    for (const i of idx.slice(0, Math.round(idx.length * fraction))) held[i] = 1;
  }
  return { train: examples.filter((_, i) => held[i] === 0), holdout: examples.filter((_, i) => held[i] === 1) };
}
