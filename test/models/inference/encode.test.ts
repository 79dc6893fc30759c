import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../core/seeded-random.ts';
import type { FeatureColumn, FeatureRecord, FeatureValue } from '../../../features/training-set.ts';
import { createEncoder, createRowWriter, encodeRecords, featureWidth } from '../../../models/inference/encode.ts';
import { fitSignature } from '../../../models/training/fit-signature.ts';

const columns: FeatureColumn[] = [
  { name: 'age', type: 'numeric', source: 'touch' },
  { name: 'job', type: 'categorical', source: 'touch' },
];

const train = [
  { age: 20, job: 'admin' }, { age: 30, job: 'admin' }, { age: 40, job: 'chef' }, { age: null, job: 'admin' }, { age: 50, job: 'rare' },
];

describe('fitSignature', () => {
  it('learns fill (median), mean/std, a missing indicator and a frequency-ordered vocabulary', () => {
    const sig = fitSignature(columns, train, { minCategoryCount: 1 });
    const [age, job] = sig.features;
    expect(age).toMatchObject({ type: 'numeric', mean: 35, fill: 35, missingIndicator: true, clip: 5 });
    expect((age as { std: number }).std).toBeCloseTo(Math.sqrt(125), 10);
    expect(job).toEqual({ name: 'job', type: 'categorical', vocabulary: ['admin', 'chef', 'rare'] });
    expect(sig.inputWidth).toBe(2 + 4);
  });
  it('drops categories below the minimum count and keeps at most maxCategories', () => {
    const sig = fitSignature(columns, train, { minCategoryCount: 2 });
    expect(sig.features[1]).toMatchObject({ vocabulary: ['admin'] });
    expect(fitSignature(columns, train, { minCategoryCount: 1, maxCategories: 2 }).features[1]).toMatchObject({ vocabulary: ['admin', 'chef'] });
  });
  it('fails with ALMANAC_ERR_TRAINING_FAILED on no rows', () => {
    expect(() => fitSignature(columns, [])).toThrow(expect.objectContaining({ code: 'ALMANAC_ERR_TRAINING_FAILED' }));
  });
});

describe('encodeRecords', () => {
  const sig = fitSignature(columns, train, { minCategoryCount: 1 });
  const std = Math.sqrt(125);

  it('standardises numerics and one-hot encodes known categories', () => {
    const x = encodeRecords(sig, [{ age: 45, job: 'chef' }]);
    expect(Array.from(x)).toEqual([Math.fround(10 / std), 0, 0, 1, 0, 0]);
  });
  it('fills a missing numeric with the median and sets its indicator', () => {
    for (const age of [null, undefined, 'n/a', Number.NaN]) {
      const x = encodeRecords(sig, [{ age: age as number | null, job: 'admin' }]);
      expect(Array.from(x.slice(0, 2))).toEqual([0, 1]);
    }
  });
  it('maps unknown and missing categories to the OOV slot only', () => {
    const x = encodeRecords(sig, [{ age: 35, job: 'astronaut' }, { age: 35, job: null }, { age: 35 }]);
    for (let r = 0; r < 3; r++) expect(Array.from(x.slice(r * 6 + 2, r * 6 + 6))).toEqual([0, 0, 0, 1]);
  });
  it('clips extreme numerics to ±clip standard deviations', () => {
    const x = encodeRecords(sig, [{ age: 1e9, job: 'admin' }, { age: -1e9, job: 'admin' }]);
    expect(x[0]).toBe(5);
    expect(x[6]).toBe(-5);
  });
  it('reads booleans as 1/0 numerics and as category strings', () => {
    const boolSig = fitSignature([{ name: 'flag', type: 'numeric', source: 'touch' }, { name: 'cat', type: 'categorical', source: 'touch' }],
      [{ flag: 1, cat: 'true' }, { flag: 0, cat: 'false' }], { minCategoryCount: 1 });
    const x = encodeRecords(boolSig, [{ flag: true as unknown as number, cat: true as unknown as string }]);
    expect(x[0]).toBeCloseTo(1, 6);
    expect(Array.from(x.slice(1))).toEqual([0, 1, 0]); // vocabulary ['false', 'true'] (ties alphabetical), then OOV
  });
  it('reads numeric strings as numbers', () => {
    expect(encodeRecords(sig, [{ age: '45', job: 'chef' }])[0]).toBeCloseTo(10 / std, 6);
  });
});

