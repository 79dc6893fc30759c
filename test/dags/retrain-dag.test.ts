import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type AlmanacConfig } from '../../core/config.ts';
import { AlmanacError } from '../../core/errors.ts';
import { runDag } from '../../dags/dag-runner.ts';
import { retrainDag, type RetrainOptions } from '../../dags/retrain-dag.ts';
import { listRuns } from '../../dags/run-history.ts';
import type { ModelMetrics, ModelRegistry, ModelVersion, PromotionGate } from '../../models/registry/model-registry.ts';
import { judgePromotion } from '../../models/registry/promotion-gate.ts';

let home: string;
let config: AlmanacConfig;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'almanac-retrain-'));
  config = loadConfig({ env: {}, overrides: { home } });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const metrics = (roc_auc: number): ModelMetrics => ({ roc_auc, pr_auc: roc_auc / 3, log_loss: 0.4, calibration: [], holdout_rows: 100, holdout_positives: 10 });

/** An in-memory registry with the port's promote semantics (gate against the champion). */
function fakeRegistry(initial: ModelVersion[]): ModelRegistry & { versions: ModelVersion[]; promoteCalls: { version: number; verdict: boolean }[] } {
  const versions = [...initial];
  let revision = 0;
  const aliasOwner = (alias: 'champion' | 'challenger') => versions.find((v) => v.aliases.includes(alias));
  const setAlias = async (alias: 'champion' | 'challenger', version: number) => {
    for (const v of versions) v.aliases = v.aliases.filter((a) => a !== alias);
    versions.find((v) => v.version === version)?.aliases.push(alias);
    revision++;
  };
  const promoteCalls: { version: number; verdict: boolean }[] = [];
  return {
    versions,
    promoteCalls,
    init: async () => {},
    register: async () => { throw new Error('not used'); },
    list: async () => versions,
    get: async (n) => versions.find((v) => v.version === n) as ModelVersion,
    resolve: async (alias) => aliasOwner(alias),
    setAlias,
    promote: async (version, opts) => { promoteCalls.push({ version, verdict: opts?.verdict !== undefined }); const previous = aliasOwner('champion')?.version; await setAlias('champion', version); return { promoted: true, previous, reason: 'gate passed' }; },
    rollback: async () => { throw new Error('not used'); },
    revision: async () => String(revision),
  };
}

const model = (version: number, roc: number, aliases: ('champion' | 'challenger')[] = []): ModelVersion => ({
  version, name: 'touch-conversion', createdAt: new Date().toISOString(), metrics: metrics(roc), aliases, onnxPath: `/x/${version}.onnx`,
  signature: { features: [], inputWidth: 0, inputName: 'x', outputs: { probability: 'p' } },
  lineage: { trainingSetId: 't', trainingRange: { from: 0, to: 1 }, featureViews: [], eventLogOffsets: {}, codeVersion: 'test', parameters: {}, origin: 'almanac' },
});

function options(registry: ReturnType<typeof fakeRegistry>, train: () => Promise<unknown>, reindexed: string[]): RetrainOptions {
  return {
    schedule: 'off',
    openRegistry: async () => registry,
    override: {
      stream: async () => ({ events: 0 }),
      materialize: async () => ({ rows: 0 }),
      'training-set': async () => ({ dir: '/tmp/ts', set: { manifest: { id: 'ts1', rows: 10, positives: 2 }, examples: [] } }),
      train,
      reindex: async () => { reindexed.push('yes'); return { patterns: 3 }; },
    },
  };
}

