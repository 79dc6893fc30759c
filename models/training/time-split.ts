/** Time-ordered splits: the last fraction of examples by touch time is held out (never shuffled). */
import { AlmanacError } from '../../core/errors.ts';
import type { TrainingExample } from '../../features/training-set.ts';

export interface TimeSplit { train: TrainingExample[]; holdout: TrainingExample[]; boundaryTs: number }

/**
 * Sorts by ts (stable) and holds out the last `fraction` of rows (at least one row each side).
 * @throws ALMANAC_ERR_INPUT_INVALID for a fraction outside (0, 1); ALMANAC_ERR_TRAINING_FAILED for < 2 rows.
 */
export function splitByTime(examples: readonly TrainingExample[], fraction: number): TimeSplit {
  if (!(fraction > 0 && fraction < 1)) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `holdout fraction must be in (0, 1), got ${fraction}`, { details: { issues: [{ path: 'holdout', reason: 'must be in (0, 1)' }] } });
  }
  if (examples.length < 2) throw new AlmanacError('ALMANAC_ERR_TRAINING_FAILED', `training set has ${examples.length} rows; need at least 2`);
  const sorted = examples.map((e, i) => ({ e, i })).sort((a, b) => a.e.ts - b.e.ts || a.i - b.i).map((x) => x.e);
  const held = Math.min(sorted.length - 1, Math.max(1, Math.round(sorted.length * fraction)));
  const cut = sorted.length - held;
  return { train: sorted.slice(0, cut), holdout: sorted.slice(cut), boundaryTs: (sorted[cut] as TrainingExample).ts };
}
