/**
 * Neo4j adapter of the GraphStore port (neo4j-driver). Parameterised Cypher only (cypher.ts);
 * `init` creates the id constraints and indexes. Queries go through driver.executeQuery, which
 * retries transient failures inside a managed transaction; what still fails is mapped:
 * ServiceUnavailable / SessionExpired / transient errors → ALMANAC_ERR_STORE_UNAVAILABLE.
 * Integers come back as JS numbers (disableLosslessIntegers: counts stay far below 2^53).
 */
import neo4j, { type Driver } from 'neo4j-driver';
import type { AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError } from '../../../core/errors.ts';
import type { GraphEdge, GraphNode, GraphStore, NodeLabel, PatternCampaign, PatternEvidence } from '../graph-store.ts';
import { countsQuery, deleteNodesQuery, EDGE_TYPES, mergeEdgesQueries, mergeNodesQueries, NODE_LABELS, patternCampaignsQuery, patternEvidenceQuery, schemaStatements, similarPatternsQuery, type CypherQuery } from './cypher.ts';

/** Builds the Neo4j store from `config.graph.neo4j` (uri, user, password, database). */
export function createNeo4jGraphStore(config: AlmanacConfig): GraphStore {
  const { uri, user, password, database } = config.graph.neo4j;
  if (!uri) throw new AlmanacError('ALMANAC_ERR_CONFIG_MISSING_URL', 'ALMANAC_GRAPH=neo4j needs a URI: set NEO4J_URI=bolt://host:7687');
  const driver = neo4j.driver(uri, neo4j.auth.basic(user, password), {
    disableLosslessIntegers: true,
    connectionTimeout: 5_000,
    connectionAcquisitionTimeout: 10_000,
    maxTransactionRetryTime: 10_000,
  });
  return new Neo4jGraphStore(driver, database);
}

export function neo4jError(err: unknown, operation: string): AlmanacError {
  if (err instanceof AlmanacError) return err;
  const e = err as { code?: string; message?: string; retriable?: boolean };
  const message = e.message ?? String(err);
  const details = { dependency: 'neo4j', operation, neo4jCode: e.code };
  const transient = e.retriable === true || e.code === 'ServiceUnavailable' || e.code === 'SessionExpired' || (e.code ?? '').startsWith('Neo.TransientError');
  if (transient) return new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `neo4j unavailable during ${operation}: ${message}`, { details, cause: err });
  return new AlmanacError('ALMANAC_ERR_INTERNAL', `neo4j failed during ${operation}: ${message}`, { details, cause: err });
}

class Neo4jGraphStore implements GraphStore {
  readonly kind = 'neo4j';

  constructor(
    private readonly driver: Driver,
    private readonly database: string | undefined,
  ) {}

  async init(): Promise<void> {
    try {
      await this.driver.verifyConnectivity(this.database ? { database: this.database } : {});
    } catch (err) {
      throw neo4jError(err, 'connect');
    }
    for (const text of schemaStatements()) await this.run({ text, params: {} }, 'WRITE', 'create schema');
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  async mergeNodes(nodes: GraphNode[]): Promise<void> {
    for (const q of mergeNodesQueries(nodes)) await this.run(q, 'WRITE', 'merge nodes');
  }

  async mergeEdges(edges: GraphEdge[]): Promise<void> {
    for (const q of mergeEdgesQueries(edges)) await this.run(q, 'WRITE', 'merge edges');
  }

  async deleteNodes(label: NodeLabel, ids: string[]): Promise<void> {
    const q = deleteNodesQuery(label, ids);
    if (ids.length > 0) await this.run(q, 'WRITE', 'delete nodes');
  }

  async patternEvidence(patternIds: string[], industry?: string): Promise<Map<string, PatternEvidence>> {
    const out = new Map<string, PatternEvidence>();
    if (patternIds.length === 0) return out;
    const rows = await this.run(patternEvidenceQuery(patternIds, industry), 'READ', 'pattern evidence');
    for (const r of rows) {
      const patternId = String(r.patternId);
      out.set(patternId, {
        patternId,
        clients: Number(r.clients),
        campaigns: Number(r.campaigns),
        industries: [...(r.industries as string[])].sort(),
        clientsInIndustry: Number(r.clientsInIndustry),
      });
    }
    return out;
  }

  async similarPatterns(patternId: string, limit: number): Promise<{ id: string; weight: number }[]> {
    const rows = await this.run(similarPatternsQuery(patternId, limit), 'READ', 'similar patterns');
    return rows.map((r) => ({ id: String(r.id), weight: Number(r.weight ?? 0) }));
  }

  async patternCampaigns(patternId: string, clientId?: string): Promise<PatternCampaign[]> {
    const rows = await this.run(patternCampaignsQuery(patternId, clientId), 'READ', 'pattern campaigns');
    const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    return rows.map((r) => ({ campaignId: String(r.campaign), clientId: typeof r.client === 'string' ? r.client : null, touches: num(r.touches), conversions: num(r.conversions) }));
  }

  async counts(): Promise<{ nodes: Record<string, number>; edges: Record<string, number> }> {
    const nodes = Object.fromEntries(NODE_LABELS.map((l) => [l, 0]));
    const edges = Object.fromEntries(EDGE_TYPES.map((t) => [t, 0]));
    for (const r of await this.run(countsQuery(), 'READ', 'counts')) {
      (r.kind === 'node' ? nodes : edges)[String(r.name)] = Number(r.n);
    }
    return { nodes, edges };
  }

  async ping(): Promise<string> {
    const rows = await this.run({ text: 'MATCH (p:Pattern) RETURN count(p) AS n', params: {} }, 'READ', 'ping');
    return `${Number(rows[0]?.n ?? 0)} patterns`;
  }

  private async run(q: CypherQuery, routing: 'READ' | 'WRITE', operation: string): Promise<Record<string, unknown>[]> {
    try {
      const res = await this.driver.executeQuery(q.text, q.params, { database: this.database, routing: routing === 'READ' ? neo4j.routing.READ : neo4j.routing.WRITE });
      return res.records.map((rec) => rec.toObject() as Record<string, unknown>);
    } catch (err) {
      throw neo4jError(err, operation);
    }
  }
}
