/**
 * The rerank's graph queries over the in-process property graph, written to mean exactly what the
 * Cypher of the Neo4j adapter means:
 *
 *   patternEvidence:
 *     MATCH (p:Pattern {id: $id})
 *     OPTIONAL MATCH (c:Client)-[:RAN]->(k:Campaign)-[:MATCHES]->(p)      → clients = count(DISTINCT c)
 *     OPTIONAL MATCH (k2:Campaign)-[:MATCHES]->(p)                          → campaigns = count(DISTINCT k2)
 *     OPTIONAL MATCH (p)-[:SEEN_IN]->(i:Industry)                           → industries = collect(DISTINCT i.id) (sorted)
 *     OPTIONAL MATCH (c3:Client)-[:RAN]->(k3:Campaign {industry: $industry})-[m:MATCHES]->(p)
 *       WHERE m.conversions > 0                                              → clientsInIndustry = count(DISTINCT c3)
 *   similarPatterns:
 *     MATCH (:Pattern {id: $id})-[s:SIMILAR_TO]->(q:Pattern)
 *     RETURN q.id, s.weight ORDER BY s.weight DESC, q.id ASC LIMIT $limit
 */
import type { PatternEvidence } from '../graph-store.ts';
import type { PropertyGraph } from './property-graph.ts';

export function patternEvidence(graph: PropertyGraph, patternIds: string[], industry?: string): Map<string, PatternEvidence> {
  const out = new Map<string, PatternEvidence>();
  for (const id of new Set(patternIds)) {
    if (graph.node('Pattern', id) === undefined) continue;
    const clients = new Set<string>();
    const campaigns = new Set<string>();
    const provenInIndustry = new Set<string>();
    for (const m of graph.incoming('Pattern', id, 'MATCHES')) {
      if (m.from.label !== 'Campaign') continue;
      campaigns.add(m.from.id);
      const campaign = graph.node('Campaign', m.from.id);
      const proved = industry !== undefined && campaign?.props.industry === industry && Number(m.props.conversions ?? 0) > 0;
      for (const ran of graph.incoming('Campaign', m.from.id, 'RAN')) {
        if (ran.from.label !== 'Client') continue;
        clients.add(ran.from.id);
        if (proved) provenInIndustry.add(ran.from.id);
      }
    }
    const industries = graph
      .outgoing('Pattern', id, 'SEEN_IN')
      .filter((e) => e.to.label === 'Industry')
      .map((e) => e.to.id)
      .sort();
    out.set(id, { patternId: id, clients: clients.size, campaigns: campaigns.size, industries: [...new Set(industries)], clientsInIndustry: provenInIndustry.size });
  }
  return out;
}

export function similarPatterns(graph: PropertyGraph, patternId: string, limit: number): { id: string; weight: number }[] {
  return graph
    .outgoing('Pattern', patternId, 'SIMILAR_TO')
    .filter((e) => e.to.label === 'Pattern')
    .map((e) => ({ id: e.to.id, weight: Number(e.props.weight ?? 0) }))
    .sort((a, b) => b.weight - a.weight || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, Math.max(0, limit));
}
