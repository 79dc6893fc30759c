/** Shared input checks of the evaluation metrics. */
import { AlmanacError } from '../../core/errors.ts';

export type Labels = ArrayLike<number>;
export type Scores = ArrayLike<number>;

/** @throws ALMANAC_ERR_INPUT_INVALID when lengths differ or there are no rows. */
export function checkScoredLabels(labels: Labels, scores: Scores, metric: string): void {
  if (labels.length !== scores.length) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `${metric}: ${labels.length} labels but ${scores.length} scores`);
  }
  if (labels.length === 0) throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `${metric}: no rows to evaluate`);
}

/** Row indices ordered by score, highest first (stable). */
export function indicesByScoreDesc(scores: Scores): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
}
