/**
 * The evaluation gate of the retrain DAG: a challenger must clear an absolute floor (better than
 * chance) and must not be worse than the champion by more than the gate's tolerance.
 */
import type { ModelMetrics, PromotionGate } from '../models/registry/model-registry.ts';

export interface GateVerdict {
  passed: boolean;
  reason: string;
  metric: PromotionGate['metric'];
  challenger: number;
  champion?: number;
}

/** ROC AUC under which a model is no better than guessing, whatever the champion. */
export const DEFAULT_MIN_ROC_AUC = 0.55;

/** Judges `challenger` against the optional `champion` metrics. Lower is better for log_loss. */
export function judgeChallenger(
  challenger: ModelMetrics,
  champion: ModelMetrics | undefined,
  gate: PromotionGate,
  minRocAuc = DEFAULT_MIN_ROC_AUC,
): GateVerdict {
  const value = challenger[gate.metric];
  if (!(challenger.roc_auc >= minRocAuc)) {
    return { passed: false, metric: gate.metric, challenger: value, reason: `holdout roc_auc ${fmt(challenger.roc_auc)} is below the floor ${fmt(minRocAuc)}` };
  }
  if (champion === undefined) return { passed: true, metric: gate.metric, challenger: value, reason: 'no champion yet' };
  const best = champion[gate.metric];
  const lowerIsBetter = gate.metric === 'log_loss';
  const passed = lowerIsBetter ? value <= best + gate.tolerance : value >= best - gate.tolerance;
  const verb = passed ? 'within' : 'worse than';
  return {
    passed, metric: gate.metric, challenger: value, champion: best,
    reason: `challenger ${gate.metric} ${fmt(value)} is ${verb} champion ${fmt(best)} ± ${gate.tolerance}`,
  };
}

const fmt = (n: number): string => (Number.isFinite(n) ? n.toFixed(4) : String(n));
