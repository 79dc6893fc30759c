/** The promotion gate: a challenger replaces the champion only if its holdout metric is not worse than the champion's minus a tolerance. */
import type { ModelMetrics, PromotionGate } from './model-registry.ts';

export const DEFAULT_GATE: PromotionGate = { metric: 'roc_auc', tolerance: 0 };

/** Metrics where lower is better. */
const LOWER_IS_BETTER = new Set<PromotionGate['metric']>(['log_loss']);

export interface GateDecision { pass: boolean; reason: string; challenger: number; champion: number }

export function judgeGate(challenger: ModelMetrics, champion: ModelMetrics, gate: PromotionGate): GateDecision {
  const c = challenger[gate.metric];
  const k = champion[gate.metric];
  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(4) : 'n/a');
  if (!Number.isFinite(c)) return { pass: false, challenger: c, champion: k, reason: `challenger has no ${gate.metric}` };
  if (!Number.isFinite(k)) return { pass: true, challenger: c, champion: k, reason: `champion has no ${gate.metric}` };
  const lower = LOWER_IS_BETTER.has(gate.metric);
  const pass = lower ? c <= k + gate.tolerance : c >= k - gate.tolerance;
  const bound = lower ? `≤ ${fmt(k)} + ${gate.tolerance}` : `≥ ${fmt(k)} − ${gate.tolerance}`;
  return { pass, challenger: c, champion: k, reason: `${gate.metric} ${fmt(c)} ${pass ? 'meets' : 'fails'} ${bound} (champion)` };
}
