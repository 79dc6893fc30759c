/**
 * The promotion gate, the one judgment of every promotion (`almanac train`, `almanac models
 * promote`, the demo, the retrain DAG). Its values come from config `retrain.*` only.
 *
 * A challenger passes when
 *   1. its holdout ROC-AUC is at least `minRocAuc` (the absolute floor, champion or not), and
 *   2. its `metric` is not worse than the champion's by more than `tolerance` (log_loss: lower is better).
 *
 * Unknown metrics (NaN, e.g. an ONNX model registered with `models register` and no metrics file):
 *   - a challenger with an unknown ROC-AUC or gate metric never passes (only `--force` promotes it);
 *   - a champion with an unknown gate metric does not block: check 2 is skipped and the floor decides,
 *     so the nightly DAG can replace an externally registered champion.
 */
import type { AlmanacConfig } from '../../core/config.ts';
import type { ChallengerVerdict, GateDecision, ModelMetrics, ModelRegistry, PromotionGate } from './model-registry.ts';

/** The gate of `config.retrain`, with per-command overrides (`--metric`, `--tolerance`). */
export function gateFromConfig(config: AlmanacConfig, overrides: Partial<PromotionGate> = {}): PromotionGate {
  const { gateMetric, gateTolerance, minRocAuc } = config.retrain;
  return { metric: overrides.metric ?? gateMetric, tolerance: overrides.tolerance ?? gateTolerance, minRocAuc: overrides.minRocAuc ?? minRocAuc };
}

interface Check { passed: boolean; reason: string }

const fmt = (n: number): string => (Number.isFinite(n) ? n.toFixed(4) : 'unknown');

function floorCheck(challenger: ModelMetrics, gate: PromotionGate): Check {
  const auc = challenger.roc_auc;
  if (!Number.isFinite(auc)) return { passed: false, reason: `challenger has no holdout roc_auc: unknown metrics never pass the floor ${fmt(gate.minRocAuc)} (use --force)` };
  return auc >= gate.minRocAuc
    ? { passed: true, reason: `holdout roc_auc ${fmt(auc)} reaches the floor ${fmt(gate.minRocAuc)}` }
    : { passed: false, reason: `holdout roc_auc ${fmt(auc)} is below the floor ${fmt(gate.minRocAuc)}` };
}

function championCheck(value: number, best: number | undefined, gate: PromotionGate): Check {
  const { metric, tolerance } = gate;
  if (best === undefined) return { passed: true, reason: 'first champion (no champion to compare with)' };
  if (!Number.isFinite(value)) return { passed: false, reason: `challenger has no ${metric}: it cannot be compared with the champion (use --force)` };
  if (!Number.isFinite(best)) return { passed: true, reason: `champion has no ${metric}: not compared, the floor decides` };
  const lowerIsBetter = metric === 'log_loss';
  const passed = lowerIsBetter ? value <= best + tolerance : value >= best - tolerance;
  const bound = `champion ${fmt(best)} ${lowerIsBetter ? '+' : '−'} ${tolerance}`;
  return { passed, reason: `challenger ${metric} ${fmt(value)} is ${passed ? 'within' : 'worse than'} ${bound}` };
}

/** Judges holdout metrics against the champion's (undefined = no champion). Pure. */
export function judgePromotion(challenger: ModelMetrics, champion: ModelMetrics | undefined, gate: PromotionGate): GateDecision {
  const value = challenger[gate.metric];
  const best = champion?.[gate.metric];
  const checks = [floorCheck(challenger, gate), championCheck(value, best, gate)];
  const passed = checks.every((c) => c.passed);
  const reasons = checks.map((c) => c.reason);
  const deciding = passed ? reasons : checks.filter((c) => !c.passed).map((c) => c.reason);
  return { passed, reasons, reason: deciding.join('; '), gate, challenger: value, ...(best === undefined ? {} : { champion: best }) };
}

/**
 * Judges registered `version` against the registry's current champion. A version that is
 * already champion is judged as if there were none (the floor only).
 */
export async function judgeChallenger(registry: ModelRegistry, version: number, gate: PromotionGate): Promise<ChallengerVerdict> {
  const [candidate, champion] = await Promise.all([registry.get(version), registry.resolve('champion')]);
  const against = champion?.version === version ? undefined : champion;
  return { ...judgePromotion(candidate.metrics, against?.metrics, gate), version, championVersion: against?.version };
}
