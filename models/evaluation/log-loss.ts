/** Mean binary cross-entropy (natural log); probabilities are clipped to [ε, 1 − ε]. */
import { checkScoredLabels, type Labels, type Scores } from './scored-labels.ts';

export const LOG_LOSS_EPSILON = 1e-15;

export function logLoss(labels: Labels, probabilities: Scores): number {
  checkScoredLabels(labels, probabilities, 'log_loss');
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, probabilities[i] as number));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}
