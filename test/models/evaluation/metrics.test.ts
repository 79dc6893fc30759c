import { describe, expect, it } from 'vitest';
import { averagePrecision } from '../../../models/evaluation/average-precision.ts';
import { calibrationBins } from '../../../models/evaluation/calibration.ts';
import { evaluateHoldout } from '../../../models/evaluation/evaluate.ts';
import { logLoss } from '../../../models/evaluation/log-loss.ts';
import { rocAuc } from '../../../models/evaluation/roc-auc.ts';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
  });
  it('matches a hand count of concordant pairs', () => {
    // positives 0.35, 0.8; negatives 0.1, 0.4, 0.7 → pairs won: 0.35>0.1 (1), 0.8>all (3) = 4 of 6
    expect(rocAuc([0, 1, 0, 0, 1], [0.1, 0.35, 0.4, 0.7, 0.8])).toBeCloseTo(4 / 6, 12);
  });
  it('counts tied scores as half a pair', () => {
    // pos 0.5, 0.9; neg 0.5, 0.2 → (0.5 vs 0.5 = ½) + (0.5 > 0.2 = 1) + 0.9 wins both (2) = 3.5 of 4
    expect(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.2])).toBeCloseTo(3.5 / 4, 12);
    expect(rocAuc([1, 0, 1, 0], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });
  it('is NaN with a single class and rejects mismatched lengths', () => {
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(() => rocAuc([1, 0], [0.2])).toThrow(expect.objectContaining({ code: 'ALMANAC_ERR_INPUT_INVALID' }));
  });
});

describe('averagePrecision', () => {
  it('matches the step-wise sum by hand', () => {
    // ranked: 0.9(1) 0.8(0) 0.7(1) 0.1(0) → recall steps ½ at P=1, ½ at P=2/3 → 0.5 + 1/3
    expect(averagePrecision([0, 1, 0, 1], [0.1, 0.9, 0.8, 0.7])).toBeCloseTo(0.5 + 1 / 3, 12);
  });
  it('treats tied scores as one threshold', () => {
    // 0.9(1); tie at 0.5: (1),(0) → thresholds: 0.9 → R=½ P=1; 0.5 → R=1 P=2/3
    expect(averagePrecision([1, 1, 0], [0.9, 0.5, 0.5])).toBeCloseTo(0.5 + 0.5 * (2 / 3), 12);
    // all tied: P = base rate
    expect(averagePrecision([1, 0, 0, 0], [0.5, 0.5, 0.5, 0.5])).toBeCloseTo(0.25, 12);
  });
});

describe('logLoss', () => {
  it('is the mean negative log-likelihood', () => {
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12);
  });
  it('clips 0 and 1 so it stays finite', () => {
    expect(logLoss([1, 0], [0, 1])).toBeCloseTo(-Math.log(1e-15), 2);
  });
});

describe('calibrationBins', () => {
  it('bins by predicted probability, reporting only non-empty bins', () => {
    const bins = calibrationBins([0, 1, 1, 0, 1], [0.05, 0.15, 0.12, 0.95, 1]);
    expect(bins).toEqual([
      { bin: 0, count: 1, mean_predicted: 0.05, observed_rate: 0 },
      { bin: 1, count: 2, mean_predicted: expect.closeTo(0.135, 12), observed_rate: 1 },
      { bin: 9, count: 2, mean_predicted: expect.closeTo(0.975, 12), observed_rate: 0.5 },
    ]);
  });
});

describe('evaluateHoldout', () => {
  it('reports all metrics with row and positive counts', () => {
    const m = evaluateHoldout([0, 1, 0, 1], [0.1, 0.9, 0.8, 0.7]);
    expect(m.holdout_rows).toBe(4);
    expect(m.holdout_positives).toBe(2);
    expect(m.roc_auc).toBeCloseTo(0.75, 12);
    expect(m.calibration.reduce((a, b) => a + b.count, 0)).toBe(4);
  });
});
