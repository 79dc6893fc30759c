import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AlmanacError } from '../../core/errors.ts';
import { buildApp } from '../../serving/app.ts';
import { servingBanner } from '../../serving/cli.ts';
import fs from 'node:fs';
import { loadScorer } from '../../models/inference/onnx-scorer.ts';
import { createModelRegistry } from '../../models/registry/create-model-registry.ts';
import { tinyLineage, tinyMetrics, tinySignature, writeTinyOnnx } from '../models/tiny-model.ts';
import { fakeDeps, fakeRegistry } from './serving-fakes.ts';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

describe('serve start-up banner', () => {
  it('names the cause when the champion fails to load (a corrupt model.onnx), not "train one"', async () => {
    const world = await fakeDeps({ loadScorer: async () => { throw new AlmanacError('ALMANAC_ERR_MODEL_INVALID', 'model.onnx of version 1 cannot be loaded: protobuf parsing failed'); } });
    app = await buildApp(world.deps, { poll: false });
    expect(servingBanner('http://127.0.0.1:1', app.almanac))
      .toBe('almanac serving on http://127.0.0.1:1 (model none — the champion failed to load: model.onnx of version 1 cannot be loaded: protobuf parsing failed; train a new one (`almanac train`) or promote another version (`almanac models promote VERSION`), index patterns_v1)');
  });

  it('a real corrupt model.onnx: the banner names the file relative to the home, the cause and the fix', async () => {
    const world = await fakeDeps();
    const registry = await createModelRegistry(world.config);
    const v = await registry.register({ name: 'touch-success', onnxFile: writeTinyOnnx(world.config.home, 'm.onnx', 1), metrics: tinyMetrics(0.7, 0.4), signature: tinySignature, lineage: tinyLineage });
    await registry.setAlias('champion', v.version);
    fs.writeFileSync((await registry.get(v.version)).onnxPath, 'not a protobuf');
    app = await buildApp({ ...world.deps, registry, loadScorer }, { poll: false });
    const banner = servingBanner('http://h', app.almanac);
    expect(banner).toMatch(new RegExp(`^almanac serving on http://h \\(model none — the champion failed to load: model registry/versions/${v.version}/model\\.onnx: onnxruntime cannot load it \\(.+\\); train a new one`));
    expect(banner).not.toContain(world.config.home);
    expect(banner).not.toContain('train one,');
  });

  it('says "train one" only when there is no champion, and the version when one is loaded', async () => {
    app = await buildApp((await fakeDeps({ registry: fakeRegistry([]) })).deps, { poll: false });
    expect(servingBanner('http://h', app.almanac)).toMatch(/^almanac serving on http:\/\/h \(model none yet — train one, index /);
    await app.close();
    app = await buildApp((await fakeDeps()).deps, { poll: false });
    expect(servingBanner('http://h', app.almanac)).toMatch(/^almanac serving on http:\/\/h \(model v1, index /);
  });
});
