/**
 * MERGE writes on the graph tables. Each call notes in `dirty` the patterns whose evidence the
 * write may change, for pattern-queries.ts to recompute in the same transaction:
 *   a new or merged Pattern node (its row, zeros at first);  a Campaign's `industry` prop → the patterns it MATCHES;  a new Client-RAN->Campaign edge → the
 *   campaign's patterns;  a Campaign-MATCHES->Pattern edge → the pattern;  a Pattern-SEEN_IN->Industry
 *   edge → the pattern;  deleting a Client, Campaign or Industry → the patterns reached through it.
 * Props merge key by key (SQLite json_patch: props hold no objects or nulls, so it is Object.assign).
 */
import type Database from 'better-sqlite3';
import type { GraphEdge, GraphNode, NodeLabel, PropValue } from '../graph-store.ts';
import type { GraphDatabase } from './graph-database.ts';
import { LABEL, TYPE } from './graph-vocabulary.ts';

const industryOf = (props: Record<string, PropValue>): string | null => (typeof props.industry === 'string' ? props.industry : null);
/** Number(props[key] ?? 0), NULL when that is not a number (NaN never compares > 0, as in JS). */
function numberProp(props: Record<string, PropValue>, key: string): number | null {
  const n = Number(props[key] ?? 0);
  return Number.isNaN(n) ? null : n;
}

export class GraphWrites {
  private readonly upsertNode: Database.Statement;
  private readonly insertNode: Database.Statement;
  private readonly nodeId: Database.Statement;
  private readonly edgeExists: Database.Statement;
  private readonly upsertEdge: Database.Statement;
  private readonly outPatterns: Database.Statement;
  private readonly clientPatterns: Database.Statement;
  private readonly industryPatterns: Database.Statement;
  private readonly dropEdgesOut: Database.Statement;
  private readonly dropEdgesIn: Database.Statement;
  private readonly dropNode: Database.Statement;

  constructor(db: GraphDatabase) {
    this.upsertNode = db.prepare(`INSERT INTO nodes (label, id, props, industry) VALUES (?, ?, ?, ?)
      ON CONFLICT (label, id) DO UPDATE SET props = json_patch(props, excluded.props),
        industry = CASE WHEN json_type(excluded.props, '$.industry') IS NULL THEN industry ELSE excluded.industry END`);
    this.insertNode = db.prepare("INSERT INTO nodes (label, id, props, industry) VALUES (?, ?, '{}', NULL)");
    this.nodeId = db.prepare('SELECT nid FROM nodes WHERE label = ? AND id = ?').pluck();
    this.edgeExists = db.prepare('SELECT 1 FROM edges WHERE type = ? AND src = ? AND dst = ?').pluck();
    this.upsertEdge = db.prepare(`INSERT INTO edges (type, src, dst, src_label, dst_label, props, conv, weight) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (type, src, dst) DO UPDATE SET props = json_patch(props, excluded.props),
        conv = CASE WHEN json_type(excluded.props, '$.conversions') IS NULL THEN conv ELSE excluded.conv END,
        weight = CASE WHEN json_type(excluded.props, '$.weight') IS NULL THEN weight ELSE excluded.weight END`);
    this.outPatterns = db.prepare(`SELECT dst FROM edges WHERE type = ${TYPE.MATCHES} AND src = ? AND dst_label = ${LABEL.Pattern}`).pluck();
    this.clientPatterns = db.prepare(`SELECT m.dst FROM edges r JOIN edges m ON m.type = ${TYPE.MATCHES} AND m.src = r.dst AND m.dst_label = ${LABEL.Pattern}
      WHERE r.type = ${TYPE.RAN} AND r.src = ? AND r.dst_label = ${LABEL.Campaign}`).pluck();
    this.industryPatterns = db.prepare(`SELECT src FROM edges INDEXED BY edges_in WHERE type = ${TYPE.SEEN_IN} AND dst = ? AND src_label = ${LABEL.Pattern}`).pluck();
    this.dropEdgesOut = db.prepare('DELETE FROM edges WHERE type = ? AND src = ?');
    this.dropEdgesIn = db.prepare('DELETE FROM edges INDEXED BY edges_in WHERE type = ? AND dst = ?');
    this.dropNode = db.prepare('DELETE FROM nodes WHERE nid = ?');
  }

