import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { runIndexCommand } from '../../../embeddings/patterns/index-command.ts';
import { createEmbeddedVectorIndex } from '../../../embeddings/vector-index/embedded/embedded-vector-index.ts';
import { fakeScorer, syntheticTrainingSet } from './synthetic-patterns.ts';

const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-index-cmd-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const config = loadConfig({ env: {}, overrides: { home } });

describe('almanac index (library entry with injected training-set reader and champion)', () => {
  it('fails with ALMANAC_ERR_INPUT_NOT_FOUND when no training set was built', async () => {
    await expect(runIndexCommand(config, { quiet: true }, { readTrainingSet: async () => syntheticTrainingSet(), championScorer: async () => fakeScorer() }))
      .rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND' });
  });

  it('indexes the LATEST training set with the champion and prints one JSON line', async () => {
    mkdirSync(path.join(home, 'training-sets', 'ts-1'), { recursive: true });
    writeFileSync(path.join(home, 'training-sets', 'LATEST'), 'ts-1\n');
    const seen: string[] = [];
    const scorer = fakeScorer(3);
    const closed = vi.spyOn(scorer, 'close');
    const lines: string[] = [];
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    try {
      await runIndexCommand(config, { json: true, minClients: 2, maxConditions: 4 }, {
        readTrainingSet: async (dir) => (seen.push(dir), syntheticTrainingSet(1, 40)),
        championScorer: async () => scorer,
      });
    } finally {
      out.mockRestore();
    }
    expect(seen).toEqual([path.join(home, 'training-sets', 'ts-1')]);
    const printed = JSON.parse(lines.at(-1) ?? '') as Record<string, unknown>;
    expect(printed).toMatchObject({ alias: 'patterns', global: 1, visibleGlobal: 1, minClients: 2, model: 3 });
    expect(closed).toHaveBeenCalled();
    const index = createEmbeddedVectorIndex(config);
    expect(await index.resolveAlias('patterns')).toBe(printed.collection);
    expect(await index.count('patterns')).toBe(printed.patterns);
  });
});
