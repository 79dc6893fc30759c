import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type AlmanacConfig } from '../../../core/config.ts';
import { createEmbeddedGraphStore } from '../../../embeddings/graph-store/embedded/embedded-graph-store.ts';
import type { GraphStore } from '../../../embeddings/graph-store/graph-store.ts';
import { buildPatternIndex, type BuildPatternIndexResult } from '../../../embeddings/patterns/build-pattern-index.ts';
import { readPatternCatalogue, visiblePatterns } from '../../../embeddings/patterns/pattern-catalogue.ts';
import { patternFilter } from '../../../embeddings/patterns/pattern-filter.ts';
import { patternFromHit } from '../../../embeddings/patterns/pattern-records.ts';
import { createEmbeddedVectorIndex } from '../../../embeddings/vector-index/embedded/embedded-vector-index.ts';
import type { VectorIndex } from '../../../embeddings/vector-index/vector-index.ts';
import { encodeConfiguration } from '../../../embeddings/patterns/configuration-encoder.ts';
import { fakeScorer, syntheticTrainingSet } from './synthetic-patterns.ts';

const winner = { industry: 'retail', channel: 'email', segment: 'young', offer: 'discount' };
const niche = { industry: 'niche', channel: 'sms', segment: 'old', offer: 'none' };

describe('buildPatternIndex on a synthetic set with planted patterns', () => {
  let home: string;
  let config: AlmanacConfig;
  let index: VectorIndex;
  let graph: GraphStore;
  let first: BuildPatternIndexResult;
  let result: BuildPatternIndexResult;
  // 40 touches per client and configuration: every client backs the winner with ≥ 20 touches on each side
  const set = syntheticTrainingSet(1, 40);

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'almanac-patterns-'));
    config = loadConfig({ env: {}, overrides: { home } });
    index = createEmbeddedVectorIndex(config);
    graph = createEmbeddedGraphStore(config);
    await Promise.all([index.init(), graph.init()]);
    const options = { trainingSet: set, scorer: fakeScorer(), quiet: true, vectorIndex: index, graphStore: graph };
    first = await buildPatternIndex(config, options);
    result = await buildPatternIndex(config, options);
  });
  const vectorOf = (conditions: Record<string, string>) => encodeConfiguration(readPatternCatalogue(config)!.encoder, conditions);

  afterAll(async () => {
    await index.close();
    await graph.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('indexes the success patterns into a new collection behind the alias', async () => {
    expect(result.collection).toMatch(/^patterns_\d+$/);
    expect(await index.resolveAlias('patterns')).toBe(result.collection);
    expect(result.global).toBeGreaterThanOrEqual(1);
    expect(result.private).toBeGreaterThan(0);
    expect(await index.count('patterns')).toBe(result.patterns);
    expect(result.patterns).toBe(result.global + result.private);
    expect(result.tested).toBeGreaterThan(50);
    expect(result.touches).toBe(set.examples.length);
  });

  it('the alias switch drops the previous build: no stale collection, catalogue or graph nodes', async () => {
    expect(result.dropped).toEqual([first.collection]);
    expect((await index.listCollections()).filter((c) => c.startsWith('patterns_'))).toEqual([result.collection]);
    expect(existsSync(path.join(home, 'patterns', `${first.collection}.json`))).toBe(false);
    const counts = await graph.counts();
    expect(counts.nodes.Pattern).toBe(result.patterns);
    expect(counts.nodes.Client).toBe(6);
  });

  it('recovers the planted winner as its exact configuration, first by lift bound; its generalisations only carry it and are not reported', async () => {
    const [hit] = await index.search('patterns', { vector: vectorOf(winner), topK: 1, filter: patternFilter({ clientId: 'c3', minClients: 3 }) });
    const p = patternFromHit(hit!);
    expect(p.tenant).toBe('global');
    expect(p.kind).toBe('success');
    expect(p.conditions).toEqual(winner);
    expect(hit!.score).toBeGreaterThan(0.99);
    expect(p.success_rate).toBeGreaterThan(0.25);
    expect(p.lift_low).toBeGreaterThan(3);
    expect(p.distinct_clients).toBe(6);
    expect(p.description).toBe('retail · email · segment=young · offer=discount');
    const globals = readPatternCatalogue(config)!.patterns.filter((x) => x.scope === 'global' && x.kind === 'success');
    expect(globals[0]!.id).toBe(p.id);
    // {email, discount}, {retail, young, discount}, … lift only through the winner
    const carried = globals.filter((x) => x.id !== p.id && Object.entries(x.conditions).every(([k, v]) => (winner as Record<string, string>)[k] === v));
    expect(carried).toEqual([]);
  });

  it('k-anonymity: a pattern backed by 2 clients is hidden at k ≥ 2 (1 client with one left out), and each of its clients sees its own pattern', async () => {
    const q = { vector: vectorOf(niche), topK: 50 };
    const nicheOf = (hits: Awaited<ReturnType<VectorIndex['search']>>) => hits.map(patternFromHit).filter((p) => p.conditions.industry === 'niche' || p.industries.includes('niche'));
    expect(nicheOf(await index.search('patterns', { ...q, filter: patternFilter({ clientId: 'c5', minClients: 3 }) }))).toEqual([]);
    expect(nicheOf(await index.search('patterns', { ...q, filter: patternFilter({ clientId: 'c5', minClients: 2 }) }))).toEqual([]);
    const own = nicheOf(await index.search('patterns', { ...q, filter: patternFilter({ clientId: 'c0', minClients: 3 }) }));
    expect(own.map((p) => [p.tenant, p.distinct_clients, p.touches])).toEqual([['c0', 1, 30]]);
    expect(own[0]!.conditions).toEqual(niche);
    const others = await index.search('patterns', { ...q, filter: patternFilter({ clientId: 'c0', minClients: 3 }) });
    expect(others.every((h) => h.tenant === 'global' || h.tenant === 'c0')).toBe(true);
  });

  it('patternFilter narrows by industry, channel, success rate and sample size', async () => {
    const hits = await index.search('patterns', {
      vector: vectorOf(winner), topK: 50,
      filter: patternFilter({ clientId: 'c2', minClients: 3, industry: 'retail', channels: ['email'], minSuccessRate: 0.2, minSampleSize: 50 }),
    });
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits.map(patternFromHit)) {
      expect(h.industries).toContain('retail');
      expect(h.channels).toContain('email');
      expect(h.success_rate).toBeGreaterThanOrEqual(0.2);
      expect(h.touches).toBeGreaterThanOrEqual(50);
    }
    expect(() => patternFilter({ clientId: '', minClients: 3 })).toThrowError(expect.objectContaining({ code: 'ALMANAC_ERR_INPUT_INVALID' }));
  });

  it('the graph carries evidence: clients, campaigns and clients who proved the winner in retail', async () => {
    const catalogue = readPatternCatalogue(config)!;
    const best = catalogue.patterns.filter((p) => p.scope === 'global' && p.kind === 'success')[0]!;
    const ev = (await graph.patternEvidence([best.id], 'retail')).get(best.id)!;
    expect(ev.clients).toBe(6);
    expect(ev.industries).toEqual(['retail']);
    expect(ev.clientsInIndustry).toBe(6);
    expect(ev.campaigns).toBe(best.campaigns);
  });

  it('the catalogue serves the same k-anonymous view for the fallback', () => {
    const catalogue = readPatternCatalogue(config)!;
    expect(catalogue.collection).toBe(result.collection);
    expect(catalogue.modelVersion).toBe(7);
    const visible = visiblePatterns(catalogue, { clientId: 'c5', minClients: 3 });
    expect(visible.every((p) => p.tenant === 'global' || p.tenant === 'c5')).toBe(true);
    expect(visible.some((p) => p.industries.includes('niche'))).toBe(false);
    expect(visible[0]!.lift_low).toBeGreaterThanOrEqual(visible.at(-1)!.lift_low);
    expect(visible.every((p) => p.kind === 'success')).toBe(true);
    expect(catalogue.encoder.kind).toBe('configuration-encoder');
    expect(catalogue.attributes.map((a) => a.key)).toEqual(['industry', 'channel', 'segment', 'offer']);
  });

  it('is deterministic: the same set and seed give the same patterns', async () => {
    const a = readPatternCatalogue(config)!.patterns.map((p) => [p.touches, p.conversions, p.description]);
    await buildPatternIndex(config, { trainingSet: set, scorer: fakeScorer(), quiet: true, vectorIndex: index, graphStore: graph });
    const b = readPatternCatalogue(config)!.patterns.map((p) => [p.touches, p.conversions, p.description]);
    expect(b).toEqual(a);
  });

  it('rejects an empty training set with ALMANAC_ERR_INPUT_INVALID', async () => {
    const empty = { ...set, examples: [] };
    await expect(buildPatternIndex(config, { trainingSet: empty, scorer: fakeScorer(), quiet: true, vectorIndex: index, graphStore: graph })).rejects.toMatchObject({
      code: 'ALMANAC_ERR_INPUT_INVALID',
    });
  });
});
