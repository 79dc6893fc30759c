/**
 * Reliability bins: probabilities split into `bins` equal-width bins over [0, 1] (bin k holds
 * [k/bins, (k+1)/bins), the last bin also holds 1); per non-empty bin the mean predicted
 * probability and the observed positive rate.
 */
import type { ModelMetrics } from '../registry/model-registry.ts';
import { checkScoredLabels, type Labels, type Scores } from './scored-labels.ts';

export type CalibrationBin = ModelMetrics['calibration'][number];

export function calibrationBins(labels: Labels, probabilities: Scores, bins = 10): CalibrationBin[] {
  checkScoredLabels(labels, probabilities, 'calibration');
  const count = new Array<number>(bins).fill(0);
  const predicted = new Array<number>(bins).fill(0);
  const positives = new Array<number>(bins).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i] as number;
    const k = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[k] = (count[k] as number) + 1;
    predicted[k] = (predicted[k] as number) + p;
    positives[k] = (positives[k] as number) + (labels[i] === 1 ? 1 : 0);
  }
  const out: CalibrationBin[] = [];
  for (let k = 0; k < bins; k++) {
    const n = count[k] as number;
    if (n === 0) continue;
    out.push({ bin: k, count: n, mean_predicted: (predicted[k] as number) / n, observed_rate: (positives[k] as number) / n });
  }
  return out;
}
