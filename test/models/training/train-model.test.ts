import { describe, expect, it } from 'vitest';
import { trainModel } from '../../../models/training/train-model.ts';
import { syntheticTrainingSet } from '../synthetic-training-set.ts';

describe('trainModel', () => {
  it('learns a synthetic signal and reports the logistic baseline on the time holdout', async () => {
    const set = syntheticTrainingSet(2000, 11);
    const epochs: string[] = [];
    const m = await trainModel(set, { network: { epochs: 8, seed: 1 }, baseline: { epochs: 8 }, onEpoch: (model, r) => epochs.push(`${model}:${r.epoch}`) });
    expect(m.metrics.roc_auc).toBeGreaterThan(0.75);
    expect(m.metrics.baseline?.roc_auc).toBeGreaterThan(0.7);
    expect(m.metrics.holdout_rows).toBe(400);
    expect(m.split).toMatchObject({ holdoutRows: 400, trainRows: 1360, validationRows: 240 });
    expect(m.split.holdoutFromTs).toBe(set.examples[1600]?.ts);
    expect(m.signature.embeddingWidth).toBe(32);
    expect(m.signature.outputs).toEqual({ probability: 'probability', embedding: 'embedding' });
    expect(epochs).toContain('network:1');
    expect(epochs).toContain('baseline:1');
    expect(m.metrics.log_loss).toBeLessThan(0.693);
  });

  it('is deterministic for a seed', async () => {
    const set = syntheticTrainingSet(600, 3);
    const a = await trainModel(set, { network: { epochs: 2, seed: 5 }, baseline: { epochs: 2 } });
    const b = await trainModel(set, { network: { epochs: 2, seed: 5 }, baseline: { epochs: 2 } });
    expect(a.metrics.roc_auc).toBe(b.metrics.roc_auc);
    expect(Array.from(a.network.weights.layers[0]?.kernel ?? [])).toEqual(Array.from(b.network.weights.layers[0]?.kernel ?? []));
  });

  it('fails with ALMANAC_ERR_TRAINING_FAILED when the training part holds one class', async () => {
    const set = syntheticTrainingSet(200, 3);
    for (const e of set.examples) e.label = 0;
    await expect(trainModel(set, { network: { epochs: 1 } })).rejects.toMatchObject({ code: 'ALMANAC_ERR_TRAINING_FAILED' });
  });
});
