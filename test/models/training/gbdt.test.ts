import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../core/seeded-random.ts';
import { rocAuc } from '../../../models/evaluation/roc-auc.ts';
import { binOf, fitFeatureBins } from '../../../models/training/gbdt/feature-bins.ts';
import { trainGbdt } from '../../../models/training/gbdt/train-gbdt.ts';
import { predictEnsemble } from '../../../models/training/gbdt/tree-ensemble.ts';
import { forwardTf } from '../../../models/training/network.ts';
import { trainLogistic } from '../../../models/training/train-logistic.ts';
import type { EncodedRows } from '../../../models/training/train-network.ts';
import { loadTf } from '../../../models/tf-backend.ts';

/** `rows` rows of `width` uniform(−1, 1) columns, labelled by `label(row)` (a probability or 0/1). */
function rowsOf(rows: number, width: number, seed: number, label: (x: number[], rng: () => number) => number): EncodedRows {
  const rng = seededRandom(seed);
  const x = new Float32Array(rows * width);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: width }, () => rng() * 2 - 1);
    x.set(row, r * width);
    y[r] = label(row, rng);
  }
  return { x, y, rows, width };
}

const bernoulli = (p: number, rng: () => number) => (rng() < p ? 1 : 0);

describe('feature bins', () => {
  it('uses every distinct value as an edge when there are few, quantiles otherwise, and none for a constant column', () => {
    const x = Float32Array.from([1, 0, 3, 5, 2, 0, 4, 5, 1, 0, 3, 5, 2, 0, 9, 5]); // 4 rows × 4 columns
    const bins = fitFeatureBins(x, 4, 4, 64);
    expect(Array.from(bins.columns)).toEqual([0, 2]);
    expect(Array.from(bins.edges[0] ?? [])).toEqual([1]);
    expect(Array.from(bins.edges[1] ?? [])).toEqual([3, 4]);
    const many = Float32Array.from({ length: 1000 }, (_, i) => i);
    const quantiles = fitFeatureBins(many, 1000, 1, 10);
    expect(quantiles.edges[0]).toHaveLength(9);
    expect(binOf(0, quantiles.edges[0] as Float32Array)).toBe(0);
    expect(binOf(999, quantiles.edges[0] as Float32Array)).toBe(9);
    const e = quantiles.edges[0] as Float32Array;
    expect(binOf(e[3] as number, e)).toBe(3); // x ≤ edge is in that edge's bin
  });
});

