import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createEmbeddedGraphStore } from '../../embeddings/graph-store/embedded/embedded-graph-store.ts';
import type { GraphEdge } from '../../embeddings/graph-store/graph-store.ts';
import { graphStoreContract } from '../contracts/graph-store.contract.ts';

const homes: string[] = [];
function config() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'almanac-graph-'));
  homes.push(dir);
  return loadConfig({ env: {}, overrides: { home: dir } });
}
afterAll(() => homes.forEach((d) => rmSync(d, { recursive: true, force: true })));

graphStoreContract('embedded', async () => {
  const store = createEmbeddedGraphStore(config());
  await store.init();
  return store;
});

describe('embedded GraphStore persistence', () => {
  it('reloads the graph after reopen, and a reader sees another instance’s writes', async () => {
    const cfg = config();
    const writer = createEmbeddedGraphStore(cfg);
    const reader = createEmbeddedGraphStore(cfg, { freshnessMs: 0 });
    await Promise.all([writer.init(), reader.init()]);
    await writer.mergeEdges([
      { type: 'RAN', from: { label: 'Client', id: 'c1' }, to: { label: 'Campaign', id: 'k1' }, props: {} },
      { type: 'MATCHES', from: { label: 'Campaign', id: 'k1' }, to: { label: 'Pattern', id: 'p1' }, props: { touches: 3, conversions: 1 } },
      { type: 'SIMILAR_TO', from: { label: 'Pattern', id: 'p1' }, to: { label: 'Pattern', id: 'p2' }, props: { weight: 0.8 } },
    ]);
    expect((await reader.patternEvidence(['p1'])).get('p1')).toMatchObject({ clients: 1, campaigns: 1 });
    await writer.close();

    const reopened = createEmbeddedGraphStore(cfg);
    await reopened.init();
    const counts = await reopened.counts();
    expect(counts.nodes).toEqual({ Client: 1, Campaign: 1, Pattern: 2, Industry: 0 });
    expect(counts.edges).toEqual({ RAN: 1, MATCHES: 1, SEEN_IN: 0, SIMILAR_TO: 1 });
    expect(await reopened.similarPatterns('p1', 5)).toEqual([{ id: 'p2', weight: 0.8 }]);
  });

  it('memoised evidence follows every write and a reload of another instance’s file (the same answers as the first query)', async () => {
    const cfg = config();
    const writer = createEmbeddedGraphStore(cfg);
    const reader = createEmbeddedGraphStore(cfg, { freshnessMs: 0 });
    await Promise.all([writer.init(), reader.init()]);
    const ran = (client: string, campaign: string, industry: string, conversions: number): GraphEdge[] => [
      { type: 'RAN' as const, from: { label: 'Client' as const, id: client }, to: { label: 'Campaign' as const, id: campaign }, props: {} },
      { type: 'MATCHES' as const, from: { label: 'Campaign' as const, id: campaign }, to: { label: 'Pattern' as const, id: 'p1' }, props: { touches: 5, conversions } },
    ];
    await writer.mergeNodes([{ label: 'Campaign', id: 'k1', props: { industry: 'retail' } }, { label: 'Campaign', id: 'k2', props: { industry: 'retail' } }]);
    await writer.mergeEdges(ran('c1', 'k1', 'retail', 1));
    for (const store of [writer, reader]) {
      expect((await store.patternEvidence(['p1', 'nope'], 'retail')).get('p1')).toMatchObject({ clients: 1, clientsInIndustry: 1 });
      expect((await store.patternEvidence(['p1', 'nope'], 'retail')).has('nope')).toBe(false); // memoised answers, same result
    }
    await writer.mergeEdges(ran('c2', 'k2', 'retail', 2));
    for (const store of [writer, reader]) expect((await store.patternEvidence(['p1'], 'retail')).get('p1')).toMatchObject({ clients: 2, campaigns: 2, clientsInIndustry: 2 });
    expect((await writer.patternEvidence(['p1'])).get('p1')).toMatchObject({ clients: 2, clientsInIndustry: 0 }); // no industry asked: its own entry
    await writer.deleteNodes('Pattern', ['p1']);
    for (const store of [writer, reader]) expect((await store.patternEvidence(['p1'], 'retail')).size).toBe(0);
    // a pattern each instance last read as missing, made again by the writer
    await writer.mergeNodes([{ label: 'Campaign', id: 'k3', props: { industry: 'travel' } }]);
    await writer.mergeEdges(ran('c3', 'k3', 'travel', 1));
    for (const store of [writer, reader]) expect((await store.patternEvidence(['p1'], 'travel')).get('p1')).toMatchObject({ clients: 1, campaigns: 1, clientsInIndustry: 1 });
  });
});

