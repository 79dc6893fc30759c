import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { loadScorer } from '../../../models/inference/onnx-scorer.ts';
import { createModelRegistry } from '../../../models/registry/create-model-registry.ts';
import { registerExternalModel } from '../../../models/registry/register-external.ts';
import { tinySignature, writeTinyOnnx } from '../tiny-model.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-external-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const config = loadConfig({ env: {}, overrides: { home: path.join(root, 'home') } });
const onnx = writeTinyOnnx(root);
const json = (name: string, value: unknown) => {
  const file = path.join(root, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
};

describe('registerExternalModel', () => {
  it('registers an ONNX model whose signature matches, with origin external, and serves it', async () => {
    const v = await registerExternalModel(config, { onnx, signature: json('sig.json', tinySignature), metrics: json('m.json', { roc_auc: 0.71 }), name: 'partner' });
    expect(v).toMatchObject({ version: 1, name: 'partner', lineage: { origin: 'external' }, metrics: { roc_auc: 0.71 } });
    expect(Number.isNaN(v.metrics.pr_auc)).toBe(true);
    const listed = await (await createModelRegistry(config)).list();
    expect(listed[0]?.signature).toEqual(tinySignature);
    const scorer = await loadScorer(listed[0]!);
    const [p] = await scorer.predict([{ x: 0, c: 'a' }]);
    // input [x=0, a=1, b=0, oov=0]; hidden = relu([0.5 + 0.1, 0.5]) = [0.6, 0.5]; logit = 0.6 − 1 + 0.2 = −0.2
    expect(p).toBeCloseTo(1 / (1 + Math.exp(0.2)), 6);
    await scorer.close();
  });

  it('rejects a signature whose width does not match the model', async () => {
    const wider = { ...tinySignature, features: [...tinySignature.features, { name: 'y', type: 'numeric', mean: 0, std: 1, fill: 0, missingIndicator: false }], inputWidth: 5 };
    await expect(registerExternalModel(config, { onnx, signature: json('wide.json', wider) })).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_INVALID', message: expect.stringContaining('width 5') });
  });

  it('rejects mismatching output names and embedding widths', async () => {
    const renamed = { ...tinySignature, outputs: { probability: 'score', embedding: 'embedding' } };
    await expect(registerExternalModel(config, { onnx, signature: json('renamed.json', renamed) })).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_INVALID', message: expect.stringContaining("output 'score' not found") });
    const emb = { ...tinySignature, embeddingWidth: 3 };
    await expect(registerExternalModel(config, { onnx, signature: json('emb.json', emb) })).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_INVALID', message: expect.stringContaining('expected embeddingWidth 3') });
  });

  it('validates the signature file with a schema naming the field', async () => {
    const bad = { ...tinySignature, inputWidth: 7 };
    await expect(registerExternalModel(config, { onnx, signature: json('bad.json', bad) })).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_INVALID', message: expect.stringContaining('inputWidth') });
    await expect(registerExternalModel(config, { onnx, signature: json('junk.json', { features: 'x' }) })).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_INVALID' });
    await expect(registerExternalModel(config, { onnx: path.join(root, 'missing.onnx'), signature: json('ok.json', tinySignature) })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND' });
    fs.writeFileSync(path.join(root, 'garbage.onnx'), 'not a model');
    await expect(registerExternalModel(config, { onnx: path.join(root, 'garbage.onnx'), signature: json('ok.json', tinySignature) })).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_INVALID' });
  });
});

describe('signature schema: transforms and bins', () => {
  it('accepts a signature with and without transform/bins and checks the width and the bin order', async () => {
    const { parseSignature } = await import('../../../models/registry/signature-schema.ts');
    const base = { inputName: 'features', outputs: { probability: 'probability' } };
    const plain = { name: 'x', type: 'numeric', mean: 0, std: 1, fill: 0, missingIndicator: false };
    expect(parseSignature({ ...base, features: [plain], inputWidth: 1 }).inputWidth).toBe(1);
    expect(parseSignature({ ...base, features: [{ ...plain, transform: 'signed_log1p', bins: [0, 1] }], inputWidth: 4 }).features[0]).toMatchObject({ transform: 'signed_log1p', bins: [0, 1] });
    expect(() => parseSignature({ ...base, features: [{ ...plain, bins: [0, 1] }], inputWidth: 1 })).toThrow(/inputWidth: is 1 but the features add up to 4/);
    expect(() => parseSignature({ ...base, features: [{ ...plain, bins: [1, 0] }], inputWidth: 4 })).toThrow(/bins: must be strictly ascending/);
    expect(() => parseSignature({ ...base, features: [{ ...plain, transform: 'log' }], inputWidth: 1 })).toThrow(/transform/);
  });
});
