/**
 * Embedded GraphStore: a SQLite database at `<home>/graph/graph.db` (better-sqlite3, WAL). Every
 * write is one transaction that also recomputes the evidence of the patterns it touched, so a
 * write is durable and visible to other processes (a serving process sees what `almanac index`
 * wrote) when it resolves, and `patternEvidence` is indexed lookups. A home written by the earlier
 * JSON-file store is migrated on first open (json-graph-migration.ts).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError } from '../../../core/errors.ts';
import type { GraphEdge, GraphNode, GraphStore, NodeLabel, PatternCampaign, PatternEvidence } from '../graph-store.ts';
import { openGraphDatabase, type GraphDatabase } from './graph-database.ts';
import { checkEdges, checkLabel, checkNodes } from './graph-input-check.ts';
import { GraphWrites } from './graph-writes.ts';
import { migrateJsonGraph } from './json-graph-migration.ts';
import { PATTERN_COUNT_CAP, PatternQueries } from './pattern-queries.ts';

export interface EmbeddedGraphStoreOptions {
  /** false = memory only; default true. */
  persist?: boolean;
  /** Kept for compatibility; ignored: every read sees every committed write. */
  freshnessMs?: number;
}

/** The embedded GraphStore under `<home>/graph`. */
export function createEmbeddedGraphStore(config: AlmanacConfig, options: EmbeddedGraphStoreOptions = {}): GraphStore {
  return new EmbeddedGraphStore(homePath(config, 'graph'), options.persist ?? true);
}

interface Open { db: GraphDatabase; writes: GraphWrites; queries: PatternQueries }

class EmbeddedGraphStore implements GraphStore {
  readonly kind = 'embedded';
  private open: Open | undefined;

  constructor(private readonly dir: string, private readonly persist: boolean) {}

  async init(): Promise<void> {
    if (this.open !== undefined) return;
    if (this.persist) mkdirSync(this.dir, { recursive: true });
    const db = openGraphDatabase(this.persist ? path.join(this.dir, 'graph.db') : ':memory:');
    const open = { db, writes: new GraphWrites(db), queries: new PatternQueries(db) };
    try {
      if (this.persist) migrateJsonGraph(db, path.join(this.dir, 'graph.json'), (nodes, edges) => this.apply(open, (w, dirty) => (w.mergeNodes(nodes, dirty), w.mergeEdges(edges, dirty))));
    } catch (e) {
      db.close();
      throw e;
    }
    this.open = open;
  }

  async close(): Promise<void> {
    this.open?.db.close();
    this.open = undefined;
  }

  async mergeNodes(nodes: GraphNode[]): Promise<void> {
    checkNodes(nodes);
    this.write((w, dirty) => w.mergeNodes(nodes, dirty));
  }

  async mergeEdges(edges: GraphEdge[]): Promise<void> {
    checkEdges(edges);
    this.write((w, dirty) => w.mergeEdges(edges, dirty));
  }

  async deleteNodes(label: NodeLabel, ids: string[]): Promise<void> {
    checkLabel(label, 'label');
    this.write((w, dirty, q) => q.forget(w.deleteNodes(label, ids, dirty)));
  }

  async patternEvidence(patternIds: string[], industry?: string): Promise<Map<string, PatternEvidence>> {
    return this.db().queries.patternEvidence(patternIds, industry);
  }

  async similarPatterns(patternId: string, limit: number): Promise<{ id: string; weight: number }[]> {
    return this.db().queries.similarPatterns(patternId, limit);
  }

  async patternCampaigns(patternId: string, clientId?: string): Promise<PatternCampaign[]> {
    return this.db().queries.patternCampaigns(patternId, clientId);
  }

  async counts(): Promise<{ nodes: Record<string, number>; edges: Record<string, number> }> {
    return this.db().queries.counts();
  }

  async ping(): Promise<string> {
    try {
      const n = this.db().queries.patternCount();
      return n > PATTERN_COUNT_CAP ? `${PATTERN_COUNT_CAP}+ patterns` : `${n} patterns`;
    } catch (e) {
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `the embedded graph store cannot be queried: ${(e as Error).message}`, { cause: e, retriable: false });
    }
  }

  private db(): Open {
    if (this.open === undefined) throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'the embedded graph store is not open (call init() first)', { retriable: false });
    return this.open;
  }

  private write(change: (w: GraphWrites, dirty: Set<number>, q: PatternQueries) => void): void {
    this.apply(this.db(), change);
  }

  /** One immediate transaction: the change, then the evidence of every pattern it touched. */
  private apply(open: Open, change: (w: GraphWrites, dirty: Set<number>, q: PatternQueries) => void): void {
    open.db.transaction(() => {
      const dirty = new Set<number>();
      change(open.writes, dirty, open.queries);
      open.queries.refresh(dirty);
    }).immediate();
  }
}