describe('embedded GraphStore: a home written by the JSON-file store', () => {
  const jsonGraph = {
    format: 1,
    nodes: [{ label: 'Campaign', id: 'k1', props: { industry: 'retail' } }, { label: 'Pattern', id: 'p1', props: { success_rate: 0.2 } }],
    edges: [
      { type: 'RAN', from: { label: 'Client', id: 'c1' }, to: { label: 'Campaign', id: 'k1' }, props: {} },
      { type: 'MATCHES', from: { label: 'Campaign', id: 'k1' }, to: { label: 'Pattern', id: 'p1' }, props: { touches: 9, conversions: 2 } },
      { type: 'SEEN_IN', from: { label: 'Pattern', id: 'p1' }, to: { label: 'Industry', id: 'retail' }, props: { clients: 1 } },
      { type: 'SIMILAR_TO', from: { label: 'Pattern', id: 'p1' }, to: { label: 'Pattern', id: 'p2' }, props: { weight: 0.4 } },
    ],
  };

  it('is migrated on first open: same answers, graph.json kept as graph.json.migrated, never merged twice', async () => {
    const cfg = config();
    mkdirSync(path.join(cfg.home, 'graph'), { recursive: true });
    const file = path.join(cfg.home, 'graph', 'graph.json');
    writeFileSync(file, JSON.stringify(jsonGraph));
    const store = createEmbeddedGraphStore(cfg);
    await store.init();
    expect((await store.patternEvidence(['p1'], 'retail')).get('p1')).toEqual({ patternId: 'p1', clients: 1, campaigns: 1, industries: ['retail'], clientsInIndustry: 1 });
    expect(await store.similarPatterns('p1', 5)).toEqual([{ id: 'p2', weight: 0.4 }]);
    expect((await store.counts()).nodes).toEqual({ Client: 1, Campaign: 1, Pattern: 2, Industry: 1 });
    await store.close();
    expect(existsSync(file)).toBe(false);
    expect(JSON.parse(readFileSync(`${file}.migrated`, 'utf8'))).toEqual(jsonGraph);

    writeFileSync(file, JSON.stringify(jsonGraph)); // the same file again (an old process wrote it): not merged twice
    const again = createEmbeddedGraphStore(cfg);
    await again.init();
    expect((await again.counts()).edges).toEqual({ RAN: 1, MATCHES: 1, SEEN_IN: 1, SIMILAR_TO: 1 });
    await again.close();
  });

  it('a graph.json that is not a graph is refused naming the file, and nothing is written', async () => {
    const cfg = config();
    mkdirSync(path.join(cfg.home, 'graph'), { recursive: true });
    const file = path.join(cfg.home, 'graph', 'graph.json');
    writeFileSync(file, '{"format":1,"nodes":[{"label":"Planet","id":"x","props":{}}],"edges":[]}');
    const store = createEmbeddedGraphStore(cfg);
    await expect(store.init()).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE', message: expect.stringContaining(file) });
    expect(existsSync(file)).toBe(true);
    writeFileSync(file, '{"format":1,"nodes":[],"edges":[]');
    await expect(createEmbeddedGraphStore(cfg).init()).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE' });
    rmSync(file);
    const empty = createEmbeddedGraphStore(cfg);
    await empty.init();
    expect((await empty.counts()).nodes).toEqual({ Client: 0, Campaign: 0, Pattern: 0, Industry: 0 });
    await empty.close();
  });

  it('a file that is not a graph database is ALMANAC_ERR_STORE_UNAVAILABLE naming it', async () => {
    const cfg = config();
    mkdirSync(path.join(cfg.home, 'graph'), { recursive: true });
    writeFileSync(path.join(cfg.home, 'graph', 'graph.db'), 'not sqlite at all, just some text that is long enough to be read as a header');
    await expect(createEmbeddedGraphStore(cfg).init()).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE', message: expect.stringContaining('graph.db') });
  });
});
