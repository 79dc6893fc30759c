/** Option parsers of the model commands (parsed inside actions, so bad values exit 2 with one line). */
import { invalidInput } from '../../core/errors.ts';
import type { PromotionGate } from '../registry/model-registry.ts';

export function fractionOption(name: string, value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw invalidInput(`option ${name} must be a number in (0, 1), got '${value}'`, [{ path: name, reason: 'must be in (0, 1)' }]);
  return n;
}

export function toleranceOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw invalidInput(`option --tolerance must be a number ≥ 0, got '${value}'`, [{ path: '--tolerance', reason: 'must be ≥ 0' }]);
  return n;
}

const METRICS: PromotionGate['metric'][] = ['roc_auc', 'pr_auc', 'log_loss'];

export function metricOption(value: string): PromotionGate['metric'] {
  if (!METRICS.includes(value as PromotionGate['metric'])) {
    throw invalidInput(`option --metric must be one of ${METRICS.join(', ')}, got '${value}'`, [{ path: '--metric', reason: `one of ${METRICS.join(', ')}` }]);
  }
  return value as PromotionGate['metric'];
}

export function versionArgument(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw invalidInput(`VERSION must be a positive integer, got '${value}'`, [{ path: 'VERSION', reason: 'a positive integer' }]);
  return n;
}

/** Formats a metric for tables: 4 decimals, or '-' when unknown. */
export function fmt(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(4);
}

/** The gate overrides given on the command line (unset flags fall back to config retrain.*). */
export function gateOptions(flags: { metric?: string; tolerance?: string }): Partial<PromotionGate> {
  return {
    ...(flags.metric === undefined ? {} : { metric: metricOption(flags.metric) }),
    ...(flags.tolerance === undefined ? {} : { tolerance: toleranceOption(flags.tolerance) }),
  };
}