describe('retrain DAG', () => {
  it('has the agreed task order and a default schedule', () => {
    const dag = retrainDag({ schedule: undefined });
    expect(dag.tasks.map((t) => t.id)).toEqual(['stream', 'materialize', 'training-set', 'train', 'evaluate', 'promote', 'reindex']);
    expect(dag.schedule).toBe('0 3 * * *');
    expect(retrainDag({ schedule: 'off' }).schedule).toBeUndefined();
  });

  it('a challenger below the gate keeps the previous champion serving; the run records the failure', async () => {
    const registry = fakeRegistry([model(1, 0.8, ['champion'])]);
    const reindexed: string[] = [];
    const train = async () => { const v = model(2, 0.7, ['challenger']); registry.versions.push(v); return { version: v, metrics: v.metrics }; };
    const run = await runDag(config, retrainDag(options(registry, train, reindexed)));
    expect(run.state).toBe('failed');
    expect((await registry.resolve('champion'))?.version).toBe(1);
    expect(reindexed).toEqual([]);
    const [stored] = await listRuns(config, 'retrain');
    const byId = Object.fromEntries((stored?.tasks ?? []).map((t) => [t.id, t]));
    expect(byId.train?.state).toBe('success');
    expect(byId.evaluate?.state).toBe('failed');
    expect(byId.evaluate?.error?.code).toBe('ALMANAC_ERR_MODEL_GATE_FAILED');
    expect(byId.evaluate?.error?.message).toMatch(/model v2 not promoted: challenger roc_auc 0.7000 is worse than champion 0.8000.*champion v1 keeps serving/);
    expect(byId.evaluate?.attempts).toBe(1); // a gate rejection is not retried
    expect(byId.promote?.state).toBe('skipped');
    expect(byId.reindex?.state).toBe('skipped');
    expect(stored?.error).toMatch(/^task 'evaluate' failed/);
  });

  it('a training failure keeps the champion and skips everything downstream', async () => {
    const registry = fakeRegistry([model(1, 0.8, ['champion'])]);
    const reindexed: string[] = [];
    const train = async () => { throw new AlmanacError('ALMANAC_ERR_TRAINING_FAILED', 'no labelled rows in the training set'); };
    const run = await runDag(config, retrainDag(options(registry, train, reindexed)));
    expect(run.state).toBe('failed');
    expect((await registry.resolve('champion'))?.version).toBe(1);
    expect(run.tasks.map((t) => t.state)).toEqual(['success', 'success', 'success', 'failed', 'skipped', 'skipped', 'skipped']);
    expect(run.tasks[3]?.error).toEqual({ code: 'ALMANAC_ERR_TRAINING_FAILED', message: 'no labelled rows in the training set' });
  });

  it('a challenger that passes the gate is promoted and the patterns are reindexed', async () => {
    const registry = fakeRegistry([model(1, 0.8, ['champion'])]);
    const reindexed: string[] = [];
    const train = async () => { const v = model(2, 0.805, ['challenger']); registry.versions.push(v); return { version: v, metrics: v.metrics }; };
    const run = await runDag(config, retrainDag(options(registry, train, reindexed)));
    expect(run.state).toBe('success');
    expect((await registry.resolve('champion'))?.version).toBe(2);
    expect(reindexed).toEqual(['yes']);
    expect(run.tasks.find((t) => t.id === 'promote')?.summary).toMatchObject({ promoted: true, previous: 1, version: 2 });
  });

  it('the gate: floor, tolerance, lower-is-better log loss', () => {
    const gate = (metric: PromotionGate['metric'], tolerance: number): PromotionGate => ({ metric, tolerance, minRocAuc: 0.55 });
    expect(judgePromotion(metrics(0.52), undefined, gate('roc_auc', 0.01)).passed).toBe(false);
    expect(judgePromotion(metrics(0.7), undefined, gate('roc_auc', 0.01)).passed).toBe(true);
    expect(judgePromotion(metrics(0.795), metrics(0.8), gate('roc_auc', 0.01)).passed).toBe(true);
    const worseLoss = { ...metrics(0.8), log_loss: 0.5 };
    expect(judgePromotion(worseLoss, metrics(0.8), gate('log_loss', 0.01)).passed).toBe(false);
  });

  it('judges once: evaluate records the verdict, promote hands it to the registry', async () => {
    const registry = fakeRegistry([model(1, 0.8, ['champion'])]);
    const train = async () => { const v = model(2, 0.805, ['challenger']); registry.versions.push(v); return { version: v, metrics: v.metrics }; };
    const run = await runDag(config, retrainDag(options(registry, train, [])));
    expect(run.tasks.find((t) => t.id === 'evaluate')?.summary).toMatchObject({
      passed: true, version: 2, championVersion: 1, champion: 0.8, challenger: 0.805, gate: { metric: 'roc_auc', tolerance: 0.01, minRocAuc: 0.55 },
      reasons: ['holdout roc_auc 0.8050 reaches the floor 0.5500', 'challenger roc_auc 0.8050 is within champion 0.8000 − 0.01'],
    });
    expect(registry.promoteCalls).toEqual([{ version: 2, verdict: true }]);
  });

  it('replaces a champion registered without metrics (NaN) by a challenger that passes the floor', async () => {
    const external = { ...model(1, Number.NaN, ['champion']), metrics: { ...metrics(Number.NaN), pr_auc: Number.NaN, log_loss: Number.NaN } };
    const registry = fakeRegistry([external]);
    const train = async () => { const v = model(2, 0.6, ['challenger']); registry.versions.push(v); return { version: v, metrics: v.metrics }; };
    const run = await runDag(config, retrainDag(options(registry, train, [])));
    expect(run.state).toBe('success');
    expect((await registry.resolve('champion'))?.version).toBe(2);
    expect(run.tasks.find((t) => t.id === 'evaluate')?.summary?.reason).toContain('champion has no roc_auc: not compared, the floor decides');
  });

  it('takes the gate from the run\'s config when none is given (retrain.minRocAuc)', async () => {
    const strict = loadConfig({ env: {}, overrides: { home, retrain: { minRocAuc: 0.9 } } });
    const registry = fakeRegistry([]);
    const train = async () => { const v = model(1, 0.85, ['challenger']); registry.versions.push(v); return { version: v, metrics: v.metrics }; };
    const run = await runDag(strict, retrainDag(options(registry, train, [])));
    expect(run.state).toBe('failed');
    expect(run.tasks.find((t) => t.id === 'evaluate')?.error?.message).toBe('model v1 not promoted: holdout roc_auc 0.8500 is below the floor 0.9000; champion (none) keeps serving');
    expect(await registry.resolve('champion')).toBeUndefined();
  });
});
