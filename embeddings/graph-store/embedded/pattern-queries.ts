/**
 * The rerank's graph queries over the embedded graph tables, meaning exactly what the Cypher of
 * the Neo4j adapter means:
 *
 *   patternEvidence:
 *     MATCH (p:Pattern {id: $id})
 *     OPTIONAL MATCH (c:Client)-[:RAN]->(k:Campaign)-[:MATCHES]->(p)      → clients = count(DISTINCT c)
 *     OPTIONAL MATCH (k2:Campaign)-[:MATCHES]->(p)                          → campaigns = count(DISTINCT k2)
 *     OPTIONAL MATCH (p)-[:SEEN_IN]->(i:Industry)                           → industries = collect(DISTINCT i.id) (sorted)
 *     OPTIONAL MATCH (c3:Client)-[:RAN]->(k3:Campaign {industry: $industry})-[m:MATCHES]->(p)
 *       WHERE m.conversions > 0                                              → clientsInIndustry = count(DISTINCT c3)
 *   patternCampaigns:
 *     MATCH (k:Campaign)-[m:MATCHES]->(:Pattern {id: $id}) [WHERE k.client_id = $client]
 *     RETURN k.id, k.client_id, m.touches, m.conversions ORDER BY k.id
 *   similarPatterns:
 *     MATCH (:Pattern {id: $id})-[s:SIMILAR_TO]->(q:Pattern)
 *     RETURN q.id, s.weight ORDER BY s.weight DESC, q.id ASC LIMIT $limit
 *
 * The evidence is computed when a write changes it (`refresh`, inside the write's transaction) and
 * kept in the `evidence` table, one row per Pattern node keyed by its id, so a read for 50
 * candidates is one statement of 50 primary-key lookups, whatever the graph's size. Rows read are
 * kept in memory (up to EVIDENCE_CACHE_ROWS) until the evidence changes: this connection's writes
 * drop the rows they recompute, and a commit by any other connection (an `almanac index` or ingest
 * beside a server) changes SQLite's `PRAGMA data_version`, which drops them all — a search reads
 * the rows the database holds, never older ones.
 */
import type Database from 'better-sqlite3';
import type { PatternCampaign, PatternEvidence } from '../graph-store.ts';
import type { GraphDatabase } from './graph-database.ts';
import { EDGE_TYPES, LABEL, NODE_LABELS, TYPE } from './graph-vocabulary.ts';

interface MatchRow { k: number; conv: number | null; industry: string | null; c: number | null }
interface EvidenceRow { id: string; clients: number; campaigns: number; industries: string; proved: string }
/** An evidence row as kept in memory (null: the pattern has no row). */
type CachedEvidence = { clients: number; campaigns: number; industries: readonly string[]; proved: readonly (readonly [string, number])[] } | null;

const NO_STRINGS: readonly string[] = Object.freeze([]);
const NOTHING_PROVED: readonly (readonly [string, number])[] = Object.freeze([]);

function provedIn(proved: CachedEvidence & object, industry: string): number {
  for (const [name, clients] of proved.proved) if (name === industry) return clients;
  return 0;
}

/** Evidence rows kept in memory at most (past it the cache starts again empty: a bound, not an LRU). */
export const EVIDENCE_CACHE_ROWS = 200_000;

/** The health check counts patterns up to this many (more shows as `10000+`). */
export const PATTERN_COUNT_CAP = 10_000;

export class PatternQueries {
  private readonly matches: Database.Statement<[number], MatchRow>;
  private readonly seenIn: Database.Statement<[number], string>;
  private readonly patternId: Database.Statement<[number], string>;
  private readonly dropEvidence: Database.Statement;
  private readonly putEvidence: Database.Statement;
  private readonly evidence: Database.Statement<[string], EvidenceRow>;
  private readonly similar: Database.Statement<[string], { id: string; weight: number | null }>;
  private readonly campaigns: Database.Statement<[string], { campaign: string; client: unknown; touches: unknown; conversions: unknown }>;
  private readonly nodeCounts: Database.Statement<[], { code: number; n: number }>;
  private readonly edgeCounts: Database.Statement<[], { code: number; n: number }>;
  private readonly patterns: Database.Statement<[], number>;
  private readonly dataVersion: Database.Statement<[], number>;
  private readonly cache = new Map<string, CachedEvidence>();
  private cachedVersion = -1;

