import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type ConfigInput } from '../../../core/config.ts';
import { createModelRegistry } from '../../../models/registry/create-model-registry.ts';
import type { ModelRegistry } from '../../../models/registry/model-registry.ts';
import { modelRegistryContract } from '../../contracts/model-registry.contract.ts';
import { tinyLineage, tinyMetrics, tinySignature, writeTinyOnnx } from '../tiny-model.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-registry-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const openAt = (home: string, overrides: ConfigInput = {}) => createModelRegistry(loadConfig({ env: {}, overrides: { ...overrides, home } }));

modelRegistryContract('embedded', (overrides) => openAt(fs.mkdtempSync(path.join(root, 'contract-')), overrides));

let home: string;
let registry: ModelRegistry;
let files: string[];

beforeEach(async () => {
  home = fs.mkdtempSync(path.join(root, 'home-'));
  registry = await openAt(home);
  files = [1, 2, 3].map((s) => writeTinyOnnx(root, `m${s}-${path.basename(home)}.onnx`, s));
});

const register = (file: string, auc: number, logLoss = 0.4) =>
  registry.register({ name: 'touch-success', onnxFile: file, metrics: tinyMetrics(auc, logLoss), signature: tinySignature, lineage: tinyLineage });

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('embedded model registry (on disk)', () => {
  it('keeps each version under <home>/registry/versions/<n>', async () => {
    const v1 = await register(files[0] as string, 0.7);
    expect(v1.onnxPath).toBe(path.join(home, 'registry', 'versions', '1', 'model.onnx'));
    expect(fs.readFileSync(v1.onnxPath)).toEqual(fs.readFileSync(files[0] as string));
  });

  it('leaves only complete files behind (no temp, staging or lock files)', async () => {
    await register(files[0] as string, 0.7);
    await registry.promote(1);
    const dir = path.join(home, 'registry');
    expect(fs.readdirSync(dir).sort()).toEqual(['aliases.json', 'versions']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'aliases.json'), 'utf8'))).toMatchObject({ champion: 1 });
    expect(fs.readdirSync(path.join(dir, 'versions', '1')).sort()).toEqual(['metadata.json', 'model.onnx']);
  });

  it('sees another instance\'s promotions over the same folder (a serving process)', async () => {
    const reader = await openAt(home);
    await register(files[0] as string, 0.7);
    await registry.promote(1);
    expect((await reader.resolve('champion'))?.version).toBe(1);
    expect(await reader.revision()).toBe(await registry.revision());
  });
});

describe('embedded model registry lock (core/lock-file)', () => {
  const lockFile = () => path.join(home, 'registry', '.lock');

  it('takes over the lock of a process that died holding it, at once', async () => {
    fs.writeFileSync(lockFile(), JSON.stringify({ pid: deadPid(), token: 'crashed' }));
    const started = Date.now();
    expect((await register(files[0] as string, 0.7)).version).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fs.existsSync(lockFile())).toBe(false);
  });

  it('waits for a live holder, however old its lock file is, and never deletes it', async () => {
    // A live process (our parent) holds the lock, and its file is a minute old: the old lock
    // treated it as stale after 10 s and deleted it; the shared lock waits for its release.
    fs.writeFileSync(lockFile(), JSON.stringify({ pid: process.ppid, token: 'live-holder' }));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockFile(), old, old);
    let releasedAt = 0;
    setTimeout(() => {
      expect(JSON.parse(fs.readFileSync(lockFile(), 'utf8'))).toMatchObject({ token: 'live-holder' });
      releasedAt = Date.now();
      fs.rmSync(lockFile());
    }, 400);
    const version = await register(files[0] as string, 0.7);
    expect(releasedAt).toBeGreaterThan(0);
    expect(version.version).toBe(1);
    expect(fs.existsSync(lockFile())).toBe(false);
  });

  it('takes over an ownerless lock file (the earlier registry lock format, left by a crash) once it is old', async () => {
    fs.writeFileSync(lockFile(), '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockFile(), old, old);
    expect((await register(files[0] as string, 0.7)).version).toBe(1);
    expect(fs.existsSync(lockFile())).toBe(false);
  });
});
