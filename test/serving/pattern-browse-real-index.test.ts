/**
 * GET /v1/patterns/:id over a real index build (the miner, the embedded vector index, the SQLite
 * graph, the catalogue and its history), built twice: a tenant's page lists its own campaigns from
 * the graph, never another client's, and the pattern's figures for both builds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createEmbeddedGraphStore } from '../../embeddings/graph-store/embedded/embedded-graph-store.ts';
import { buildPatternIndex } from '../../embeddings/patterns/build-pattern-index.ts';
import { createEmbeddedVectorIndex } from '../../embeddings/vector-index/embedded/embedded-vector-index.ts';
import { buildApp } from '../../serving/app.ts';
import { fakeScorer, syntheticTrainingSet } from '../embeddings/patterns/synthetic-patterns.ts';
import { bearer, createTestKeys, type TestKeys } from './auth-keys.ts';
import { fakeDeps } from './serving-fakes.ts';

const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-browse-real-'));
const config = loadConfig({ env: {}, overrides: { home, logLevel: 'silent' } });
const index = createEmbeddedVectorIndex(config);
const graph = createEmbeddedGraphStore(config);
let app: FastifyInstance;
let keys: TestKeys;
const set = syntheticTrainingSet(1, 40);

beforeAll(async () => {
  await Promise.all([index.init(), graph.init()]);
  const options = { trainingSet: set, scorer: fakeScorer(), quiet: true, vectorIndex: index, graphStore: graph };
  await buildPatternIndex(config, options);
  await buildPatternIndex(config, options);
  const world = await fakeDeps();
  keys = await createTestKeys(world.deps.tenants, ['c0', 'c3']);
  app = await buildApp({ ...world.deps, config: { ...config, serving: world.deps.config.serving }, vectorIndex: index, graph }, { poll: false });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await Promise.all([index.close(), graph.close()]);
  rmSync(home, { recursive: true, force: true });
});

const get = (url: string, key: string) => app.inject({ method: 'GET', url, headers: bearer(key) });

describe('pattern pages over a real build', () => {
  it('a cross-client pattern\'s page lists only the tenant\'s own campaigns (admin: every backer\'s), with two builds of history', async () => {
    const list = (await get('/v1/patterns?kind=success&limit=500', keys.byClient.c3!)).json();
    const cross = list.patterns.find((p: { scope: string }) => p.scope === 'global');
    expect(cross).toBeDefined();
    const id = encodeURIComponent(cross.pattern_id);
    const admin = (await get(`/v1/patterns/${id}`, keys.admin)).json();
    const owners = new Set(admin.campaigns.map((c: { client_id: string }) => c.client_id));
    expect(owners.size).toBeGreaterThanOrEqual(3);
    const mine = (await get(`/v1/patterns/${id}`, keys.byClient.c3!)).json();
    expect(mine.campaigns.length).toBeGreaterThan(0);
    expect(mine.campaigns.every((c: { client_id: string; campaign_id: string }) => c.client_id === 'c3' && c.campaign_id.startsWith('c3-'))).toBe(true);
    expect(mine.campaigns).toEqual(admin.campaigns.filter((c: { client_id: string }) => c.client_id === 'c3'));
    for (const c of mine.campaigns) expect(c.success_rate).toBeCloseTo(c.conversions / c.touches, 5);
    expect(mine.history).toHaveLength(2);
    expect(mine.history[1]).toMatchObject({ sample_size: cross.sample_size, distinct_clients: cross.distinct_clients });
  });

  it('another tenant\'s private pattern is a 404 to c3 and listed for its owner', async () => {
    const own = (await get('/v1/patterns?limit=500', keys.byClient.c0!)).json().patterns.filter((p: { scope: string }) => p.scope === 'private');
    expect(own.length).toBeGreaterThan(0);
    const theirs = (await get('/v1/patterns?limit=500', keys.byClient.c3!)).json().patterns.map((p: { pattern_id: string }) => p.pattern_id);
    for (const p of own) {
      expect(theirs).not.toContain(p.pattern_id);
      expect((await get(`/v1/patterns/${encodeURIComponent(p.pattern_id)}`, keys.byClient.c3!)).statusCode).toBe(404);
    }
    const page = (await get(`/v1/patterns/${encodeURIComponent(own[0].pattern_id)}`, keys.byClient.c0!)).json();
    expect(page.campaigns.every((c: { client_id: string }) => c.client_id === 'c0')).toBe(true);
  });
});
