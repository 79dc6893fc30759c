import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AlmanacError } from '../../core/errors.ts';
import { buildApp } from '../../serving/app.ts';
import { servingBanner } from '../../serving/cli.ts';
import { fakeDeps, fakeRegistry } from './serving-fakes.ts';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

describe('serve start-up banner', () => {
  it('names the cause when the champion fails to load (a corrupt model.onnx), not "train one"', async () => {
    const world = await fakeDeps({ loadScorer: async () => { throw new AlmanacError('ALMANAC_ERR_MODEL_INVALID', 'model.onnx of version 1 cannot be loaded: protobuf parsing failed'); } });
    app = await buildApp(world.deps, { poll: false });
    expect(servingBanner('http://127.0.0.1:1', app.almanac))
      .toBe('almanac serving on http://127.0.0.1:1 (model none — the champion failed to load: model.onnx of version 1 cannot be loaded: protobuf parsing failed, index patterns_v1)');
  });

  it('says "train one" only when there is no champion, and the version when one is loaded', async () => {
    app = await buildApp((await fakeDeps({ registry: fakeRegistry([]) })).deps, { poll: false });
    expect(servingBanner('http://h', app.almanac)).toMatch(/^almanac serving on http:\/\/h \(model none yet — train one, index /);
    await app.close();
    app = await buildApp((await fakeDeps()).deps, { poll: false });
    expect(servingBanner('http://h', app.almanac)).toMatch(/^almanac serving on http:\/\/h \(model v1, index /);
  });
});
