/** A tiny hand-made network + signature + ONNX file for registry and registration tests. */
import fs from 'node:fs';
import path from 'node:path';
import { buildOnnxModel } from '../../models/onnx/build-onnx-model.ts';
import type { InputSignature, ModelLineage, ModelMetrics } from '../../models/registry/model-registry.ts';
import type { NetworkWeights } from '../../models/training/network.ts';

export const tinySignature: InputSignature = {
  features: [
    { name: 'x', type: 'numeric', mean: 0, std: 1, fill: 0, missingIndicator: false },
    { name: 'c', type: 'categorical', vocabulary: ['a', 'b'] },
  ],
  inputWidth: 4,
  inputName: 'features',
  outputs: { probability: 'probability', embedding: 'embedding' },
  embeddingWidth: 2,
};

export function tinyNetwork(scale = 1): NetworkWeights {
  return {
    layers: [
      { inputs: 4, units: 2, kernel: Float32Array.from([1, -1, 0.5, 0.5, -0.5, 1, 0, 0].map((v) => v * scale)), bias: Float32Array.from([0.1, 0]) },
      { inputs: 2, units: 1, kernel: Float32Array.from([1, -2]), bias: Float32Array.from([0.2]) },
    ],
  };
}

export function writeTinyOnnx(dir: string, name = 'tiny.onnx', scale = 1, signature = tinySignature): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, buildOnnxModel(tinyNetwork(scale), signature));
  return file;
}

export function tinyMetrics(rocAuc: number, logLoss = 0.4): ModelMetrics {
  return { roc_auc: rocAuc, pr_auc: rocAuc / 2, log_loss: logLoss, calibration: [], holdout_rows: 100, holdout_positives: 10 };
}

export const tinyLineage: ModelLineage = {
  trainingSetId: 'ts-1', trainingRange: { from: 0, to: 1000 }, featureViews: [{ name: 'client_activity', version: 1 }],
  eventLogOffsets: { 'events-0': 10 }, codeVersion: 'test', parameters: { epochs: 1 }, origin: 'almanac',
};