describe('histogram GBDT', () => {
  it('separates linearly separable data perfectly', () => {
    const label = (x: number[]) => ((x[0] as number) > 0.2 ? 1 : 0);
    const m = trainGbdt(rowsOf(2000, 3, 1, label), rowsOf(500, 3, 2, label), { rounds: 50, maxDepth: 2 });
    const test = rowsOf(500, 3, 3, label);
    expect(rocAuc(test.y, predictEnsemble(m.ensemble, test.x, test.rows))).toBeGreaterThan(0.999);
    // the first split is on the informative column
    expect(m.ensemble.trees[0]?.feature[0]).toBe(0);
  });

  it('learns a monotone relation: predictions rise with the feature', () => {
    const label = (x: number[], rng: () => number) => bernoulli(1 / (1 + Math.exp(-3 * (x[0] as number))), rng);
    const m = trainGbdt(rowsOf(5000, 2, 4, label), rowsOf(1000, 2, 5, label), { maxDepth: 2, learningRate: 0.1 });
    const grid = Float32Array.from([-0.9, 0, -0.45, 0, 0, 0, 0.45, 0, 0.9, 0]);
    const p = Array.from(predictEnsemble(m.ensemble, grid, 5));
    for (let i = 1; i < p.length; i++) expect(p[i]).toBeGreaterThan(p[i - 1] as number);
    expect(p[0]).toBeLessThan(0.2);
    expect(p[4]).toBeGreaterThan(0.8);
  });

  it('beats logistic regression on an interaction (XOR) problem, which a linear model cannot learn', async () => {
    const label = (x: number[], rng: () => number) => bernoulli((x[0] as number) * (x[1] as number) > 0 ? 0.9 : 0.1, rng);
    const train = rowsOf(4000, 4, 6, label);
    const validation = rowsOf(1000, 4, 7, label);
    const test = rowsOf(2000, 4, 8, label);
    const trees = rocAuc(test.y, predictEnsemble(trainGbdt(train, validation, { maxDepth: 3 }).ensemble, test.x, test.rows));
    const linear = rocAuc(test.y, forwardTf(await loadTf(), trainLogistic(train).weights, test.x, test.rows).probabilities);
    expect(trees).toBeGreaterThan(0.85);
    expect(linear).toBeLessThan(0.6);
  });

  it('stops early on pure noise and keeps the best round', () => {
    const label = (_x: number[], rng: () => number) => bernoulli(0.3, rng);
    const m = trainGbdt(rowsOf(2000, 3, 9, label), rowsOf(1000, 3, 10, label), { rounds: 500, patience: 20 });
    expect(m.history.length).toBeLessThan(500);
    expect(m.history.length - m.bestRound).toBe(20);
    expect(m.ensemble.trees).toHaveLength(m.bestRound);
  });

  it('starts from the base rate and shrinks leaf weights with a larger L2', () => {
    const label = (x: number[], rng: () => number) => bernoulli((x[0] as number) > 0 ? 0.7 : 0.2, rng);
    const train = rowsOf(2000, 2, 11, label);
    const validation = rowsOf(500, 2, 12, label);
    const positives = train.y.reduce((a, v) => a + v, 0);
    const loose = trainGbdt(train, validation, { rounds: 1, l2: 0 });
    const tight = trainGbdt(train, validation, { rounds: 1, l2: 1000 });
    expect(loose.ensemble.bias).toBeCloseTo(Math.log(positives / (train.rows - positives)), 5);
    const maxLeaf = (m: typeof loose) => Math.max(...Array.from(m.ensemble.trees[0]?.value ?? []).filter((_, i) => (m.ensemble.trees[0]?.feature[i] as number) < 0).map(Math.abs));
    expect(maxLeaf(tight)).toBeLessThan(maxLeaf(loose) / 2);
  });

  it('is deterministic and fails with ALMANAC_ERR_TRAINING_FAILED on a single class', () => {
    const label = (x: number[], rng: () => number) => bernoulli((x[1] as number) > 0 ? 0.6 : 0.3, rng);
    const a = trainGbdt(rowsOf(800, 3, 13, label), rowsOf(200, 3, 14, label));
    const b = trainGbdt(rowsOf(800, 3, 13, label), rowsOf(200, 3, 14, label));
    expect(a.ensemble.trees.map((t) => Array.from(t.value))).toEqual(b.ensemble.trees.map((t) => Array.from(t.value)));
    expect(() => trainGbdt(rowsOf(100, 2, 15, () => 0), rowsOf(50, 2, 16, () => 0))).toThrow(expect.objectContaining({ code: 'ALMANAC_ERR_TRAINING_FAILED' }));
  });

  it('grows the same trees when a column is duplicated: the copy is never split on', () => {
    const label = (x: number[], rng: () => number) => bernoulli((x[0] as number) + (x[2] as number) > 0 ? 0.8 : 0.2, rng);
    const train = rowsOf(1000, 3, 21, label);
    const validation = rowsOf(300, 3, 22, label);
    // column 1 := a copy of column 0 (on every row, so also in validation), or a constant
    const withColumn = (rows: EncodedRows, copy: boolean): EncodedRows => {
      const x = Float32Array.from(rows.x);
      for (let r = 0; r < rows.rows; r++) x[r * 3 + 1] = copy ? (x[r * 3] as number) : 0;
      return { ...rows, x };
    };
    const duplicated = trainGbdt(withColumn(train, true), withColumn(validation, true), { rounds: 40, maxDepth: 3 });
    const without = trainGbdt(withColumn(train, false), withColumn(validation, false), { rounds: 40, maxDepth: 3 });
    expect(duplicated.ensemble.trees.flatMap((t) => Array.from(t.feature))).not.toContain(1);
    expect(duplicated.ensemble.trees.map((t) => [Array.from(t.feature), Array.from(t.value)])).toEqual(without.ensemble.trees.map((t) => [Array.from(t.feature), Array.from(t.value)]));
    expect(duplicated.ensemble.trees.flatMap((t) => Array.from(t.feature))).toContain(0);
  });
});

describe('logistic regression (L-BFGS)', () => {
  it('recovers the coefficients of a known logistic model', () => {
    const w = [1.5, -2, 0];
    const label = (x: number[], rng: () => number) => bernoulli(1 / (1 + Math.exp(-(0.5 + x.reduce((a, v, i) => a + v * (w[i] as number), 0)))), rng);
    const m = trainLogistic(rowsOf(20000, 3, 17, label), { l2: 0 });
    const layer = m.weights.layers[0];
    expect(layer?.kernel[0]).toBeCloseTo(1.5, 0);
    expect(layer?.kernel[1]).toBeCloseTo(-2, 0);
    expect(Math.abs(layer?.kernel[2] as number)).toBeLessThan(0.15);
    expect(layer?.bias[0]).toBeCloseTo(0.5, 0);
  });

  it('shrinks the weights as L2 grows', () => {
    const label = (x: number[], rng: () => number) => bernoulli(1 / (1 + Math.exp(-2 * (x[0] as number))), rng);
    const rows = rowsOf(3000, 2, 18, label);
    const norm = (l2: number) => Math.abs(trainLogistic(rows, { l2 }).weights.layers[0]?.kernel[0] as number);
    expect(norm(0.1)).toBeLessThan(norm(1e-4));
  });
});
