/**
 * Every Cypher statement the Neo4j adapter runs, as { text, params }. Labels and relationship
 * types cannot be parameters in Cypher, so they enter the text only after being checked against
 * the port's fixed enums (NodeLabel, EdgeType); every value — ids, props, industry, limit —
 * travels as a parameter, never interpolated. Writes are `UNWIND $rows … MERGE`, one statement
 * per label (nodes) or per (type, from label, to label) (edges).
 */
import { int, type Integer } from 'neo4j-driver';
import { invalidInput } from '../../../core/errors.ts';
import type { EdgeType, GraphEdge, GraphNode, NodeLabel, PropValue } from '../graph-store.ts';

export const NODE_LABELS: readonly NodeLabel[] = ['Client', 'Campaign', 'Pattern', 'Industry'];
export const EDGE_TYPES: readonly EdgeType[] = ['RAN', 'MATCHES', 'SEEN_IN', 'SIMILAR_TO'];

export interface CypherQuery {
  text: string;
  params: Record<string, unknown>;
}

export function checkLabel(label: unknown, path: string): NodeLabel {
  if (!NODE_LABELS.includes(label as NodeLabel)) {
    throw invalidInput(`unknown node label '${String(label)}'; valid: ${NODE_LABELS.join(', ')}`, [{ path, reason: `unknown label '${String(label)}'` }]);
  }
  return label as NodeLabel;
}

export function checkEdgeType(type: unknown, path: string): EdgeType {
  if (!EDGE_TYPES.includes(type as EdgeType)) {
    throw invalidInput(`unknown edge type '${String(type)}'; valid: ${EDGE_TYPES.join(', ')}`, [{ path, reason: `unknown edge type '${String(type)}'` }]);
  }
  return type as EdgeType;
}

function checkId(id: unknown, path: string): string {
  if (typeof id !== 'string' || id.length === 0) throw invalidInput(`${path} must be a non-empty string`, [{ path, reason: 'must be a non-empty string' }]);
  return id;
}

function checkProps(props: Record<string, PropValue> | undefined, path: string): Record<string, PropValue> {
  const out: Record<string, PropValue> = {};
  for (const [k, v] of Object.entries(props ?? {})) {
    const ok = typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
    if (!ok) throw invalidInput(`${path}.${k} must be a string, a finite number, a boolean or a string[]`, [{ path: `${path}.${k}`, reason: 'unsupported property value' }]);
    out[k] = v;
  }
  return out;
}

/** One MERGE statement per label, in the order labels first appear. @throws ALMANAC_ERR_INPUT_INVALID */
export function mergeNodesQueries(nodes: GraphNode[]): CypherQuery[] {
  const byLabel = new Map<NodeLabel, { id: string; props: Record<string, PropValue> }[]>();
  nodes.forEach((n, i) => {
    const label = checkLabel(n.label, `nodes.${i}.label`);
    const row = { id: checkId(n.id, `nodes.${i}.id`), props: checkProps(n.props, `nodes.${i}.props`) };
    byLabel.set(label, [...(byLabel.get(label) ?? []), row]);
  });
  return [...byLabel].map(([label, rows]) => ({
    text: `UNWIND $rows AS row MERGE (n:${label} {id: row.id}) SET n += row.props`,
    params: { rows },
  }));
}

