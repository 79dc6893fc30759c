/**
 * GraphStore port: a property graph of who ran what and which pattern it matched.
 *
 *   (:Client)-[:RAN]->(:Campaign)-[:MATCHES {touches, conversions}]->(:Pattern)-[:SEEN_IN {clients, success_rate}]->(:Industry)
 *   (:Pattern)-[:SIMILAR_TO {weight}]->(:Pattern)
 *
 * Writes are MERGE-style upserts keyed on (label, id) for nodes and (type, from, to) for edges:
 * replaying them changes nothing. Adapters: `embedded/` (in-process, persisted), `neo4j/`.
 */

export type NodeLabel = 'Client' | 'Campaign' | 'Pattern' | 'Industry';
export type EdgeType = 'RAN' | 'MATCHES' | 'SEEN_IN' | 'SIMILAR_TO';
export type PropValue = string | number | boolean | string[];

export interface GraphNode {
  label: NodeLabel;
  id: string;
  props: Record<string, PropValue>;
}

export interface GraphEdge {
  type: EdgeType;
  from: { label: NodeLabel; id: string };
  to: { label: NodeLabel; id: string };
  props: Record<string, PropValue>;
}

/** Evidence behind one pattern, for the rerank. */
export interface PatternEvidence {
  patternId: string;
  /** Distinct clients whose campaigns matched the pattern. */
  clients: number;
  campaigns: number;
  /** Industries the pattern was seen in. */
  industries: string[];
  /**
   * Distinct clients that proved the pattern in the asked industry (0 when none asked): clients that
   * RAN a Campaign whose prop `industry` equals the asked industry and whose MATCHES edge to the
   * pattern has `conversions > 0`.
   */
  clientsInIndustry: number;
}

/** One campaign behind a pattern (its MATCHES edge). */
export interface PatternCampaign {
  campaignId: string;
  /** The campaign's owner (the Campaign node's `client_id`); null when the node has none. */
  clientId: string | null;
  touches: number;
  conversions: number;
}

export interface GraphStore {
  readonly kind: string;
  init(): Promise<void>;
  close(): Promise<void>;
  /** MERGE nodes by (label, id); props are set (replaced key by key). */
  mergeNodes(nodes: GraphNode[]): Promise<void>;
  /** MERGE edges by (type, from, to); both ends are merged if missing. */
  mergeEdges(edges: GraphEdge[]): Promise<void>;
  /** Deletes nodes (and their edges). */
  deleteNodes(label: NodeLabel, ids: string[]): Promise<void>;
  /**
   * Evidence for each pattern id (patterns with no node are absent). clients = distinct
   * (:Client)-[:RAN]->(:Campaign)-[:MATCHES]->(p); campaigns = distinct (:Campaign)-[:MATCHES]->(p);
   * industries = ids of (p)-[:SEEN_IN]->(:Industry), sorted. See embedded/pattern-queries.ts for the Cypher.
   */
  patternEvidence(patternIds: string[], industry?: string): Promise<Map<string, PatternEvidence>>;
  /**
   * The campaigns that matched a pattern: (k:Campaign)-[m:MATCHES]->(:Pattern {id}), with the
   * campaign's `client_id` prop and the edge's touches and conversions (0 when absent), by campaign
   * id; only `clientId`'s campaigns when given. [] for an unknown pattern.
   */
  patternCampaigns(patternId: string, clientId?: string): Promise<PatternCampaign[]>;
  /** Patterns linked by SIMILAR_TO from `patternId`, by weight (edge prop) descending, then id ascending. */
  similarPatterns(patternId: string, limit: number): Promise<{ id: string; weight: number }[]>;
  /** Node and edge counts by label/type, every label and type present (0 when none). */
  counts(): Promise<{ nodes: Record<string, number>; edges: Record<string, number> }>;
  /**
   * Health check for /health/ready: runs a real read query (the number of Pattern nodes) and
   * resolves with it ('12 patterns').
   * @throws ALMANAC_ERR_STORE_UNAVAILABLE when the store is not open or the query fails
   */
  ping(): Promise<string>;
}
