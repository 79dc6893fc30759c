import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createModelRegistry } from '../../models/registry/create-model-registry.ts';
import { buildApp } from '../../serving/app.ts';
import { tinyLineage, tinyMetrics, tinySignature, writeTinyOnnx } from '../models/tiny-model.ts';
import { fakeDeps } from './serving-fakes.ts';
import { bearer } from './auth-keys.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-models-route-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('GET /v1/models with a corrupt registry alias file', () => {
  it('answers 503 ALMANAC_ERR_REGISTRY_CORRUPT naming registry/aliases.json and the fix, not a 500', async () => {
    const home = fs.mkdtempSync(path.join(root, 'home-'));
    const registry = await createModelRegistry(loadConfig({ env: {}, overrides: { home } }));
    await registry.register({ name: 'touch-success', onnxFile: writeTinyOnnx(root, 'm.onnx', 1), metrics: tinyMetrics(0.7, 0.4), signature: tinySignature, lineage: tinyLineage });
    const world = await fakeDeps();
    const app = await buildApp({ ...world.deps, registry }, { poll: false });
    try {
      expect((await app.inject({ method: 'GET', url: '/v1/models', headers: bearer(world.keys.admin) })).statusCode).toBe(200);
      fs.writeFileSync(path.join(home, 'registry', 'aliases.json'), '{"champion": 1,');
      const r = await app.inject({ method: 'GET', url: '/v1/models', headers: bearer(world.keys.admin) });
      expect(r.statusCode).toBe(503);
      const body = r.json() as { code: string; message: string; details: { file: string } };
      expect(body.code).toBe('ALMANAC_ERR_REGISTRY_CORRUPT');
      expect(body.details.file).toBe(path.join('registry', 'aliases.json'));
      expect(body.message).toContain('registry alias file registry/aliases.json');
      expect(body.message).toContain('almanac models promote VERSION --force');
    } finally {
      await app.close();
    }
  });
});
