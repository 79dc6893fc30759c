import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeTrainingSet } from '../../../features/training-set-file.ts';
import { syntheticTrainingSet } from '../synthetic-training-set.ts';
import { tinySignature, writeTinyOnnx } from '../tiny-model.ts';

const run = promisify(execFile);
const { main } = await import('../../../app/main.ts');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-models-cli-'));
const home = path.join(root, 'home');
const setDir = path.join(root, 'set');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The real binary, as a user runs it (slow to start: used once). */
async function almanacProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('node', ['app/bin.js', ...args], { env: { ...process.env, ALMANAC_HOME: home, ALMANAC_LOG_LEVEL: 'silent' }, cwd: process.cwd() });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The same CLI in-process (main(argv)), capturing stdout/stderr and the exit code. */
async function almanac(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { out.push(String(chunk)); return true; });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { err.push(String(chunk)); return true; });
  const previousHome = process.env.ALMANAC_HOME;
  process.env.ALMANAC_HOME = home;
  process.exitCode = 0;
  try {
    await main(['node', 'almanac', ...args]);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    if (previousHome === undefined) delete process.env.ALMANAC_HOME;
    else process.env.ALMANAC_HOME = previousHome;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout: out.join(''), stderr: err.join('') };
}

beforeAll(async () => {
  await writeTrainingSet(setDir, syntheticTrainingSet(800, 5));
});

