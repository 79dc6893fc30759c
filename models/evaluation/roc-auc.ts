/** Area under the ROC curve (Mann–Whitney U with average ranks, so tied scores count ½). */
import { checkScoredLabels, indicesByScoreDesc, type Labels, type Scores } from './scored-labels.ts';

/** ROC-AUC in [0, 1]; NaN when the labels hold a single class. */
export function rocAuc(labels: Labels, scores: Scores): number {
  checkScoredLabels(labels, scores, 'roc_auc');
  const order = indicesByScoreDesc(scores).reverse(); // ascending
  let rankSumPositives = 0;
  let positives = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    const s = scores[order[i] as number];
    while (j + 1 < order.length && scores[order[j + 1] as number] === s) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k] as number] === 1) {
        rankSumPositives += averageRank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}
