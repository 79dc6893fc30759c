import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { sampleTrainingSet } from '../../../features/training-set-sample.ts';
import { trainAndRegister } from '../../../models/training/train-and-register.ts';
import { syntheticTrainingSet } from '../synthetic-training-set.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-train-sample-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('training on a sample of a big set', () => {
  it('maxRows trains on a touch-id-hash sample and the lineage says so; the set held as a sample is trained on as it is', async () => {
    const config = loadConfig({ env: {}, overrides: { home: fs.mkdtempSync(path.join(dir, 'home-')) } });
    const set = syntheticTrainingSet(4000, 11);
    const sampled = await trainAndRegister(config, { trainingSet: set, quiet: true, families: ['logistic'], folds: 1, maxRows: 1000 });
    const sample = (sampled.version.lineage.parameters as { sample?: { rows: number; of: number; rate: number; method: string } }).sample;
    expect(sample).toMatchObject({ method: 'touch-id-hash', of: 4000, rate: 0.25 });
    expect(sample?.rows).toBe(sampleTrainingSet(set, 1000).set.examples.length);
    expect(sampled.version.lineage.trainingSetId).toBe(set.manifest.id);
    expect(sampled.metrics.roc_auc).toBeGreaterThan(0.7);
    // a set already held as a sample (buildTrainingSet/readTrainingSet holdRows): trained on as it is, recorded the same
    const held = sampleTrainingSet(set, 1000).set;
    const again = await trainAndRegister(config, { trainingSet: held, quiet: true, families: ['logistic'], folds: 1 });
    expect((again.version.lineage.parameters as { sample?: unknown }).sample).toEqual(sample);
    // the whole set: no sample in the lineage
    const whole = await trainAndRegister(config, { trainingSet: set, quiet: true, families: ['logistic'], folds: 1 });
    expect((whole.version.lineage.parameters as { sample?: unknown }).sample).toBeUndefined();
  });
});
