import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { indexWithChampion } from '../../../embeddings/patterns/index-with-champion.ts';
import type { ModelRegistry } from '../../../models/registry/model-registry.ts';
import { fakeScorer, syntheticTrainingSet } from './synthetic-patterns.ts';

const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-index-champion-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const config = loadConfig({ env: {}, overrides: { home } });

describe('indexWithChampion (almanac index, the retrain DAG and the demo)', () => {
  it('asks the given registry for its champion and fails with ALMANAC_ERR_MODEL_NOT_READY when there is none', async () => {
    const resolve = vi.fn(async () => undefined);
    const registry = { resolve } as unknown as ModelRegistry;
    await expect(indexWithChampion(config, { trainingSet: syntheticTrainingSet(), registry, quiet: true })).rejects.toMatchObject({ code: 'ALMANAC_ERR_MODEL_NOT_READY' });
    expect(resolve).toHaveBeenCalledWith('champion');
  });

  it('builds with the champion scorer, reports its version and closes it, also when the build fails', async () => {
    const scorer = fakeScorer(4);
    const close = vi.spyOn(scorer, 'close');
    const result = await indexWithChampion(config, { trainingSet: syntheticTrainingSet(1, 40), championScorer: async () => scorer, quiet: true, maxConditions: 4 });
    expect(result).toMatchObject({ model: 4, alias: 'patterns', global: 1, anti: 0 });
    expect(close).toHaveBeenCalledTimes(1);
    const empty = { ...syntheticTrainingSet(), examples: [] };
    await expect(indexWithChampion(config, { trainingSet: empty, championScorer: async () => scorer, quiet: true })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
    expect(close).toHaveBeenCalledTimes(2);
  });
});