  mergeNodes(nodes: GraphNode[], dirty: Set<number>): void {
    for (const n of nodes) {
      const props = n.props ?? {};
      const label = LABEL[n.label];
      this.upsertNode.run(label, n.id, JSON.stringify(props), industryOf(props));
      if (label === LABEL.Pattern) dirty.add(this.nid(label, n.id));
      else if (label === LABEL.Campaign && 'industry' in props) this.addAll(dirty, this.outPatterns.all(this.nid(label, n.id)));
    }
  }

  mergeEdges(edges: GraphEdge[], dirty: Set<number>): void {
    const nids = new Map<string, number>();
    for (const e of edges) {
      const props = e.props ?? {};
      const type = TYPE[e.type];
      const [fromLabel, toLabel] = [LABEL[e.from.label], LABEL[e.to.label]];
      const src = this.ensureNode(nids, fromLabel, e.from.id, dirty);
      const dst = this.ensureNode(nids, toLabel, e.to.id, dirty);
      const isNew = this.edgeExists.get(type, src, dst) === undefined;
      this.upsertEdge.run(type, src, dst, fromLabel, toLabel, JSON.stringify(props), numberProp(props, 'conversions'), numberProp(props, 'weight'));
      if (type === TYPE.MATCHES && fromLabel === LABEL.Campaign && toLabel === LABEL.Pattern) dirty.add(dst);
      else if (type === TYPE.SEEN_IN && fromLabel === LABEL.Pattern && toLabel === LABEL.Industry) dirty.add(src);
      else if (isNew && type === TYPE.RAN && fromLabel === LABEL.Client && toLabel === LABEL.Campaign) this.addAll(dirty, this.outPatterns.all(dst));
    }
  }

  /** Deletes the nodes and every edge touching them; returns the ids of the deleted patterns. */
  deleteNodes(label: NodeLabel, ids: string[], dirty: Set<number>): string[] {
    const code = LABEL[label];
    const deleted: string[] = [];
    for (const id of new Set(ids)) {
      const nid = this.nodeId.get(code, id) as number | undefined;
      if (nid === undefined) continue;
      if (code === LABEL.Campaign) this.addAll(dirty, this.outPatterns.all(nid));
      else if (code === LABEL.Client) this.addAll(dirty, this.clientPatterns.all(nid));
      else if (code === LABEL.Industry) this.addAll(dirty, this.industryPatterns.all(nid));
      else if (code === LABEL.Pattern) deleted.push(id);
      for (const type of Object.values(TYPE)) {
        this.dropEdgesOut.run(type, nid);
        this.dropEdgesIn.run(type, nid);
      }
      this.dropNode.run(nid);
    }
    return deleted;
  }

  private nid(label: number, id: string): number {
    return this.nodeId.get(label, id) as number;
  }

  /** The nid of (label, id), inserting a node with no props when missing (a new Pattern is dirty); memoised per batch. */
  private ensureNode(nids: Map<string, number>, label: number, id: string, dirty: Set<number>): number {
    const key = `${label}:${id}`;
    let nid = nids.get(key) ?? (this.nodeId.get(label, id) as number | undefined);
    if (nid === undefined) {
      nid = Number(this.insertNode.run(label, id).lastInsertRowid);
      if (label === LABEL.Pattern) dirty.add(nid);
    }
    nids.set(key, nid);
    return nid;
  }

  private addAll(dirty: Set<number>, rows: unknown[]): void {
    for (const r of rows) dirty.add(r as number);
  }
}
