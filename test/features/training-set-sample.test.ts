import { describe, expect, it } from 'vitest';
import { inSample, sampleTrainingSet } from '../../features/training-set-sample.ts';
import type { TrainingExample, TrainingSet } from '../../features/training-set.ts';

function setOf(rows: number): TrainingSet {
  const examples: TrainingExample[] = Array.from({ length: rows }, (_, i) => ({
    touch_id: `t-${String(i).padStart(6, '0')}`, client_id: `c${i % 7}`, campaign_id: `p${i % 31}`, ts: 1_000 + i, label: i % 10 === 0 ? 1 : 0, features: { x: i },
  }));
  return { manifest: { id: 'ts-x', createdAt: '', range: { from: 1_000, to: 1_000 + rows }, rows, positives: examples.filter((e) => e.label === 1).length, attributionWindowMs: 1, columns: [], featureViews: [], eventLogOffsets: {}, file: 'examples.jsonl' }, examples };
}

describe('sampleTrainingSet', () => {
  it('keeps about maxRows examples in time order, by a touch-id hash (the same sample every time), the manifest unchanged', () => {
    const set = setOf(40_000);
    const { set: sampled, sample } = sampleTrainingSet(set, 4_000);
    expect(sample).toEqual({ method: 'touch-id-hash', rate: 0.1, rows: sampled.examples.length, of: 40_000 });
    expect(Math.abs(sampled.examples.length - 4_000)).toBeLessThan(4 * Math.sqrt(4_000)); // ±4σ
    expect(sampled.manifest).toBe(set.manifest);
    expect(sampled.sample).toEqual(sample);
    expect(sampled.examples.every((e, i) => i === 0 || (sampled.examples[i - 1] as TrainingExample).ts < e.ts)).toBe(true);
    expect(sampleTrainingSet(set, 4_000).set.examples).toEqual(sampled.examples);
    // every client keeps its share
    for (let c = 0; c < 7; c++) expect(sampled.examples.filter((e) => e.client_id === `c${c}`).length).toBeGreaterThan(4_000 / 7 - 4 * Math.sqrt(4_000 / 7));
  });

  it('returns a set no bigger than maxRows as it is', () => {
    const set = setOf(100);
    expect(sampleTrainingSet(set, 100)).toEqual({ set });
    expect(sampleTrainingSet(set, Infinity).set).toBe(set);
  });

  it('a sample of a sample is the sample at the product of the rates, relative to the whole set', () => {
    const set = setOf(20_000);
    const half = sampleTrainingSet(set, 10_000).set;
    const { set: tenth, sample } = sampleTrainingSet(half, half.examples.length / 5);
    expect(sample?.of).toBe(20_000);
    expect(sample?.rate).toBeCloseTo(0.1, 10);
    // the hash rule nests: every row of the smaller sample is in the larger one, and it is the same as sampling the whole set at that rate
    expect(tenth.examples.every((e) => inSample(e.touch_id, 0.5))).toBe(true);
    expect(tenth.examples).toEqual(set.examples.filter((e) => inSample(e.touch_id, sample?.rate as number)));
  });
});
