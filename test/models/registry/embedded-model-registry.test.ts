import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { createModelRegistry } from '../../../models/registry/create-model-registry.ts';
import type { ModelRegistry } from '../../../models/registry/model-registry.ts';
import { tinyLineage, tinyMetrics, tinySignature, writeTinyOnnx } from '../tiny-model.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-registry-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let home: string;
let registry: ModelRegistry;
let files: string[];

beforeEach(async () => {
  home = fs.mkdtempSync(path.join(root, 'home-'));
  registry = await createModelRegistry(loadConfig({ env: {}, overrides: { home } }));
  files = [1, 2, 3].map((s) => writeTinyOnnx(root, `m${s}-${path.basename(home)}.onnx`, s));
});

const register = (file: string, auc: number, logLoss = 0.4) =>
  registry.register({ name: 'touch-success', onnxFile: file, metrics: tinyMetrics(auc, logLoss), signature: tinySignature, lineage: tinyLineage });

describe('embedded model registry', () => {
  it('registers monotonic versions with metadata and a copied ONNX file', async () => {
    const v1 = await register(files[0] as string, 0.7);
    const v2 = await register(files[1] as string, 0.72);
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v2.onnxPath).toBe(path.join(home, 'registry', 'versions', '2', 'model.onnx'));
    expect(fs.readFileSync(v2.onnxPath)).toEqual(fs.readFileSync(files[1] as string));
    const listed = await registry.list();
    expect(listed.map((v) => v.version)).toEqual([1, 2]);
    expect(listed[0]).toMatchObject({ metrics: { roc_auc: 0.7 }, lineage: { trainingSetId: 'ts-1' }, signature: tinySignature, aliases: [] });
  });

  it('returns the existing version when the same model is registered again (idempotent)', async () => {
    const a = await register(files[0] as string, 0.7);
    const b = await register(files[0] as string, 0.7);
    expect(b.version).toBe(a.version);
    expect(await registry.list()).toHaveLength(1);
  });

  it('promotes the first model unconditionally, then gates on the holdout metric', async () => {
    await register(files[0] as string, 0.7);
    await register(files[1] as string, 0.65, 0.3);
    await register(files[2] as string, 0.69);
    expect(await registry.promote(1)).toMatchObject({ promoted: true, reason: 'first champion' });
    await expect(registry.promote(2)).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_GATE_FAILED' });
    expect((await registry.resolve('champion'))?.version).toBe(1);
    // log loss: lower is better → version 2 passes
    expect(await registry.promote(2, { gate: { metric: 'log_loss', tolerance: 0 } })).toMatchObject({ promoted: true, previous: 1 });
    // within tolerance: 0.69 ≥ 0.65 − 0 passes on roc_auc against version 2
    expect(await registry.promote(3, { gate: { metric: 'roc_auc', tolerance: 0.0 } })).toMatchObject({ promoted: true, previous: 2 });
    await expect(registry.promote(1, { gate: { metric: 'roc_auc', tolerance: 0.005 } })).resolves.toMatchObject({ promoted: true });
  });

  it('honours tolerance and force, and refuses to promote the champion again', async () => {
    await register(files[0] as string, 0.7);
    await register(files[1] as string, 0.69);
    await registry.promote(1);
    await expect(registry.promote(2)).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_GATE_FAILED' });
    await expect(registry.promote(2, { gate: { metric: 'roc_auc', tolerance: 0.02 } })).resolves.toMatchObject({ promoted: true, previous: 1 });
    await expect(registry.promote(2)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_CONFLICT' });
    await register(files[2] as string, 0.5);
    await expect(registry.promote(3)).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_GATE_FAILED' });
    await expect(registry.promote(3, { force: true })).resolves.toMatchObject({ promoted: true, previous: 2, reason: expect.stringContaining('forced') });
  });

  it('rolls back one step and remembers no further', async () => {
    await register(files[0] as string, 0.7);
    await register(files[1] as string, 0.8);
    await expect(registry.rollback()).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_CONFLICT' });
    await registry.promote(1);
    await registry.setAlias('challenger', 2);
    await registry.promote(2);
    expect((await registry.get(2)).aliases).toEqual(['champion']);
    expect(await registry.resolve('challenger')).toBeUndefined();
    expect(await registry.rollback()).toEqual({ champion: 1, previous: 2 });
    expect((await registry.resolve('champion'))?.version).toBe(1);
    await expect(registry.rollback()).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_CONFLICT' });
  });

  it('changes revision whenever aliases change, and only then', async () => {
    const r0 = await registry.revision();
    await register(files[0] as string, 0.7);
    expect(await registry.revision()).toBe(r0);
    await registry.setAlias('challenger', 1);
    const r1 = await registry.revision();
    expect(r1).not.toBe(r0);
    await registry.promote(1);
    expect(await registry.revision()).not.toBe(r1);
  });

  it('reports unknown versions as ALMANAC_ERR_INPUT_NOT_FOUND', async () => {
    await expect(registry.get(9)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND' });
    await expect(registry.promote(9)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND' });
    await expect(registry.setAlias('challenger', 9)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND' });
  });

  it('leaves only complete files behind (no temp, staging or lock files)', async () => {
    await register(files[0] as string, 0.7);
    await registry.promote(1);
    const dir = path.join(home, 'registry');
    expect(fs.readdirSync(dir).sort()).toEqual(['aliases.json', 'versions']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'aliases.json'), 'utf8'))).toMatchObject({ champion: 1 });
    expect(fs.readdirSync(path.join(dir, 'versions', '1')).sort()).toEqual(['metadata.json', 'model.onnx']);
  });

  it('serialises concurrent registrations into distinct versions', async () => {
    const versions = await Promise.all(files.map((f, i) => register(f, 0.6 + i / 100)));
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2, 3]);
  });
});
