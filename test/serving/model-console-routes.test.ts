/**
 * GET /v1/models/:version (curves), POST /v1/models/:version/promote and POST /v1/models/rollback
 * over the real embedded registry: the gate decides, force overrides it, and the running server
 * serves the new champion (its reload poll on, as `almanac serve` runs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { evaluateHoldout } from '../../models/evaluation/evaluate.ts';
import { createModelRegistry } from '../../models/registry/create-model-registry.ts';
import type { ModelRegistry } from '../../models/registry/model-registry.ts';
import { buildApp } from '../../serving/app.ts';
import { tinyLineage, tinyMetrics, tinySignature, writeTinyOnnx } from '../models/tiny-model.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps, type FakeWorld } from './serving-fakes.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-model-console-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

/** 200 holdout rows whose scores rank positives above negatives most of the time. */
function holdout(): { labels: number[]; scores: number[] } {
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < 200; i++) {
    const y = i % 5 === 0 ? 1 : 0;
    labels.push(y);
    scores.push(Math.min(0.99, ((i * 37) % 100) / 200 + (y ? 0.35 : 0)));
  }
  return { labels, scores };
}

/** v1: trained here (curves stored), champion; v2: an older-style entry without curves and a floor-failing AUC. */
type World = Omit<FakeWorld, 'registry'> & { registry: ModelRegistry; app: FastifyInstance };

async function world(): Promise<World> {
  const w = await fakeDeps();
  const home = fs.mkdtempSync(path.join(root, 'home-'));
  const registry = await createModelRegistry(loadConfig({ env: {}, overrides: { home } }));
  const h = holdout();
  await registry.register({ name: 'trained', onnxFile: writeTinyOnnx(root, 'a.onnx', 1), metrics: { ...evaluateHoldout(h.labels, h.scores), family: 'logistic' }, signature: tinySignature, lineage: tinyLineage });
  await registry.register({ name: 'old', onnxFile: writeTinyOnnx(root, 'b.onnx', 2), metrics: tinyMetrics(0.5), signature: tinySignature, lineage: tinyLineage });
  await registry.promote(1);
  const config = { ...w.deps.config, serving: { ...w.deps.config.serving, reloadIntervalMs: 100 } };
  app = await buildApp({ ...w.deps, config, registry }, { poll: true });
  return { ...w, registry, app };
}

const admin = (w: Pick<FakeWorld, 'keys'>) => bearer(w.keys.admin);
const serving = async (w: World): Promise<number> =>
  (await w.app.inject({ method: 'GET', url: '/v1/models', headers: admin(w) })).json().serving.model_version as number;

