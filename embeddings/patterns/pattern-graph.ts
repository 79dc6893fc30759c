/**
 * Writes mined patterns into the GraphStore:
 *   (:Client)-[:RAN]->(:Campaign {client_id, industry})-[:MATCHES {touches, conversions}]->(:Pattern)
 *   (:Pattern)-[:SEEN_IN {clients, touches, conversions, success_rate}]->(:Industry)
 *   (:Pattern)-[:SIMILAR_TO {weight}]->(:Pattern)   global patterns → their 3 nearest by centroid cosine
 */
import type { GraphEdge, GraphNode, GraphStore } from '../graph-store/graph-store.ts';
import { cosine } from './configuration-encoder.ts';
import { roundShownCount, type MinedPattern } from './pattern-stats.ts';

const CHUNK = 10_000;
export const SIMILAR_NEIGHBOURS = 3;

export async function upsertPatternGraph(graph: GraphStore, collection: string, patterns: MinedPattern[]): Promise<{ nodes: number; edges: number }> {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  for (const p of patterns) {
    nodes.set(`Pattern:${p.id}`, {
      label: 'Pattern',
      id: p.id,
      props: { collection, tenant: p.tenant, scope: p.scope, kind: p.kind, success_rate: p.success_rate, lift: p.lift, touches: p.touches, distinct_clients: p.distinct_clients, description: p.description },
    });
    for (const [campaign, t] of p.campaignTallies) {
      nodes.set(`Client:${t.client}`, { label: 'Client', id: t.client, props: {} });
      nodes.set(`Campaign:${campaign}`, { label: 'Campaign', id: campaign, props: { client_id: t.client, ...(t.industry ? { industry: t.industry } : {}) } });
      edges.push({ type: 'RAN', from: { label: 'Client', id: t.client }, to: { label: 'Campaign', id: campaign }, props: {} });
      edges.push({ type: 'MATCHES', from: { label: 'Campaign', id: campaign }, to: { label: 'Pattern', id: p.id }, props: { touches: t.touches, conversions: t.conversions } });
    }
    for (const [industry, s] of p.industryStats) {
      nodes.set(`Industry:${industry}`, { label: 'Industry', id: industry, props: {} });
      edges.push({
        type: 'SEEN_IN', from: { label: 'Pattern', id: p.id }, to: { label: 'Industry', id: industry },
        props: shownIndustryStats(p, s),
      });
    }
  }
  edges.push(...similarEdges(patterns.filter((p) => p.scope === 'global')));
  const nodeList = [...nodes.values()];
  for (let i = 0; i < nodeList.length; i += CHUNK) await graph.mergeNodes(nodeList.slice(i, i + CHUNK));
  for (let i = 0; i < edges.length; i += CHUNK) await graph.mergeEdges(edges.slice(i, i + CHUNK));
  return { nodes: nodeList.length, edges: edges.length };
}

function similarEdges(globals: MinedPattern[]): GraphEdge[] {
  const out: GraphEdge[] = [];
  for (const p of globals) {
    const near = globals
      .filter((q) => q.id !== p.id)
      .map((q) => ({ id: q.id, weight: cosine(p.centroid, q.centroid) }))
      .sort((a, b) => b.weight - a.weight || (a.id < b.id ? -1 : 1))
      .slice(0, SIMILAR_NEIGHBOURS);
    for (const q of near) out.push({ type: 'SIMILAR_TO', from: { label: 'Pattern', id: p.id }, to: { label: 'Pattern', id: q.id }, props: { weight: q.weight } });
  }
  return out;
}

/** SEEN_IN figures: cross-client counts rounded like the pattern's own (pattern-stats.ts). */
function shownIndustryStats(p: MinedPattern, s: { clients: Set<string>; touches: number; conversions: number }): Record<string, number> {
  const rate = s.touches > 0 ? s.conversions / s.touches : 0;
  if (p.scope !== 'global') return { clients: s.clients.size, touches: s.touches, conversions: s.conversions, success_rate: rate };
  return { clients: s.clients.size, touches: roundShownCount(s.touches), conversions: roundShownCount(s.conversions), success_rate: Math.round(1000 * rate) / 1000 };
}
