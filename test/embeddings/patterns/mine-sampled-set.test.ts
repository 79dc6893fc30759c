import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type AlmanacConfig } from '../../../core/config.ts';
import { createEmbeddedGraphStore } from '../../../embeddings/graph-store/embedded/embedded-graph-store.ts';
import type { GraphStore } from '../../../embeddings/graph-store/graph-store.ts';
import { buildPatternIndex, type BuildPatternIndexResult } from '../../../embeddings/patterns/build-pattern-index.ts';
import { encodeCells, encodeCellsFrom } from '../../../embeddings/patterns/configuration-cells.ts';
import { detectMiningAttributes } from '../../../embeddings/patterns/configuration.ts';
import { readPatternCatalogue, type PatternCatalogue } from '../../../embeddings/patterns/pattern-catalogue.ts';
import { discoverSubgroups, discoverSubgroupsInCells } from '../../../embeddings/patterns/subgroup-discovery.ts';
import { createEmbeddedVectorIndex } from '../../../embeddings/vector-index/embedded/embedded-vector-index.ts';
import type { VectorIndex } from '../../../embeddings/vector-index/vector-index.ts';
import { readTrainingSet, streamTrainingExamples, writeTrainingSet } from '../../../features/training-set-file.ts';
import { sampleTrainingSet } from '../../../features/training-set-sample.ts';
import type { TrainingSet } from '../../../features/training-set.ts';
import { fakeScorer, syntheticTrainingSet } from './synthetic-patterns.ts';

/** A catalogue's patterns and figures with the build's collection name taken out of the ids (each build has its own). */
function comparable(c: PatternCatalogue) {
  const { collection, createdAt: _t, mining: { ms: _ms, ...mining }, patterns, ...rest } = c;
  return { ...rest, mining, patterns: patterns.map((p) => ({ ...p, id: p.id.replace(collection, '<build>') })) };
}

describe('mining a training set held only as a sample: every row, streamed from its folder', () => {
  let home: string;
  let config: AlmanacConfig;
  let index: VectorIndex;
  let graph: GraphStore;
  // 40 touches per client and configuration (5,820 rows, as in build-pattern-index.test.ts)
  const whole = syntheticTrainingSet(1, 40);
  let stored: TrainingSet;
  let sampled: TrainingSet;
  let inMemory: { result: BuildPatternIndexResult; catalogue: PatternCatalogue };
  let fromSample: { result: BuildPatternIndexResult; catalogue: PatternCatalogue };

  const build = async (trainingSet: TrainingSet) => {
    const result = await buildPatternIndex(config, { trainingSet, scorer: fakeScorer(), quiet: true, vectorIndex: index, graphStore: graph });
    return { result, catalogue: readPatternCatalogue(config, result.collection)! };
  };

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'almanac-mine-sampled-'));
    config = loadConfig({ env: {}, overrides: { home } });
    index = createEmbeddedVectorIndex(config);
    graph = createEmbeddedGraphStore(config);
    await Promise.all([index.init(), graph.init()]);
    const dir = path.join(home, 'training-sets', 'whole');
    await writeTrainingSet(dir, whole);
    stored = await readTrainingSet(dir);
    sampled = sampleTrainingSet(stored, 800).set;
    inMemory = await build(whole);
    fromSample = await build(sampled);
  });

  afterAll(async () => {
    await index.close();
    await graph.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('the sampled set holds a fraction of the rows and keeps its folder', () => {
    expect(sampled.sample).toMatchObject({ method: 'touch-id-hash', of: whole.examples.length });
    expect(sampled.examples.length).toBe(sampled.sample!.rows);
    expect(sampled.examples.length).toBeLessThan(whole.examples.length / 4);
    expect(sampled.dir).toBe(stored.dir);
  });

  it('gives the same patterns (ids, statistics, encoder) as mining the whole set in memory', () => {
    expect(inMemory.result.patterns).toBeGreaterThan(0);
    expect(fromSample.result.touches).toBe(whole.manifest.rows);
    const figures = (r: BuildPatternIndexResult) => [r.patterns, r.global, r.private, r.anti, r.visibleGlobal, r.configurations, r.tested, r.discovered, r.touches];
    expect(figures(fromSample.result)).toEqual(figures(inMemory.result));
    expect(comparable(fromSample.catalogue)).toEqual(comparable(inMemory.catalogue));
  });

  it('mining only the rows held would have found other figures (the stream is what makes them equal)', async () => {
    const sampleOnly = await build({ ...sampled, sample: undefined });
    expect(sampleOnly.result.touches).toBe(sampled.examples.length);
    // the sample's cells count fewer touches: a pattern mined from it has other statistics
    const touchesOf = (c: typeof inMemory.catalogue) => c.patterns.map((p) => p.touches).reduce((a, b) => a + b, 0);
    expect(touchesOf(sampleOnly.catalogue)).not.toBe(touchesOf(inMemory.catalogue));
    expect([sampleOnly.result.tested, sampleOnly.result.patterns]).not.toEqual([inMemory.result.tested, inMemory.result.patterns]);
  });

  it('the cells streamed from the file equal the cells of the examples in memory, and so does the discovery', async () => {
    const attributes = detectMiningAttributes(whole);
    const streamed = await encodeCellsFrom(streamTrainingExamples(stored.dir!, stored.manifest), attributes);
    expect(streamed).toEqual(encodeCells(whole.examples, attributes));
    const a = discoverSubgroupsInCells(streamed);
    const b = discoverSubgroups(whole.examples, attributes);
    expect(a.patterns).toEqual(b.patterns);
    expect([a.tested, a.discovered, a.cells, a.touches, a.threshold]).toEqual([b.tested, b.discovered, b.cells, b.touches, b.threshold]);
    expect(a.vocabulary).toEqual(b.vocabulary);
  });

  it('rejects a sampled set that names no folder with ALMANAC_ERR_INPUT_INVALID, before writing anything', async () => {
    const { dir: _dir, ...noDir } = sampled;
    const before = await index.listCollections();
    await expect(build(noDir)).rejects.toMatchObject({
      code: 'ALMANAC_ERR_INPUT_INVALID',
      message: expect.stringMatching(/holds only a sample .* names no folder/),
      details: { issues: [{ path: 'trainingSet.dir', reason: 'missing for a sampled set' }] },
    });
    expect(await index.listCollections()).toEqual(before);
  });

  it('rejects a sampled set whose examples file is short of its manifest rows, or missing, with ALMANAC_ERR_INPUT_INVALID', async () => {
    const dir = path.join(home, 'training-sets', 'short');
    await writeTrainingSet(dir, whole);
    const file = path.join(dir, whole.manifest.file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    writeFileSync(file, `${lines.slice(0, -10).join('\n')}\n`);
    const short = { ...sampled, dir };
    await expect(build(short)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', message: expect.stringContaining(`${lines.length - 10} rows but its manifest says ${lines.length}`) });
    rmSync(file);
    await expect(build(short)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', message: expect.stringContaining('is unreadable') });
  });
});
