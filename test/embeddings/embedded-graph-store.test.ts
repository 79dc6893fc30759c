import { mkdtempSync, rmSync } from 'node:fs';
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
  });
});
