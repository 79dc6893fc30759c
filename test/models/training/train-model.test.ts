import { describe, expect, it } from 'vitest';
import { trainModel } from '../../../models/training/train-model.ts';
import { syntheticTrainingSet } from '../synthetic-training-set.ts';

describe('trainModel', () => {
  it('learns a synthetic signal and reports the logistic baseline on the time holdout', async () => {
    const set = syntheticTrainingSet(2000, 11);
    const epochs: string[] = [];
    const m = await trainModel(set, { network: { epochs: 8, seed: 1 }, families: ['mlp'], folds: 1, onEpoch: (model, r) => epochs.push(`${model}:${r.epoch}`) });
    expect(m.family).toBe('mlp');
    expect(m.metrics.roc_auc).toBeGreaterThan(0.75);
    expect(m.metrics.holdout_rows).toBe(400);
    expect(m.split).toMatchObject({ holdoutRows: 400, trainRows: 1360, validationRows: 240, kind: 'time', folds: 1 });
    expect(m.split.holdoutFromTs).toBe(set.examples[1600]?.ts);
    expect(m.signature.embeddingWidth).toBe(32);
    expect(m.signature.outputs).toEqual({ probability: 'probability', embedding: 'embedding' });
    expect(epochs).toContain('network:1');
    expect(m.metrics.log_loss).toBeLessThan(0.693);
  });

  it('is deterministic for a seed', async () => {
    const set = syntheticTrainingSet(600, 3);
    const a = await trainModel(set, { network: { epochs: 2, seed: 5 } });
    const b = await trainModel(set, { network: { epochs: 2, seed: 5 } });
    expect(a.metrics.roc_auc).toBe(b.metrics.roc_auc);
    expect(a.leaderboard.map((e) => [e.candidate, e.validation.roc_auc, e.holdout.roc_auc])).toEqual(b.leaderboard.map((e) => [e.candidate, e.validation.roc_auc, e.holdout.roc_auc]));
  });

  it('fails with ALMANAC_ERR_TRAINING_FAILED when the training part holds one class', async () => {
    const set = syntheticTrainingSet(200, 3);
    for (const e of set.examples) e.label = 0;
    await expect(trainModel(set, { network: { epochs: 1 } })).rejects.toMatchObject({ code: 'ALMANAC_ERR_TRAINING_FAILED' });
  });
});

describe('trainModel: several families, selection on validation', () => {
  it('serves the candidate with the best mean validation ROC-AUC and keeps a leaderboard of every family', async () => {
    const set = syntheticTrainingSet(3000, 13);
    const lines: string[] = [];
    const m = await trainModel(set, { network: { epochs: 4, seed: 2 }, onProgress: (l) => lines.push(l) });
    const families = new Set(m.leaderboard.map((e) => e.family));
    expect(families).toEqual(new Set(['logistic', 'mlp', 'gbdt']));
    const best = Math.max(...m.leaderboard.map((e) => e.validation.roc_auc));
    const served = m.leaderboard.filter((e) => e.served);
    expect(served).toHaveLength(1);
    // the best validation ROC-AUC; candidates within 0.001 of it are a tie, won by the lower validation log loss
    const tied = m.leaderboard.filter((e) => e.validation.roc_auc >= best - 0.001);
    expect(tied).toContain(served[0]);
    expect(served[0]?.validation.log_loss).toBe(Math.min(...tied.map((e) => e.validation.log_loss)));
    expect(served[0]?.family).toBe(m.family);
    expect(m.metrics.roc_auc).toBe(served[0]?.holdout.roc_auc);
    expect(m.metrics.leaderboard).toBe(m.leaderboard);
    expect(m.metrics.family).toBe(m.family);
    // a time split: time-series cross-validation over 3 expanding folds
    expect(m.split.folds).toBe(3);
    // one line per candidate, then one per family's refit on the whole training part
    expect(lines.length).toBe(m.leaderboard.length + 3);
    expect(lines.filter((l) => l.startsWith('[train] refit '))).toHaveLength(3);
    const refits = m.leaderboard.filter((e) => e.refit);
    expect(refits.map((e) => e.family).sort()).toEqual(['gbdt', 'logistic', 'mlp']);
    for (const r of refits) expect(r.validation.roc_auc).toBeGreaterThanOrEqual(Math.max(...m.leaderboard.filter((e) => e.family === r.family).map((e) => e.validation.roc_auc)) - 0.001);
    expect(served[0]?.refit).toBe(true);
    expect(lines[0]).toMatch(/^\[train\] logistic .* val_roc_auc 0\.\d{4} over 3 folds/);
    for (const e of m.leaderboard) {
      expect(e.holdout.roc_auc).toBeGreaterThan(0.7);
      expect(e.fit_seconds).toBeGreaterThanOrEqual(0);
    }
    // the logistic family's best candidate stays the baseline figure
    expect(m.metrics.baseline?.roc_auc).toBeGreaterThan(0.7);
    expect(m.seconds.total).toBeGreaterThanOrEqual(m.seconds.served);
  });

  it('a stratified split keeps each class share on both sides and is seeded', async () => {
    const set = syntheticTrainingSet(1000, 4);
    const m = await trainModel(set, { split: 'stratified', splitSeed: 0, families: ['logistic'] });
    const positives = set.examples.filter((e) => e.label === 1).length;
    expect(m.split.kind).toBe('stratified');
    expect(m.metrics.holdout_rows).toBe(200);
    expect(Math.abs(m.metrics.holdout_positives - Math.round(positives * 0.2))).toBeLessThanOrEqual(1);
    const again = await trainModel(set, { split: 'stratified', splitSeed: 0, families: ['logistic'] });
    expect(again.metrics.roc_auc).toBe(m.metrics.roc_auc);
    const other = await trainModel(set, { split: 'stratified', splitSeed: 1, families: ['logistic'] });
    expect(other.metrics.roc_auc).not.toBe(m.metrics.roc_auc);
  });
});
