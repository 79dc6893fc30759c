import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import type { ModelMetrics, PromotionGate } from '../../../models/registry/model-registry.ts';
import { gateFromConfig, judgePromotion } from '../../../models/registry/promotion-gate.ts';
import { UNKNOWN_METRICS } from '../../../models/registry/signature-schema.ts';

const metrics = (roc_auc: number, log_loss = 0.4): ModelMetrics => ({ roc_auc, pr_auc: roc_auc / 3, log_loss, calibration: [], holdout_rows: 100, holdout_positives: 10 });
const gate: PromotionGate = { metric: 'roc_auc', tolerance: 0.01, minRocAuc: 0.55 };

describe('promotion gate: floor + champion comparison', () => {
  it('no champion: the floor alone decides', () => {
    expect(judgePromotion(metrics(0.7), undefined, gate)).toEqual({
      passed: true, gate, challenger: 0.7,
      reasons: ['holdout roc_auc 0.7000 reaches the floor 0.5500', 'first champion (no champion to compare with)'],
      reason: 'holdout roc_auc 0.7000 reaches the floor 0.5500; first champion (no champion to compare with)',
    });
  });

  it('below the floor: rejected, with or without a champion, even when better than the champion', () => {
    expect(judgePromotion(metrics(0.52), undefined, gate)).toMatchObject({ passed: false, reason: 'holdout roc_auc 0.5200 is below the floor 0.5500' });
    expect(judgePromotion(metrics(0.54), metrics(0.5), gate)).toMatchObject({ passed: false, champion: 0.5, reason: 'holdout roc_auc 0.5400 is below the floor 0.5500' });
    expect(judgePromotion(metrics(0.55), undefined, gate).passed).toBe(true); // the floor itself passes
  });

  it('within tolerance of the champion: passes', () => {
    const d = judgePromotion(metrics(0.795), metrics(0.8), gate);
    expect(d).toMatchObject({ passed: true, challenger: 0.795, champion: 0.8 });
    expect(d.reasons[1]).toBe('challenger roc_auc 0.7950 is within champion 0.8000 − 0.01');
  });

  it('worse than the champion by more than the tolerance: rejected, naming only the failed check', () => {
    const d = judgePromotion(metrics(0.78), metrics(0.8), gate);
    expect(d).toMatchObject({ passed: false, reason: 'challenger roc_auc 0.7800 is worse than champion 0.8000 − 0.01' });
    expect(d.reasons).toHaveLength(2);
    expect(judgePromotion(metrics(0.795), metrics(0.8), { ...gate, tolerance: 0 }).passed).toBe(false);
  });

  it('log_loss: lower is better, tolerance added to the champion', () => {
    const logLoss: PromotionGate = { ...gate, metric: 'log_loss' };
    expect(judgePromotion(metrics(0.8, 0.5), metrics(0.8, 0.4), logLoss)).toMatchObject({ passed: false, reason: 'challenger log_loss 0.5000 is worse than champion 0.4000 + 0.01' });
    expect(judgePromotion(metrics(0.7, 0.405), metrics(0.8, 0.4), logLoss).passed).toBe(true);
    expect(judgePromotion(metrics(0.5, 0.1), metrics(0.8, 0.4), logLoss).passed).toBe(false); // the floor is on roc_auc whatever the metric
  });
});

describe('promotion gate: unknown (NaN) metrics', () => {
  it('a challenger with a NaN roc_auc never passes, with or without a champion', () => {
    expect(judgePromotion(UNKNOWN_METRICS, undefined, gate)).toMatchObject({ passed: false, reason: expect.stringContaining('challenger has no holdout roc_auc') });
    const vsChampion = judgePromotion(UNKNOWN_METRICS, metrics(0.6), gate);
    expect(vsChampion.passed).toBe(false);
    expect(vsChampion.reasons).toEqual([expect.stringContaining('challenger has no holdout roc_auc'), expect.stringContaining('challenger has no roc_auc')]);
    expect(judgePromotion(UNKNOWN_METRICS, UNKNOWN_METRICS, gate).passed).toBe(false);
  });

  it('a challenger with a NaN gate metric (roc_auc known) does not pass the comparison', () => {
    const d = judgePromotion({ ...metrics(0.8), log_loss: Number.NaN }, metrics(0.7), { ...gate, metric: 'log_loss' });
    expect(d).toMatchObject({ passed: false, reason: 'challenger has no log_loss: it cannot be compared with the champion (use --force)' });
  });

  it('a champion with NaN metrics does not block a challenger that passes the floor', () => {
    expect(judgePromotion(metrics(0.6), UNKNOWN_METRICS, gate)).toMatchObject({
      passed: true, reasons: ['holdout roc_auc 0.6000 reaches the floor 0.5500', 'champion has no roc_auc: not compared, the floor decides'],
    });
    expect(judgePromotion(metrics(0.5), UNKNOWN_METRICS, gate)).toMatchObject({ passed: false, reason: 'holdout roc_auc 0.5000 is below the floor 0.5500' });
  });
});

describe('gateFromConfig', () => {
  it('reads config retrain.* and lets flags override field by field', () => {
    expect(gateFromConfig(loadConfig({ env: {} }))).toEqual({ metric: 'roc_auc', tolerance: 0.01, minRocAuc: 0.55 });
    const config = loadConfig({ env: { ALMANAC_RETRAIN_MIN_AUC: '0.6' }, overrides: { retrain: { gateMetric: 'pr_auc', gateTolerance: 0.02 } } });
    expect(gateFromConfig(config)).toEqual({ metric: 'pr_auc', tolerance: 0.02, minRocAuc: 0.6 });
    expect(gateFromConfig(config, { tolerance: 0 })).toEqual({ metric: 'pr_auc', tolerance: 0, minRocAuc: 0.6 });
  });
});