  constructor(db: GraphDatabase) {
    this.matches = db.prepare(`SELECT m.src AS k, m.conv AS conv, kn.industry AS industry, r.src AS c
      FROM edges m INDEXED BY edges_in JOIN nodes kn ON kn.nid = m.src
      LEFT JOIN edges r ON r.type = ${TYPE.RAN} AND r.dst = m.src AND r.src_label = ${LABEL.Client}
      WHERE m.type = ${TYPE.MATCHES} AND m.dst = ? AND m.src_label = ${LABEL.Campaign}`);
    this.seenIn = db.prepare<[number], string>(`SELECT n.id FROM edges s JOIN nodes n ON n.nid = s.dst
      WHERE s.type = ${TYPE.SEEN_IN} AND s.src = ? AND s.dst_label = ${LABEL.Industry}`).pluck();
    this.patternId = db.prepare<[number], string>(`SELECT id FROM nodes WHERE nid = ? AND label = ${LABEL.Pattern}`).pluck();
    this.dropEvidence = db.prepare('DELETE FROM evidence WHERE id = ?');
    this.putEvidence = db.prepare('INSERT OR REPLACE INTO evidence (id, clients, campaigns, industries, proved) VALUES (?, ?, ?, ?, ?)');
    this.evidence = db.prepare('SELECT e.id, e.clients, e.campaigns, e.industries, e.proved FROM json_each(?) j CROSS JOIN evidence e ON e.id = j.value');
    this.similar = db.prepare(`SELECT q.id AS id, s.weight AS weight FROM nodes p
      JOIN edges s ON s.type = ${TYPE.SIMILAR_TO} AND s.src = p.nid AND s.dst_label = ${LABEL.Pattern} JOIN nodes q ON q.nid = s.dst
      WHERE p.label = ${LABEL.Pattern} AND p.id = ?`);
    this.campaigns = db.prepare(`SELECT kn.id AS campaign, json_extract(kn.props, '$.client_id') AS client,
      json_extract(m.props, '$.touches') AS touches, json_extract(m.props, '$.conversions') AS conversions
      FROM nodes p JOIN edges m INDEXED BY edges_in ON m.type = ${TYPE.MATCHES} AND m.dst = p.nid AND m.src_label = ${LABEL.Campaign}
      JOIN nodes kn ON kn.nid = m.src
      WHERE p.label = ${LABEL.Pattern} AND p.id = ? ORDER BY kn.id`);
    this.nodeCounts = db.prepare('SELECT label AS code, count(*) AS n FROM nodes GROUP BY label');
    this.edgeCounts = db.prepare('SELECT type AS code, count(*) AS n FROM edges GROUP BY type');
    this.patterns = db.prepare<[], number>(`SELECT count(*) FROM (SELECT 1 FROM evidence LIMIT ${PATTERN_COUNT_CAP + 1})`).pluck();
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  }

  /**
   * Pattern nodes (one evidence row each), counted up to PATTERN_COUNT_CAP + 1: the health check's
   * query, bounded so that it never holds the (synchronous) event loop on a big graph.
   */
  patternCount(): number {
    return this.patterns.get() as number;
  }

  /** Recomputes the stored evidence of each Pattern nid (call inside the write's transaction). */
  refresh(nids: Iterable<number>): void {
    for (const nid of nids) {
      const id = this.patternId.get(nid);
      if (id === undefined) continue; // deleted: see forget()
      this.cache.delete(id);
      const campaigns = new Set<number>();
      const clients = new Set<number>();
      const provedBy = new Map<string, Set<number>>();
      for (const row of this.matches.iterate(nid)) {
        campaigns.add(row.k);
        if (row.c === null) continue;
        clients.add(row.c);
        if (row.industry === null || row.conv === null || !(row.conv > 0)) continue;
        const set = provedBy.get(row.industry) ?? new Set<number>();
        provedBy.set(row.industry, set.add(row.c));
      }
      const industries = this.seenIn.all(nid).sort();
      const proved = Array.from(provedBy, ([industry, set]) => [industry, set.size]);
      this.putEvidence.run(id, clients.size, campaigns.size, JSON.stringify(industries), JSON.stringify(proved));
    }
  }

  /** Removes the stored evidence of deleted patterns (by id). */
  forget(ids: string[]): void {
    for (const id of ids) {
      this.dropEvidence.run(id);
      this.cache.delete(id);
    }
  }

  patternEvidence(patternIds: string[], industry?: string): Map<string, PatternEvidence> {
    const out = new Map<string, PatternEvidence>();
    if (patternIds.length === 0) return out;
    const version = this.dataVersion.get() as number;
    if (version !== this.cachedVersion || this.cache.size > EVIDENCE_CACHE_ROWS) {
      this.cache.clear();
      this.cachedVersion = version;
    }
    const missing = patternIds.filter((id) => !this.cache.has(id));
    if (missing.length > 0) {
      for (const id of missing) this.cache.set(id, null);
      for (const r of this.evidence.iterate(JSON.stringify(missing))) {
        this.cache.set(r.id, {
          clients: r.clients, campaigns: r.campaigns,
          industries: r.industries === '[]' ? NO_STRINGS : Object.freeze(JSON.parse(r.industries) as string[]),
          proved: r.proved === '[]' ? NOTHING_PROVED : (JSON.parse(r.proved) as [string, number][]),
        });
      }
    }
    for (const id of patternIds) {
      const e = this.cache.get(id);
      if (e === undefined || e === null) continue;
      out.set(id, { patternId: id, clients: e.clients, campaigns: e.campaigns, industries: e.industries as string[], clientsInIndustry: industry === undefined ? 0 : provedIn(e, industry) });
    }
    return out;
  }

  similarPatterns(patternId: string, limit: number): { id: string; weight: number }[] {
    return this.similar
      .all(patternId)
      .map((r) => ({ id: r.id, weight: r.weight ?? Number.NaN }))
      .sort((a, b) => b.weight - a.weight || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, Math.max(0, limit));
  }

  patternCampaigns(patternId: string, clientId?: string): PatternCampaign[] {
    const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    return this.campaigns
      .all(patternId)
      .map((r) => ({ campaignId: r.campaign, clientId: typeof r.client === 'string' ? r.client : null, touches: num(r.touches), conversions: num(r.conversions) }))
      .filter((c) => clientId === undefined || c.clientId === clientId);
  }

  counts(): { nodes: Record<string, number>; edges: Record<string, number> } {
    const nodes = Object.fromEntries(NODE_LABELS.map((l) => [l, 0])) as Record<string, number>;
    const edges = Object.fromEntries(EDGE_TYPES.map((t) => [t, 0])) as Record<string, number>;
    for (const r of this.nodeCounts.all()) nodes[NODE_LABELS[r.code] as string] = r.n;
    for (const r of this.edgeCounts.all()) edges[EDGE_TYPES[r.code] as string] = r.n;
    return { nodes, edges };
  }
}
