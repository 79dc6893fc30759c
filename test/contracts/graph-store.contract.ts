/**
 * The GraphStore contract, run against every adapter (embedded always; Neo4j when NEO4J_URI is
 * set). `make` returns an initialised store; ids are prefixed per run so a shared server is fine,
 * and counts are compared as differences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphEdge, GraphNode, GraphStore, NodeLabel } from '../../embeddings/graph-store/graph-store.ts';

export function graphStoreContract(name: string, make: () => Promise<GraphStore>): void {
  describe(`GraphStore contract: ${name}`, () => {
    let store: GraphStore;
    const p = `gc${Date.now().toString(36)}${process.pid}_`;
    const ids = (label: NodeLabel, ...xs: string[]) => xs.map((x) => ({ label, id: p + x }));
    const cleanup: [NodeLabel, string[]][] = [];

    const ran = (client: string, campaign: string): GraphEdge => ({ type: 'RAN', from: { label: 'Client', id: p + client }, to: { label: 'Campaign', id: p + campaign }, props: {} });
    const matches = (campaign: string, pattern: string, conversions: number): GraphEdge => ({
      type: 'MATCHES', from: { label: 'Campaign', id: p + campaign }, to: { label: 'Pattern', id: p + pattern }, props: { touches: 100, conversions },
    });
    const seenIn = (pattern: string, industry: string): GraphEdge => ({ type: 'SEEN_IN', from: { label: 'Pattern', id: p + pattern }, to: { label: 'Industry', id: p + industry }, props: { clients: 1 } });
    const similar = (a: string, b: string, weight: number): GraphEdge => ({ type: 'SIMILAR_TO', from: { label: 'Pattern', id: p + a }, to: { label: 'Pattern', id: p + b }, props: { weight } });

    /** Three clients; pattern P1 proved in retail by c1 and c2 (c3's retail campaign did not convert), c3 ran it in travel. */
    const seed = async (): Promise<void> => {
      const campaigns: GraphNode[] = [
        { label: 'Campaign', id: `${p}k1`, props: { industry: `${p}retail`, client_id: `${p}c1` } },
        { label: 'Campaign', id: `${p}k2`, props: { industry: `${p}retail`, client_id: `${p}c2` } },
        { label: 'Campaign', id: `${p}k3`, props: { industry: `${p}travel`, client_id: `${p}c3` } },
        { label: 'Campaign', id: `${p}k4`, props: { industry: `${p}retail`, client_id: `${p}c3` } },
      ];
      await store.mergeNodes([...ids('Client', 'c1', 'c2', 'c3').map((r) => ({ ...r, props: { name: r.id } })), ...campaigns]);
      await store.mergeNodes(ids('Pattern', 'P1', 'P2', 'P3', 'P4').map((r) => ({ ...r, props: { success_rate: 0.1 } })));
      await store.mergeEdges([
        ran('c1', 'k1'), ran('c2', 'k2'), ran('c3', 'k3'), ran('c3', 'k4'),
        matches('k1', 'P1', 5), matches('k2', 'P1', 3), matches('k3', 'P1', 1), matches('k4', 'P1', 0), matches('k4', 'P2', 2),
        seenIn('P1', 'retail'), seenIn('P1', 'travel'), seenIn('P2', 'retail'),
        similar('P1', 'P2', 0.5), similar('P1', 'P3', 0.9), similar('P1', 'P4', 0.7), similar('P2', 'P1', 0.5),
      ]);
    };

    beforeAll(async () => {
      store = await make();
      await seed();
      cleanup.push(['Client', ['c1', 'c2', 'c3'].map((x) => p + x)], ['Campaign', ['k1', 'k2', 'k3', 'k4'].map((x) => p + x)]);
      cleanup.push(['Pattern', ['P1', 'P2', 'P3', 'P4', 'X1'].map((x) => p + x)], ['Industry', ['retail', 'travel', 'media'].map((x) => p + x)]);
    });
    afterAll(async () => {
      for (const [label, xs] of cleanup) await store.deleteNodes(label, xs).catch(() => undefined);
      await store.close();
    });

    it('MERGE is idempotent: replaying every write changes no count', async () => {
      const before = await store.counts();
      await seed();
      expect(await store.counts()).toEqual(before);
      expect(before.nodes.Client).toBeGreaterThanOrEqual(3);
      expect(before.edges.MATCHES).toBeGreaterThanOrEqual(5);
      expect(await store.ping()).toMatch(/^\d+\+? patterns$/);
    });

    it('patternEvidence counts distinct clients, campaigns, industries and clients who proved it in an industry', async () => {
      const ev = await store.patternEvidence([`${p}P1`, `${p}P2`, `${p}nope`], `${p}retail`);
      expect(ev.get(`${p}P1`)).toEqual({ patternId: `${p}P1`, clients: 3, campaigns: 4, industries: [`${p}retail`, `${p}travel`], clientsInIndustry: 2 });
      expect(ev.get(`${p}P2`)).toEqual({ patternId: `${p}P2`, clients: 1, campaigns: 1, industries: [`${p}retail`], clientsInIndustry: 1 });
      expect(ev.has(`${p}nope`)).toBe(false);
      const noIndustry = await store.patternEvidence([`${p}P1`]);
      expect(noIndustry.get(`${p}P1`)?.clientsInIndustry).toBe(0);
      const p3 = await store.patternEvidence([`${p}P3`], `${p}retail`);
      expect(p3.get(`${p}P3`)).toEqual({ patternId: `${p}P3`, clients: 0, campaigns: 0, industries: [], clientsInIndustry: 0 });
    });

    it('similarPatterns orders by weight descending and honours the limit', async () => {
      expect(await store.similarPatterns(`${p}P1`, 10)).toEqual([
        { id: `${p}P3`, weight: 0.9 },
        { id: `${p}P4`, weight: 0.7 },
        { id: `${p}P2`, weight: 0.5 },
      ]);
      expect((await store.similarPatterns(`${p}P1`, 2)).map((s) => s.id)).toEqual([`${p}P3`, `${p}P4`]);
      expect(await store.similarPatterns(`${p}nope`, 3)).toEqual([]);
    });

    it('patternCampaigns lists the campaigns that matched a pattern with owner, touches and conversions; one client\'s only when asked', async () => {
      const row = (k: string, c: string, conversions: number) => ({ campaignId: p + k, clientId: p + c, touches: 100, conversions });
      expect(await store.patternCampaigns(`${p}P1`)).toEqual([row('k1', 'c1', 5), row('k2', 'c2', 3), row('k3', 'c3', 1), row('k4', 'c3', 0)]);
      expect(await store.patternCampaigns(`${p}P1`, `${p}c3`)).toEqual([row('k3', 'c3', 1), row('k4', 'c3', 0)]);
      expect(await store.patternCampaigns(`${p}P1`, `${p}nobody`)).toEqual([]);
      expect(await store.patternCampaigns(`${p}nope`)).toEqual([]);
    });

    it('merging an edge updates its props in place', async () => {
      await store.mergeEdges([similar('P1', 'P2', 0.95)]);
      expect((await store.similarPatterns(`${p}P1`, 1))[0]).toEqual({ id: `${p}P2`, weight: 0.95 });
      await store.mergeEdges([similar('P1', 'P2', 0.5)]);
    });

    it('deleteNodes removes the nodes and their edges', async () => {
      await store.mergeEdges([seenIn('X1', 'media'), similar('P1', 'X1', 0.99), matches('k1', 'X1', 1)]);
      const before = await store.counts();
      await store.deleteNodes('Pattern', [`${p}X1`, `${p}never`]);
      const after = await store.counts();
      expect(after.nodes.Pattern).toBe((before.nodes.Pattern ?? 0) - 1);
      expect(after.edges.SIMILAR_TO).toBe((before.edges.SIMILAR_TO ?? 0) - 1);
      expect(after.edges.SEEN_IN).toBe((before.edges.SEEN_IN ?? 0) - 1);
      expect(after.edges.MATCHES).toBe((before.edges.MATCHES ?? 0) - 1);
      expect((await store.similarPatterns(`${p}P1`, 1))[0]?.id).toBe(`${p}P3`);
      expect((await store.patternEvidence([`${p}X1`])).size).toBe(0);
    });

    it('evidence follows every later write: a campaign’s industry, a conversion, deleted clients, campaigns and industries', async () => {
      cleanup.push(['Client', ['e1', 'e2'].map((x) => p + x)], ['Campaign', ['ek1', 'ek2'].map((x) => p + x)], ['Pattern', [`${p}E1`]], ['Industry', ['eshop', 'etravel'].map((x) => p + x)]);
      await store.mergeNodes([{ label: 'Campaign', id: `${p}ek1`, props: { industry: `${p}eshop` } }, { label: 'Campaign', id: `${p}ek2`, props: { industry: `${p}etravel` } }]);
      await store.mergeEdges([ran('e1', 'ek1'), ran('e2', 'ek2'), matches('ek1', 'E1', 2), matches('ek2', 'E1', 0), seenIn('E1', 'eshop'), seenIn('E1', 'etravel')]);
      const ev = async (industry: string) => (await store.patternEvidence([`${p}E1`], p + industry)).get(`${p}E1`);
      expect(await ev('eshop')).toEqual({ patternId: `${p}E1`, clients: 2, campaigns: 2, industries: [`${p}eshop`, `${p}etravel`], clientsInIndustry: 1 });
      expect((await ev('etravel'))?.clientsInIndustry).toBe(0);
      await store.mergeEdges([matches('ek2', 'E1', 4)]); // ek2 converts now
      expect((await ev('etravel'))?.clientsInIndustry).toBe(1);
      await store.mergeNodes([{ label: 'Campaign', id: `${p}ek2`, props: { industry: `${p}eshop` } }]); // ek2 moves to eshop
      expect((await ev('eshop'))?.clientsInIndustry).toBe(2);
      expect((await ev('etravel'))?.clientsInIndustry).toBe(0);
      await store.deleteNodes('Client', [`${p}e2`]);
      expect(await ev('eshop')).toMatchObject({ clients: 1, campaigns: 2, clientsInIndustry: 1 });
      await store.deleteNodes('Campaign', [`${p}ek1`]);
      expect(await ev('eshop')).toMatchObject({ clients: 0, campaigns: 1, clientsInIndustry: 0 });
      await store.deleteNodes('Industry', [`${p}etravel`]);
      expect((await ev('eshop'))?.industries).toEqual([`${p}eshop`]);
      await store.mergeEdges([ran('e1', 'ek2')]); // e1 now runs ek2 (industry eshop, converted)
      expect(await ev('eshop')).toMatchObject({ clients: 1, campaigns: 1, clientsInIndustry: 1 });
    });

    it('rejects an unknown label or edge type with ALMANAC_ERR_INPUT_INVALID', async () => {
      await expect(store.mergeNodes([{ label: 'Planet' as NodeLabel, id: 'x', props: {} }])).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
      await expect(store.mergeEdges([{ ...ran('c1', 'k1'), type: 'LIKES' as GraphEdge['type'] }])).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
    });
  });
}