describe('almanac train / models (end to end)', () => {
  it('trains, registers, promotes the first model and lists metrics and lineage', async () => {
    const train = await almanacProcess('train', '--training-set', setDir, '--epochs', '3', '--json');
    expect(train.code).toBe(0);
    expect(train.stderr).toContain('[train network] epoch 1/3');
    const result = JSON.parse(train.stdout) as { version: number; aliases: string[]; metrics: { roc_auc: number; baseline: { roc_auc: number } } };
    expect(result.version).toBe(1);
    expect(result.aliases).toEqual(['champion']);
    // 3 epochs on ~550 rows barely train the network; learning itself is asserted in train-model.test.ts
    expect(result.metrics.roc_auc).toBeGreaterThan(0.5);
    expect(result.metrics.baseline.roc_auc).toBeGreaterThan(0.6);

    const list = await almanac('models', 'list', '--json');
    expect(list.code).toBe(0);
    const { versions } = JSON.parse(list.stdout) as { versions: Record<string, any>[] };
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({
      version: 1, aliases: ['champion'],
      metrics: { roc_auc: expect.any(Number), pr_auc: expect.any(Number), log_loss: expect.any(Number) },
      lineage: { trainingSetId: 'synthetic-800-5', origin: 'almanac', featureViews: [{ name: 'client_activity', version: 1 }], eventLogOffsets: { 'events-0': 800 }, codeVersion: expect.any(String) },
    });
    expect(versions[0]?.lineage.parameters).toMatchObject({ holdout: 0.2, family: versions[0]?.metrics.family });
    expect(new Set((versions[0]?.metrics.leaderboard as { family: string }[]).map((e) => e.family))).toEqual(new Set(['logistic', 'mlp', 'gbdt']));
    const table = await almanac('models', 'list');
    expect(table.stdout).toMatch(/\n\s+1\s+touch-success\s+(logistic|mlp|gbdt)\s+champion/);
    const board = await almanac('models', 'leaderboard');
    expect(board.code).toBe(0);
    const lines = board.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^version 1 \((logistic|mlp|gbdt)\): \d+ candidates$/);
    expect(lines.filter((l) => l.startsWith('* '))).toHaveLength(1);
    expect(lines.some((l) => /^[ *] gbdt maxDepth=3 .* \(refit\)$/.test(l) || /^[ *] gbdt maxDepth=5 .* \(refit\)$/.test(l))).toBe(true);
    const boardJson = JSON.parse((await almanac('models', 'leaderboard', '1', '--json')).stdout) as { version: number; leaderboard: unknown[] };
    expect(boardJson.version).toBe(1);
    expect(boardJson.leaderboard.length).toBe(lines.length - 2);
    const missing = await almanac('train', '--training-set', path.join(root, 'nope'), '--epochs', '1');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^almanac: ALMANAC_ERR_INPUT_NOT_FOUND: /);
  });

  it('gates, forces and rolls back from the command line, with one-line errors and exit codes', async () => {
    // another holdout → another model (the same model trained again would be the same version)
    const second = await almanac('train', '--training-set', setDir, '--epochs', '1', '--seed', '7', '--holdout', '0.25', '--no-promote', '--json');
    expect(JSON.parse(second.stdout)).toMatchObject({ version: 2, aliases: ['challenger'] });
    const promote = await almanac('models', 'promote', '2', '--force', '--json');
    expect(promote.code).toBe(0);
    expect(JSON.parse(promote.stdout)).toMatchObject({ version: 2, promoted: true, previous: 1 });
    const rollback = await almanac('models', 'rollback', '--json');
    expect(JSON.parse(rollback.stdout)).toEqual({ champion: 1, previous: 2 });
    const again = await almanac('models', 'rollback');
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toContain('ALMANAC_ERR_INPUT_CONFLICT');
    const unknown = await almanac('models', 'promote', '99');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('ALMANAC_ERR_INPUT_NOT_FOUND');
    const badMetric = await almanac('models', 'promote', '2', '--metric', 'accuracy');
    expect(badMetric.code).toBe(2);
    expect(badMetric.stderr).toContain('ALMANAC_ERR_INPUT_INVALID');
  });

  it('registers an external ONNX model and refuses a mismatching signature', async () => {
    const onnx = writeTinyOnnx(root);
    const sig = path.join(root, 'sig.json');
    fs.writeFileSync(sig, JSON.stringify(tinySignature));
    const ok = await almanac('models', 'register', '--onnx', onnx, '--signature', sig, '--name', 'partner', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ version: 3, name: 'partner', lineage: { origin: 'external' } });
    const bad = path.join(root, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ ...tinySignature, inputName: 'x' }));
    const rejected = await almanac('models', 'register', '--onnx', onnx, '--signature', bad);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toContain("ALMANAC_ERR_MODEL_INVALID: model");
    expect(rejected.stderr).toContain("input 'x' not found");
  });

  it('gates a model registered without metrics: never as challenger unless forced, and as champion it does not block', async () => {
    const rejected = await almanac('models', 'promote', '3');
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(/^almanac: ALMANAC_ERR_MODEL_GATE_FAILED: promotion of version 3 rejected: challenger has no holdout roc_auc/);
    expect(rejected.stderr.trim().split('\n')).toHaveLength(1);
    const forced = await almanac('models', 'promote', '3', '--force', '--json');
    expect(JSON.parse(forced.stdout)).toMatchObject({ version: 3, promoted: true, previous: 1, reason: expect.stringMatching(/^forced: /) });
    const back = await almanac('models', 'promote', '1', '--json');
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({
      version: 1, promoted: true, previous: 3,
      decision: { passed: true, reasons: [expect.stringContaining('reaches the floor 0.5500'), 'champion has no roc_auc: not compared, the floor decides'] },
    });
  });

  it('train promotes through the gate of config retrain.* and reports a rejection without failing', async () => {
    process.env.ALMANAC_RETRAIN_MIN_AUC = '0.99';
    try {
      const train = await almanac('train', '--training-set', setDir, '--epochs', '1', '--seed', '8', '--holdout', '0.3', '--json');
      expect(train.code).toBe(0);
      const result = JSON.parse(train.stdout) as { version: number; aliases: string[]; promotion: { promoted: boolean; reason: string; decision: { gate: unknown } } };
      expect(result.aliases).toEqual(['challenger']);
      expect(result.promotion).toMatchObject({ promoted: false, reason: expect.stringContaining('is below the floor 0.9900'), decision: { gate: { metric: 'roc_auc', tolerance: 0.01, minRocAuc: 0.99 } } });
    } finally {
      delete process.env.ALMANAC_RETRAIN_MIN_AUC;
    }
  });

  it('train --families limits the families compared; an unknown family is one line and exit 2', async () => {
    const bad = await almanac('train', '--training-set', setDir, '--families', 'logistic,forest');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/ALMANAC_ERR_INPUT_INVALID: option --families must list some of logistic, mlp, gbdt, got 'logistic,forest'/);
    const some = await almanac('train', '--training-set', setDir, '--families', 'gbdt', '--holdout', '0.35', '--no-promote', '--json');
    expect(some.code).toBe(0);
    const result = JSON.parse(some.stdout) as { family: string; metrics: { leaderboard: { family: string }[] } };
    expect(result.family).toBe('gbdt');
    expect(new Set(result.metrics.leaderboard.map((e) => e.family))).toEqual(new Set(['gbdt']));
  });
});
