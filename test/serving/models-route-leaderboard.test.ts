import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createModelRegistry } from '../../models/registry/create-model-registry.ts';
import type { LeaderboardEntry } from '../../models/registry/model-registry.ts';
import { buildApp } from '../../serving/app.ts';
import { tinyLineage, tinyMetrics, tinySignature, writeTinyOnnx } from '../models/tiny-model.ts';
import { fakeDeps } from './serving-fakes.ts';
import { bearer } from './auth-keys.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-models-board-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const entry = (family: string, served: boolean, auc: number): LeaderboardEntry => ({
  family, candidate: `${family} x`, served, refit: true, validation: { roc_auc: auc, log_loss: 0.4 }, holdout: { roc_auc: auc - 0.01, pr_auc: 0.3, log_loss: 0.41 }, fit_seconds: 1.5,
});

describe('GET /v1/models: family and leaderboard', () => {
  it('shows each version\'s family and every candidate; a version registered without them gets null and []', async () => {
    const home = fs.mkdtempSync(path.join(root, 'home-'));
    const registry = await createModelRegistry(loadConfig({ env: {}, overrides: { home } }));
    await registry.register({ name: 'old', onnxFile: writeTinyOnnx(root, 'a.onnx', 1), metrics: tinyMetrics(0.7, 0.4), signature: tinySignature, lineage: tinyLineage });
    const board = [entry('gbdt', true, 0.8), entry('logistic', false, 0.78)];
    await registry.register({ name: 'new', onnxFile: writeTinyOnnx(root, 'b.onnx', 2), metrics: { ...tinyMetrics(0.79, 0.4), family: 'gbdt', leaderboard: board }, signature: tinySignature, lineage: tinyLineage });
    const world = await fakeDeps();
    const app = await buildApp({ ...world.deps, registry }, { poll: false });
    try {
      const r = await app.inject({ method: 'GET', url: '/v1/models', headers: bearer(world.keys.admin) });
      expect(r.statusCode).toBe(200);
      const versions = (r.json() as { versions: { name: string; family: string | null; leaderboard: LeaderboardEntry[]; metrics: Record<string, unknown> }[] }).versions;
      const byName = Object.fromEntries(versions.map((v) => [v.name, v]));
      expect(byName.old).toMatchObject({ family: null, leaderboard: [] });
      expect(byName.new?.family).toBe('gbdt');
      expect(byName.new?.leaderboard).toEqual(board);
      expect(byName.new?.metrics).not.toHaveProperty('leaderboard');
    } finally {
      await app.close();
    }
  });
});
