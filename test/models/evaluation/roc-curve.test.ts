import { describe, expect, it } from 'vitest';
import { evaluateHoldout } from '../../../models/evaluation/evaluate.ts';
import { rocAuc } from '../../../models/evaluation/roc-auc.ts';
import { rocCurve } from '../../../models/evaluation/roc-curve.ts';

const area = (c: [number, number][]): number => c.slice(1).reduce((a, p, i) => a + ((p[0] - (c[i] as [number, number])[0]) * (p[1] + (c[i] as [number, number])[1])) / 2, 0);

describe('rocCurve', () => {
  it('is 101 points on the FPR grid: a perfect ranking has TPR 1 from FPR 0, a reversed one TPR 0 until FPR 1', () => {
    const perfect = rocCurve([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) as [number, number][];
    expect(perfect).toHaveLength(101);
    expect(perfect[0]).toEqual([0, 1]);
    expect(perfect.every(([, t]) => t === 1)).toBe(true);
    const reversed = rocCurve([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) as [number, number][];
    expect(reversed.slice(0, 100).every(([, t]) => t === 0)).toBe(true);
    expect(reversed[100]).toEqual([1, 1]);
  });

  it('draws tied scores as the diagonal (ties count ½, as in the ROC-AUC)', () => {
    const tied = rocCurve([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) as [number, number][];
    expect(tied[25]).toEqual([0.25, 0.25]);
    expect(tied[70]).toEqual([0.7, 0.7]);
  });

  it('encloses the ROC-AUC (to the grid\'s resolution) on a larger holdout', () => {
    const labels: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < 1000; i++) {
      labels.push(i % 7 === 0 ? 1 : 0);
      scores.push(((i * 7919) % 1000) / 1000 * 0.6 + (i % 7 === 0 ? 0.3 : 0));
    }
    expect(area(rocCurve(labels, scores) as [number, number][])).toBeCloseTo(rocAuc(labels, scores), 2);
  });

  it('is undefined for a single class; evaluateHoldout stores it only when defined', () => {
    expect(rocCurve([0, 0], [0.1, 0.2])).toBeUndefined();
    expect(evaluateHoldout([0, 0], [0.1, 0.2])).not.toHaveProperty('roc_curve');
    expect(evaluateHoldout([0, 1, 0, 1], [0.1, 0.9, 0.8, 0.7]).roc_curve).toHaveLength(101);
  });
});
