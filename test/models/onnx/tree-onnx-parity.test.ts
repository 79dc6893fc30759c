import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { encodeRecords } from '../../../models/inference/encode.ts';
import { loadScorer } from '../../../models/inference/onnx-scorer.ts';
import { buildTreeOnnxModel } from '../../../models/onnx/build-tree-onnx.ts';
import { createModelRegistry } from '../../../models/registry/create-model-registry.ts';
import type { ModelVersion } from '../../../models/registry/model-registry.ts';
import { predictEnsemble } from '../../../models/training/gbdt/tree-ensemble.ts';
import { trainAndRegister } from '../../../models/training/train-and-register.ts';
import { trainModel } from '../../../models/training/train-model.ts';
import { syntheticTrainingSet } from '../synthetic-training-set.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-tree-onnx-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('tree ensemble ONNX export (ai.onnx.ml TreeEnsembleRegressor + Sigmoid)', () => {
  it('onnxruntime agrees with the JS trees within 1e-5 on 1,000 rows, on records and on encoded rows; no embedding', async () => {
    const set = syntheticTrainingSet(3000, 31);
    const model = await trainModel(set, { families: ['gbdt'] });
    if (model.model.kind !== 'trees') throw new Error('expected trees');
    const ensemble = model.model.ensemble;
    expect(ensemble.trees.length).toBeGreaterThan(5);
    expect(model.signature.outputs).toEqual({ probability: 'probability' });
    const file = path.join(dir, 'trees.onnx');
    fs.writeFileSync(file, buildTreeOnnxModel(ensemble, model.signature));
    const version: ModelVersion = {
      version: 1, name: 'trees', createdAt: new Date().toISOString(), metrics: model.metrics, signature: model.signature,
      lineage: { trainingSetId: 'x', trainingRange: { from: 0, to: 1 }, featureViews: [], eventLogOffsets: {}, codeVersion: 'test', parameters: {}, origin: 'almanac' },
      onnxPath: file, aliases: [],
    };
    const records = set.examples.slice(0, 1000).map((e) => e.features);
    records[5] = { ...records[5], channel: 'never-seen', x2: null };
    const scorer = await loadScorer(version);
    const onnx = await scorer.predict(records);
    const x = encodeRecords(model.signature, records);
    const js = predictEnsemble(ensemble, x, records.length);
    let max = 0;
    for (let i = 0; i < records.length; i++) max = Math.max(max, Math.abs((onnx[i] as number) - (js[i] as number)));
    expect(max).toBeLessThan(1e-5);
    expect(new Set(Array.from(onnx.slice(0, 100))).size).toBeGreaterThan(10);
    expect(Array.from(await scorer.predictEncoded!(x, 1000))).toEqual(Array.from(onnx));
    await expect(scorer.embed(records.slice(0, 2))).rejects.toMatchObject({ code: 'ALMANAC_ERR_UNSUPPORTED' });
    await scorer.close();
  });

  it('an ensemble without trees scores the base rate', async () => {
    const set = syntheticTrainingSet(600, 3);
    const model = await trainModel(set, { families: ['gbdt'], folds: 1 });
    const file = path.join(dir, 'empty.onnx');
    fs.writeFileSync(file, buildTreeOnnxModel({ inputs: model.signature.inputWidth, bias: Math.fround(-1), trees: [] }, model.signature));
    const scorer = await loadScorer({ version: 2, name: 'e', createdAt: '', metrics: model.metrics, signature: model.signature, lineage: { trainingSetId: 'x', trainingRange: { from: 0, to: 1 }, featureViews: [], eventLogOffsets: {}, codeVersion: 't', parameters: {}, origin: 'almanac' }, onnxPath: file, aliases: [] });
    const p = await scorer.predict([set.examples[0]?.features ?? {}]);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(1)), 6);
    await scorer.close();
  });

  it('trainAndRegister registers a tree champion with its family and leaderboard, and it loads for serving', async () => {
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    const config = loadConfig({ env: {}, overrides: { home } });
    const { version, metrics } = await trainAndRegister(config, { trainingSet: syntheticTrainingSet(1500, 8), quiet: true, families: ['gbdt'] });
    expect(metrics.family).toBe('gbdt');
    expect(version.metrics.leaderboard?.map((e) => e.family)).toEqual(['gbdt', 'gbdt']);
    expect(version.lineage.parameters).toMatchObject({ family: 'gbdt' });
    const registry = await createModelRegistry(config);
    const scorer = await loadScorer(await registry.get(version.version));
    const p = await scorer.predict([{ x1: 1, x2: 3, channel: 'call' }, { x1: -2, x2: 3, channel: 'sms' }]);
    expect(p[0]).toBeGreaterThan(p[1] as number);
    await scorer.close();
  });
});