/** One MERGE statement per (type, from label, to label); both ends are merged. @throws ALMANAC_ERR_INPUT_INVALID */
export function mergeEdgesQueries(edges: GraphEdge[]): CypherQuery[] {
  const groups = new Map<string, { type: EdgeType; from: NodeLabel; to: NodeLabel; rows: { from: string; to: string; props: Record<string, PropValue> }[] }>();
  edges.forEach((e, i) => {
    const type = checkEdgeType(e.type, `edges.${i}.type`);
    const from = checkLabel(e.from?.label, `edges.${i}.from.label`);
    const to = checkLabel(e.to?.label, `edges.${i}.to.label`);
    const row = { from: checkId(e.from.id, `edges.${i}.from.id`), to: checkId(e.to.id, `edges.${i}.to.id`), props: checkProps(e.props, `edges.${i}.props`) };
    const key = `${type}|${from}|${to}`;
    const group = groups.get(key) ?? { type, from, to, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  });
  return [...groups.values()].map((g) => ({
    text: `UNWIND $rows AS row MERGE (a:${g.from} {id: row.from}) MERGE (b:${g.to} {id: row.to}) MERGE (a)-[r:${g.type}]->(b) SET r += row.props`,
    params: { rows: g.rows },
  }));
}

export function deleteNodesQuery(label: NodeLabel, ids: string[]): CypherQuery {
  const checked = checkLabel(label, 'label');
  ids.forEach((id, i) => checkId(id, `ids.${i}`));
  return { text: `UNWIND $ids AS id MATCH (n:${checked} {id: id}) DETACH DELETE n`, params: { ids } };
}

/**
 * Evidence per pattern; aggregated step by step (WITH … count(DISTINCT …)) so the optional
 * matches never multiply each other. `industry` null → clientsInIndustry 0. Industries come back
 * unsorted (sorted by the adapter).
 */
export function patternEvidenceQuery(patternIds: string[], industry?: string): CypherQuery {
  patternIds.forEach((id, i) => checkId(id, `patternIds.${i}`));
  const text = [
    'UNWIND $ids AS pid',
    'MATCH (p:Pattern {id: pid})',
    'OPTIONAL MATCH (c:Client)-[:RAN]->(:Campaign)-[:MATCHES]->(p)',
    'WITH p, count(DISTINCT c) AS clients',
    'OPTIONAL MATCH (k:Campaign)-[:MATCHES]->(p)',
    'WITH p, clients, count(DISTINCT k) AS campaigns',
    'OPTIONAL MATCH (p)-[:SEEN_IN]->(i:Industry)',
    'WITH p, clients, campaigns, collect(DISTINCT i.id) AS industries',
    'OPTIONAL MATCH (c3:Client)-[:RAN]->(k3:Campaign)-[m:MATCHES]->(p)',
    '  WHERE $industry IS NOT NULL AND k3.industry = $industry AND m.conversions > 0',
    'RETURN p.id AS patternId, clients, campaigns, industries, count(DISTINCT c3) AS clientsInIndustry',
  ].join('\n');
  return { text, params: { ids: [...new Set(patternIds)], industry: industry ?? null } };
}

export function similarPatternsQuery(patternId: string, limit: number): CypherQuery {
  checkId(patternId, 'patternId');
  if (!Number.isInteger(limit) || limit < 0) throw invalidInput(`limit must be a non-negative integer, got ${limit}`, [{ path: 'limit', reason: 'must be a non-negative integer' }]);
  const text = 'MATCH (:Pattern {id: $id})-[s:SIMILAR_TO]->(q:Pattern) RETURN q.id AS id, s.weight AS weight ORDER BY weight DESC, id ASC LIMIT $limit';
  return { text, params: { id: patternId, limit: int(limit) as Integer } };
}

/** The campaigns that matched a pattern (optionally one client's), by campaign id. */
export function patternCampaignsQuery(patternId: string, clientId?: string): CypherQuery {
  checkId(patternId, 'patternId');
  if (clientId !== undefined) checkId(clientId, 'clientId');
  const text = 'MATCH (k:Campaign)-[m:MATCHES]->(:Pattern {id: $id}) WHERE $client IS NULL OR k.client_id = $client '
    + 'RETURN k.id AS campaign, k.client_id AS client, m.touches AS touches, m.conversions AS conversions ORDER BY campaign';
  return { text, params: { id: patternId, client: clientId ?? null } };
}

/** Node counts per label and edge counts per type (Neo4j answers these from its count store). */
export function countsQuery(): CypherQuery {
  const parts = [
    ...NODE_LABELS.map((l) => `MATCH (n:${l}) RETURN 'node' AS kind, '${l}' AS name, count(n) AS n`),
    ...EDGE_TYPES.map((t) => `MATCH ()-[r:${t}]->() RETURN 'edge' AS kind, '${t}' AS name, count(r) AS n`),
  ];
  return { text: parts.join('\nUNION ALL\n'), params: {} };
}

/** Constraints (id unique per label, which also indexes it) and the industry index; idempotent. */
export function schemaStatements(): string[] {
  return [
    ...NODE_LABELS.map((l) => `CREATE CONSTRAINT almanac_${l.toLowerCase()}_id IF NOT EXISTS FOR (n:${l}) REQUIRE n.id IS UNIQUE`),
    'CREATE INDEX almanac_campaign_industry IF NOT EXISTS FOR (n:Campaign) ON (n.industry)',
  ];
}
