import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../core/seeded-random.ts';
import type { FeatureColumn, FeatureRecord } from '../../../features/training-set.ts';
import { createRowWriter, encodeRecords, hashBucketOf } from '../../../models/inference/encode.ts';
import { rocAuc } from '../../../models/evaluation/roc-auc.ts';
import { parseSignature } from '../../../models/registry/signature-schema.ts';
import { fitSignature } from '../../../models/training/fit-signature.ts';
import { trainLogistic } from '../../../models/training/train-logistic.ts';

const columns: FeatureColumn[] = [
  { name: 'audience.postcode', type: 'categorical', source: 'touch' },
  { name: 'channel', type: 'categorical', source: 'touch' },
];

/**
 * 600 postcodes, each with its own conversion rate (5% or 40%, fixed by the code), about 30 touches
 * each in 20,000: with a vocabulary capped at 20, the long tail carries the signal.
 */
function rows(n: number, seed: number): { records: FeatureRecord[]; y: Float32Array } {
  const random = seededRandom(seed);
  const records: FeatureRecord[] = [];
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const code = Math.floor(random() * 600);
    records.push({ 'audience.postcode': `pc-${code}`, channel: random() < 0.5 ? 'email' : 'sms' });
    y[i] = random() < ((code * 7919) % 3 === 0 ? 0.4 : 0.05) ? 1 : 0;
  }
  return { records, y };
}

describe('high-cardinality categoricals', () => {
  it('hash the values outside the vocabulary into a fixed number of slots; small columns are unchanged', () => {
    const { records } = rows(5000, 1);
    const s = fitSignature(columns, records, { maxCategories: 50, hashBuckets: 16 });
    const [postcode, channel] = s.features;
    expect(postcode).toMatchObject({ type: 'categorical', hashBuckets: 16 });
    expect(postcode?.type === 'categorical' && postcode.vocabulary.length).toBeLessThanOrEqual(50);
    expect(channel).not.toHaveProperty('hashBuckets');
    expect(s.inputWidth).toBe((postcode?.type === 'categorical' ? postcode.vocabulary.length : 0) + 1 + 16 + 2 + 1);
    expect(parseSignature(JSON.parse(JSON.stringify(s)))).toEqual(s); // the registry accepts it

    const width = s.inputWidth;
    const vocab = postcode?.type === 'categorical' ? postcode.vocabulary.length : 0;
    const x = encodeRecords(s, [{ 'audience.postcode': 'never-seen', channel: 'email' }, { channel: 'sms' }, { 'audience.postcode': 'never-seen', channel: 'email' }]);
    const hot = (row: number) => Array.from(x.subarray(row * width, row * width + vocab + 17)).findIndex((v) => v === 1);
    expect(hot(0)).toBe(vocab + 1 + hashBucketOf('never-seen', 16)); // an unknown value: its hashed slot
    expect(hot(1)).toBe(vocab); // missing: the OOV slot
    expect(hot(2)).toBe(hot(0)); // deterministic
    // train and serve write the same cells (the serving row writer)
    const served = new Float32Array(width);
    createRowWriter(s)(['never-seen', 'email'], served, 0);
    expect(Array.from(served)).toEqual(Array.from(x.subarray(0, width)));
  });

  it('keep signal that a single shared slot loses', () => {
    const train = rows(20_000, 2);
    const test = rows(5000, 3);
    const auc = (hashBuckets: number) => {
      const s = fitSignature(columns, train.records, { maxCategories: 20, hashBuckets });
      const m = trainLogistic({ x: encodeRecords(s, train.records), y: train.y, rows: train.records.length, width: s.inputWidth }, { l2: 1e-3 });
      const xt = encodeRecords(s, test.records);
      const w = m.weights.layers[0]!;
      const p = new Float32Array(test.records.length);
      for (let r = 0; r < p.length; r++) {
        let z = w.bias[0] as number;
        for (let j = 0; j < s.inputWidth; j++) z += (xt[r * s.inputWidth + j] as number) * (w.kernel[j] as number);
        p[r] = 1 / (1 + Math.exp(-z));
      }
      return rocAuc(test.y, p);
    };
    const shared = auc(0);
    const hashed = auc(256);
    expect(shared).toBeLessThan(0.6); // 20 of 600 codes have a slot; the rest share one
    expect(hashed).toBeGreaterThan(shared + 0.1); // ~2 codes a slot: most of each code's own rate survives
  });
});
