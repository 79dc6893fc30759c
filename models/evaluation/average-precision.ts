/**
 * PR-AUC as average precision: Σ (Rₙ − Rₙ₋₁) · Pₙ over the distinct score thresholds, highest
 * first (tied scores form one threshold), as scikit-learn's average_precision_score.
 */
import { checkScoredLabels, indicesByScoreDesc, type Labels, type Scores } from './scored-labels.ts';

/** Average precision in [0, 1]; NaN when there are no positives. */
export function averagePrecision(labels: Labels, scores: Scores): number {
  checkScoredLabels(labels, scores, 'pr_auc');
  let totalPositives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) totalPositives++;
  if (totalPositives === 0) return Number.NaN;
  const order = indicesByScoreDesc(scores);
  let truePositives = 0;
  let seen = 0;
  let previousRecall = 0;
  let ap = 0;
  let i = 0;
  while (i < order.length) {
    const s = scores[order[i] as number];
    while (i < order.length && scores[order[i] as number] === s) {
      if (labels[order[i] as number] === 1) truePositives++;
      seen++;
      i++;
    }
    const recall = truePositives / totalPositives;
    ap += (recall - previousRecall) * (truePositives / seen);
    previousRecall = recall;
  }
  return ap;
}