describe('GET /v1/models/:version', () => {
  it('gives the entry of GET /v1/models with the holdout ROC curve (101 points, 0→1) and the calibration bins', async () => {
    const w = await world();
    const r = await w.app.inject({ method: 'GET', url: '/v1/models/1', headers: admin(w) });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    const listed = (await w.app.inject({ method: 'GET', url: '/v1/models', headers: admin(w) })).json().versions[0];
    const { curves, ...entry } = body;
    expect(entry).toEqual(listed);
    expect(listed.metrics).not.toHaveProperty('roc_curve');
    expect(curves.roc).toHaveLength(101);
    expect(curves.roc[0]).toEqual([0, expect.any(Number)]);
    expect(curves.roc[100]).toEqual([1, 1]);
    for (let i = 1; i < 101; i++) expect(curves.roc[i][1]).toBeGreaterThanOrEqual(curves.roc[i - 1][1]);
    // the area under the stored points is the ROC-AUC within the grid's resolution
    const area = curves.roc.slice(1).reduce((a: number, p: number[], i: number) => a + (p[0]! - curves.roc[i][0]) * (p[1]! + curves.roc[i][1]) / 2, 0);
    expect(area).toBeCloseTo(body.metrics.roc_auc, 2);
    const stored = (await w.registry.get(1)).metrics.calibration;
    expect(curves.calibration).toEqual(stored.map((b) => ({ predicted: b.mean_predicted, observed: b.observed_rate, count: b.count })));
    expect(curves.calibration.reduce((a: number, b: { count: number }) => a + b.count, 0)).toBe(200);
  });

  it('gives curves: null for a version registered without them; 404 for an unknown version; 400 naming the param for a bad one', async () => {
    const w = await world();
    expect((await w.app.inject({ method: 'GET', url: '/v1/models/2', headers: admin(w) })).json().curves).toBeNull();
    const missing = await w.app.inject({ method: 'GET', url: '/v1/models/99', headers: admin(w) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('ALMANAC_ERR_INPUT_NOT_FOUND');
    const bad = await w.app.inject({ method: 'GET', url: '/v1/models/abc', headers: admin(w) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.issues).toEqual([{ path: 'params.version', reason: 'expected a model version (an integer ≥ 1), got "abc"' }]);
  });
});

describe('POST /v1/models/:version/promote and /v1/models/rollback', () => {
  it('a version the gate rejects is not promoted (200, the gate\'s reasons); with force it is, and the running server serves it; rollback returns', async () => {
    const w = await world();
    expect(await serving(w)).toBe(1);
    const rejected = await w.app.inject({ method: 'POST', url: '/v1/models/2/promote', payload: {}, headers: admin(w) });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toEqual({ promoted: false, reasons: expect.arrayContaining([expect.stringContaining('below the floor')]), version: 2, alias: 'champion' });
    expect((await w.registry.resolve('champion'))?.version).toBe(1);

    const forced = await w.app.inject({ method: 'POST', url: '/v1/models/2/promote', payload: { force: true }, headers: admin(w) });
    expect(forced.json()).toMatchObject({ promoted: true, version: 2, alias: 'champion', reasons: expect.arrayContaining(['forced past the gate']) });
    expect((await w.registry.resolve('champion'))?.version).toBe(2);
    expect(await serving(w)).toBe(2);
    const predict = await w.app.inject({ method: 'POST', url: '/v1/predict', payload: { touch: { client_id: 'c1', campaign_id: 'cmp1', audience: { segment: 'families' } } }, headers: bearer(w.keys.byClient.c1!) });
    expect(predict.json().model_version).toBe(2);

    const back = await w.app.inject({ method: 'POST', url: '/v1/models/rollback', payload: {}, headers: admin(w) });
    expect(back.statusCode).toBe(200);
    expect(back.json()).toEqual({ version: 1, alias: 'champion' });
    expect(await serving(w)).toBe(1);
    const again = await w.app.inject({ method: 'POST', url: '/v1/models/rollback', headers: admin(w) });
    expect(again.statusCode).toBe(409);
    expect((await w.app.inject({ method: 'POST', url: '/v1/models/1/promote', payload: {}, headers: admin(w) })).statusCode).toBe(409);
  });

  it('a promotion made elsewhere (the CLI, another replica) reaches the running server within a few seconds by its reload poll', async () => {
    const w = await world();
    await w.registry.promote(2, { force: true });
    const until = Date.now() + 5_000;
    while ((await serving(w)) !== 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await serving(w)).toBe(2);
  });

  it('bad bodies are 400 with the field, what is expected and what came; a tenant key is 403 on every model route', async () => {
    const w = await world();
    const force = await w.app.inject({ method: 'POST', url: '/v1/models/2/promote', payload: { force: 'yes' }, headers: admin(w) });
    expect(force.statusCode).toBe(400);
    expect(force.json().details.issues).toEqual([{ path: 'force', reason: 'expected true or false, got "yes"' }]);
    const alias = await w.app.inject({ method: 'POST', url: '/v1/models/2/promote', payload: { alias: 'challenger' }, headers: admin(w) });
    expect(alias.json().details.issues[0]).toMatchObject({ path: 'alias', reason: expect.stringContaining('got "challenger"') });
    const extra = await w.app.inject({ method: 'POST', url: '/v1/models/rollback', payload: { version: 1 }, headers: admin(w) });
    expect(extra.statusCode).toBe(400);
    const tenant = bearer(w.keys.byClient.c1!);
    for (const [method, url] of [['GET', '/v1/models/1'], ['POST', '/v1/models/2/promote'], ['POST', '/v1/models/rollback']] as const) {
      const r = await w.app.inject({ method, url, payload: method === 'POST' ? { force: true } : undefined, headers: tenant });
      expect(r.statusCode, url).toBe(403);
    }
    expect((await w.registry.resolve('champion'))?.version).toBe(1);
  });
});