describe('createRowWriter', () => {
  it('writes exactly the cells createEncoder writes for the same values, on many random rows', () => {
    const cols: FeatureColumn[] = [
      { name: 'a', type: 'numeric', source: 'touch' }, { name: 'c', type: 'categorical', source: 'touch' },
      { name: 'b', type: 'numeric', source: 'touch' }, { name: 'd', type: 'categorical', source: 'touch' }, { name: 'e', type: 'numeric', source: 'touch' },
    ];
    const rows = Array.from({ length: 50 }, (_, i) => ({ a: i, b: i % 3 === 0 ? null : i * 10, c: ['x', 'y', 'z'][i % 3] as string, d: i % 2 ? 'p' : 'q', e: 1 }));
    const fitted = fitSignature(cols, rows, { minCategoryCount: 1 });
    // one numeric without clip or indicator, to cover every branch
    const sig = { ...fitted, features: fitted.features.map((f) => (f.name === 'e' && f.type === 'numeric' ? { ...f, clip: undefined, missingIndicator: false } : f)) };
    sig.inputWidth = sig.features.reduce((w, f) => w + featureWidth(f), 0);
    const pool: unknown[] = [0, 1, -3, 2.5, 1e12, -1e12, Number.NaN, Number.POSITIVE_INFINITY, null, undefined, true, false, '7', ' ', '', 'x', 'y', 'z', 'p', 'q', 'zz', { o: 1 }];
    const random = seededRandom(11);
    const encode = createEncoder(sig);
    const write = createRowWriter(sig);
    for (let n = 0; n < 500; n++) {
      const values = sig.features.map(() => pool[Math.floor(random() * pool.length)]) as FeatureValue[];
      const record = Object.fromEntries(sig.features.map((f, i) => [f.name, values[i]])) as FeatureRecord;
      const out = new Float32Array(sig.inputWidth * 2);
      write(values, out, sig.inputWidth);
      expect(Array.from(out.subarray(sig.inputWidth))).toEqual(Array.from(encode([record])));
      expect(out.subarray(0, sig.inputWidth).every((v) => v === 0)).toBe(true);
    }
  });
});

describe('learned numeric transforms and quantile bins', () => {
  const heavy: FeatureColumn[] = [{ name: 'spend', type: 'numeric', source: 'touch' }, { name: 'age', type: 'numeric', source: 'touch' }];
  const random = seededRandom(5);
  // spend: log-normal (heavy right tail); age: uniform
  const rows = Array.from({ length: 2000 }, () => ({ spend: Math.exp(random() * 8), age: 20 + random() * 50 }));

  it("'auto' picks signed log1p for a heavy-tailed column only, with mean/std of the transformed values", () => {
    const sig = fitSignature(heavy, rows, { transform: 'auto' });
    const [spend, age] = sig.features;
    expect(spend).toMatchObject({ name: 'spend', transform: 'signed_log1p' });
    expect(age?.type === 'numeric' && age.transform).toBeUndefined();
    const logs = rows.map((r) => Math.log1p(r.spend));
    const mean = logs.reduce((a, v) => a + v, 0) / logs.length;
    expect(spend?.type === 'numeric' && spend.mean).toBeCloseTo(mean, 6);
    expect(fitSignature(heavy, rows).features[0]).not.toHaveProperty('transform');
    // encoded: (log1p(x) − mean) / std; negative values stay defined (sign(x)·log1p(|x|))
    const s = spend as Extract<typeof spend, { type: 'numeric' }>;
    const x = encodeRecords(sig, [{ spend: 100, age: 30 }, { spend: -100, age: 30 }]);
    expect(x[0]).toBeCloseTo((Math.log1p(100) - s.mean) / s.std, 5);
    expect(x[sig.inputWidth]).toBeCloseTo((-Math.log1p(100) - s.mean) / s.std, 5);
  });

  it('bins add a one-hot of the quantile bin beside the scaled value; the row writer writes the same cells', () => {
    const sig = fitSignature(heavy, rows, { transform: 'auto', bins: 4 });
    const spend = sig.features[0] as Extract<(typeof sig.features)[0], { type: 'numeric' }>;
    expect(spend.bins).toHaveLength(3);
    expect(featureWidth(spend)).toBe(1 + 4);
    expect(sig.inputWidth).toBe(10);
    const x = encodeRecords(sig, [{ spend: 0, age: 20 }, { spend: 1e9, age: 90 }]);
    expect(Array.from(x.subarray(1, 5))).toEqual([1, 0, 0, 0]);
    expect(Array.from(x.subarray(11, 15))).toEqual([0, 0, 0, 1]);
    const write = createRowWriter(sig);
    const encode = createEncoder(sig);
    for (const values of [[5, 30], [null, 40], ['12', undefined], [-3, 1e6], [Number.NaN, 'x']] as FeatureValue[][]) {
      const out = new Float32Array(sig.inputWidth);
      write(values, out, 0);
      expect(Array.from(out)).toEqual(Array.from(encode([{ spend: values[0], age: values[1] } as FeatureRecord])));
    }
  });

  it('signatures saved before transforms and bins existed encode as before (identity, no bin slots)', () => {
    const sig = fitSignature(columns, train);
    const x = encodeRecords(sig, [{ age: 30, job: 'chef' }]);
    const age = sig.features[0] as Extract<(typeof sig.features)[0], { type: 'numeric' }>;
    expect(age).not.toHaveProperty('transform');
    expect(age).not.toHaveProperty('bins');
    expect(x[0]).toBeCloseTo((30 - age.mean) / age.std, 6);
  });
});
