import { describe, expect, it } from 'vitest';
import type { FeatureColumn, FeatureRecord } from '../../../features/training-set.ts';
import { encodeRecords } from '../../../models/inference/encode.ts';
import { fitSignature } from '../../../models/training/fit-signature.ts';
import { trainLogistic } from '../../../models/training/train-logistic.ts';
import { rocAuc } from '../../../models/evaluation/roc-auc.ts';

const columns: FeatureColumn[] = [
  { name: 'time.month', type: 'numeric', source: 'touch' },
  { name: 'rate', type: 'numeric', source: 'touch' },
  { name: 'amount', type: 'numeric', source: 'touch' },
];

/** Months 1–12, a rate with 4 fractional values, an amount with many values. */
function records(n: number): FeatureRecord[] {
  return Array.from({ length: n }, (_, i) => ({ 'time.month': (i % 12) + 1, rate: [1.1, 1.4, -0.1, -1.8][i % 4] as number, amount: i * 0.37 }));
}

describe('fitSignature levels', () => {
  it('encodes few-valued whole-number columns as levels (one-hot), leaving fractional and many-valued columns scaled', () => {
    const s = fitSignature(columns, records(240), { levels: 12, levelValues: 'whole' });
    const [month, rate, amount] = s.features;
    expect(month).toMatchObject({ name: 'time.month', type: 'categorical' });
    expect(month?.type === 'categorical' && [...month.vocabulary].sort((a, b) => Number(a) - Number(b))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
    expect(rate?.type).toBe('numeric');
    expect(amount?.type).toBe('numeric');
    expect(s.inputWidth).toBe(13 + 1 + 1);
  });

  it("takes fractional few-valued columns as levels too with levelValues 'any', and never a column with more distinct values than the limit", () => {
    const s = fitSignature(columns, records(240), { levels: 12, levelValues: 'any' });
    expect(s.features.map((f) => f.type)).toEqual(['categorical', 'categorical', 'numeric']);
    expect(fitSignature(columns, records(240), { levels: 11, levelValues: 'any' }).features[0]?.type).toBe('numeric');
    expect(fitSignature(columns, records(240)).features.map((f) => f.type)).toEqual(['numeric', 'numeric', 'numeric']);
    // numbers written as text or booleans stay numeric (levels match the value's text)
    const texts = records(240).map((r) => ({ ...r, 'time.month': String(r['time.month']) }));
    expect(fitSignature(columns, texts, { levels: 12 }).features[0]?.type).toBe('numeric');
  });

  it('puts a value never seen in training (and a missing one) in the OOV slot', () => {
    const s = fitSignature(columns.slice(0, 1), records(24).filter((r) => r['time.month'] !== 7), { levels: 12 });
    const x = encodeRecords(s, [{ 'time.month': 7 }, {}, { 'time.month': 3 }]);
    const width = s.inputWidth;
    expect(width).toBe(12);
    expect(x[width - 1]).toBe(1);
    expect(x[2 * width - 1]).toBe(1);
    expect(x[3 * width - 1]).toBe(0);
    expect(x.subarray(2 * width, 3 * width).reduce((a, v) => a + v, 0)).toBe(1);
  });

  it('lets a linear model learn a seasonal (non-monotone) month effect that a scaled month cannot', () => {
    // Converts in months 3 and 11, rarely otherwise: no line through the month number separates them.
    const rows = records(2400);
    const y = Float32Array.from(rows, (r, i) => ([3, 11].includes(r['time.month'] as number) ? (i % 3 !== 0 ? 1 : 0) : (i % 7 === 0 ? 1 : 0)));
    const auc = (levels: number) => {
      const s = fitSignature(columns.slice(0, 1), rows, { levels });
      const x = encodeRecords(s, rows);
      const m = trainLogistic({ x, y, rows: rows.length, width: s.inputWidth });
      const w = m.weights.layers[0] as { kernel: Float32Array; bias: Float32Array };
      const p = Float32Array.from(rows, (_, r) => {
        let z = w.bias[0] as number;
        for (let j = 0; j < s.inputWidth; j++) z += (x[r * s.inputWidth + j] as number) * (w.kernel[j] as number);
        return 1 / (1 + Math.exp(-z));
      });
      return rocAuc(y, p);
    };
    // The best any model can do on the month alone is ≈ 0.70 (half the positives fall in months 3 and 11).
    const levels = auc(12);
    const scaled = auc(0);
    expect(levels).toBeGreaterThan(0.69);
    expect(scaled).toBeLessThan(levels - 0.1);
  });
});
