import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRecords } from '../../../models/inference/encode.ts';
import { loadScorer } from '../../../models/inference/onnx-scorer.ts';
import { buildOnnxModel } from '../../../models/onnx/build-onnx-model.ts';
import type { ModelVersion } from '../../../models/registry/model-registry.ts';
import { forwardTf } from '../../../models/training/network.ts';
import { trainModel } from '../../../models/training/train-model.ts';
import { loadTf } from '../../../models/tf-backend.ts';
import { syntheticTrainingSet } from '../synthetic-training-set.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-onnx-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ONNX export', () => {
  it('agrees with TF.js within 1e-5 on 1,000 rows (probabilities and embeddings)', async () => {
    const set = syntheticTrainingSet(1500, 21);
    const model = await trainModel(set, { network: { epochs: 3, seed: 9 }, families: ['mlp'] });
    if (model.model.kind !== 'network') throw new Error('expected a network');
    const weights = model.model.weights;
    const file = path.join(dir, 'model.onnx');
    fs.writeFileSync(file, buildOnnxModel(weights, model.signature));
    const version: ModelVersion = {
      version: 1, name: 'parity', createdAt: new Date().toISOString(), metrics: model.metrics, signature: model.signature,
      lineage: { trainingSetId: 'x', trainingRange: { from: 0, to: 1 }, featureViews: [], eventLogOffsets: {}, codeVersion: 'test', parameters: {}, origin: 'almanac' },
      onnxPath: file, aliases: [],
    };
    const records = set.examples.slice(0, 1000).map((e) => e.features);
    records[3] = { ...records[3], channel: 'never-seen', x2: null };
    const scorer = await loadScorer(version);
    const onnxProbs = await scorer.predict(records);
    const onnxEmbeddings = await scorer.embed(records);
    const tf = await loadTf();
    const expected = forwardTf(tf, weights, encodeRecords(model.signature, records), records.length);
    expect(onnxProbs).toHaveLength(1000);
    let maxProb = 0;
    let maxEmb = 0;
    const width = model.signature.embeddingWidth as number;
    for (let i = 0; i < 1000; i++) {
      maxProb = Math.max(maxProb, Math.abs((onnxProbs[i] as number) - (expected.probabilities[i] as number)));
      const emb = onnxEmbeddings[i] as Float32Array;
      expect(emb).toHaveLength(width);
      for (let j = 0; j < width; j++) maxEmb = Math.max(maxEmb, Math.abs((emb[j] as number) - (expected.embeddings?.[i * width + j] as number)));
    }
    expect(maxProb).toBeLessThan(1e-5);
    expect(maxEmb).toBeLessThan(1e-5);
    expect(new Set(Array.from(onnxProbs.slice(0, 50))).size).toBeGreaterThan(10);
    // the encoded path (serving's) gives the same probabilities, alone, coalesced and in one call
    const x = encodeRecords(model.signature, records);
    const iw = model.signature.inputWidth;
    expect(Array.from(await scorer.predictEncoded!(x, 1000))).toEqual(Array.from(onnxProbs));
    const singles = await Promise.all([0, 1, 2, 3].map((i) => scorer.predictEncoded!(x.slice(i * iw, (i + 1) * iw), 1)));
    expect(singles.map((p) => p[0])).toEqual(Array.from(onnxProbs.slice(0, 4)));
    await expect(scorer.predictEncoded!(x, 999)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
    await scorer.close();
    await expect(scorer.predict(records)).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_NOT_READY' });
  });
});
