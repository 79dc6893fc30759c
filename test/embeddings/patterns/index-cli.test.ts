/**
 * `almanac index` end to end through the real CLI: a training set written with the feature store's
 * writer, a champion trained and promoted by the model registry, then the command in a child process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { markLatest, writeTrainingSet } from '../../../features/training-set-file.ts';
import { createModelRegistry } from '../../../models/registry/create-model-registry.ts';
import { trainAndRegister } from '../../../models/training/train-and-register.ts';
import { runIndexCommand } from '../../../embeddings/patterns/index-command.ts';
import { createEmbeddedVectorIndex } from '../../../embeddings/vector-index/embedded/embedded-vector-index.ts';
import { syntheticTrainingSet } from './synthetic-patterns.ts';

const run = promisify(execFile);
const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-index-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const env = { ...process.env, ALMANAC_HOME: home, ALMANAC_LOG_LEVEL: 'silent' };
const cli = (...args: string[]) => run('node', ['app/bin.js', ...args], { env, cwd: path.resolve(import.meta.dirname, '../../..') });

describe('almanac index (CLI, real training-set file and champion model)', () => {
  it('fails with ALMANAC_ERR_MODEL_NOT_READY before a champion exists, then indexes with it', async () => {
    const config = loadConfig({ env: {}, overrides: { home } });
    const set = syntheticTrainingSet(3, 40);
    const dir = path.join(home, 'training-sets', set.manifest.id);
    await writeTrainingSet(dir, set);
    await markLatest(config, dir);

    await expect(runIndexCommand(config, { quiet: true })).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_NOT_READY' });

    const { version } = await trainAndRegister(config, { trainingSet: set, epochs: 2, quiet: true, seed: 1 });
    const registry = await createModelRegistry(config);
    await registry.init();
    await registry.promote(version.version, { force: true });

    const { stdout } = await cli('index', '--json', '--max-conditions', '4', '--min-clients', '3');
    const result = JSON.parse(stdout.trim()) as { collection: string; patterns: number; global: number; model: number; trainingSet: string };
    expect(result).toMatchObject({ global: 1, visibleGlobal: 1, model: version.version, trainingSet: dir });
    const index = createEmbeddedVectorIndex(config);
    expect(await index.resolveAlias('patterns')).toBe(result.collection);
    expect(await index.count('patterns')).toBe(result.patterns);
  });
});
