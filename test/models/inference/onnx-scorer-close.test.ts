import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScorer } from '../../../models/inference/onnx-scorer.ts';
import type { ModelVersion } from '../../../models/registry/model-registry.ts';
import { tinyLineage, tinyMetrics, tinySignature, writeTinyOnnx } from '../tiny-model.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-scorer-close-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const version = (): ModelVersion => ({
  version: 1, name: 'touch-success', createdAt: new Date(0).toISOString(), aliases: [], onnxPath: writeTinyOnnx(root),
  signature: tinySignature, metrics: tinyMetrics(0.7), lineage: tinyLineage,
}) as ModelVersion;

describe('ONNX scorer close', () => {
  it('waits for the runs in flight (a shutdown never hands them a released session), then refuses new ones', async () => {
    const scorer = await loadScorer(version());
    const rows = Array.from({ length: 200 }, (_, i) => ({ x: i / 100, c: i % 2 ? 'a' : 'b' }));
    const inFlight = Array.from({ length: 50 }, () => scorer.predict(rows));
    const encoded = scorer.predictEncoded!(new Float32Array(4), 1);
    const closing = scorer.close();
    const results = await Promise.allSettled([...inFlight, encoded]);
    await closing;
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    await expect(scorer.predict(rows)).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_NOT_READY' });
  });
});
