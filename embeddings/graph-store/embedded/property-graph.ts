/**
 * An in-process property graph: nodes keyed by (label, id), edges keyed by (type, from, to),
 * adjacency sets per node in both directions. MERGE semantics: a write with an existing key sets
 * the given props (key by key) and never duplicates. Pure data structure; persistence is the
 * adapter's job.
 */
import type { EdgeType, GraphEdge, GraphNode, NodeLabel, PropValue } from '../graph-store.ts';

export const NODE_LABELS: readonly NodeLabel[] = ['Client', 'Campaign', 'Pattern', 'Industry'];
export const EDGE_TYPES: readonly EdgeType[] = ['RAN', 'MATCHES', 'SEEN_IN', 'SIMILAR_TO'];

const SEP = '\u0001';
export const nodeKey = (label: NodeLabel, id: string): string => `${label}${SEP}${id}`;
const edgeKey = (e: Pick<GraphEdge, 'type' | 'from' | 'to'>): string => `${e.type}${SEP}${nodeKey(e.from.label, e.from.id)}${SEP}${nodeKey(e.to.label, e.to.id)}`;

export class PropertyGraph {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, GraphEdge>();
  private readonly out = new Map<string, Set<string>>();
  private readonly in = new Map<string, Set<string>>();

  mergeNode(label: NodeLabel, id: string, props: Record<string, PropValue> = {}): GraphNode {
    const key = nodeKey(label, id);
    let node = this.nodes.get(key);
    if (node === undefined) {
      node = { label, id, props: {} };
      this.nodes.set(key, node);
    }
    Object.assign(node.props, props);
    return node;
  }

  mergeEdge(edge: GraphEdge): void {
    this.mergeNode(edge.from.label, edge.from.id);
    this.mergeNode(edge.to.label, edge.to.id);
    const key = edgeKey(edge);
    const existing = this.edges.get(key);
    if (existing !== undefined) {
      Object.assign(existing.props, edge.props);
      return;
    }
    this.edges.set(key, { type: edge.type, from: { ...edge.from }, to: { ...edge.to }, props: { ...edge.props } });
    adjacency(this.out, nodeKey(edge.from.label, edge.from.id)).add(key);
    adjacency(this.in, nodeKey(edge.to.label, edge.to.id)).add(key);
  }

  /** Removes a node and every edge touching it. */
  deleteNode(label: NodeLabel, id: string): void {
    const key = nodeKey(label, id);
    if (!this.nodes.delete(key)) return;
    for (const ek of [...(this.out.get(key) ?? []), ...(this.in.get(key) ?? [])]) this.deleteEdge(ek);
    this.out.delete(key);
    this.in.delete(key);
  }

  private deleteEdge(key: string): void {
    const e = this.edges.get(key);
    if (e === undefined) return;
    this.edges.delete(key);
    this.out.get(nodeKey(e.from.label, e.from.id))?.delete(key);
    this.in.get(nodeKey(e.to.label, e.to.id))?.delete(key);
  }

  node(label: NodeLabel, id: string): GraphNode | undefined {
    return this.nodes.get(nodeKey(label, id));
  }

  /** Edges of `type` leaving the node. */
  outgoing(label: NodeLabel, id: string, type: EdgeType): GraphEdge[] {
    return this.follow(this.out.get(nodeKey(label, id)), type);
  }

  /** Edges of `type` arriving at the node. */
  incoming(label: NodeLabel, id: string, type: EdgeType): GraphEdge[] {
    return this.follow(this.in.get(nodeKey(label, id)), type);
  }

  private follow(keys: Set<string> | undefined, type: EdgeType): GraphEdge[] {
    const out: GraphEdge[] = [];
    for (const k of keys ?? []) {
      const e = this.edges.get(k);
      if (e !== undefined && e.type === type) out.push(e);
    }
    return out;
  }

  clear(): void {
    this.nodes.clear();
    this.edges.clear();
    this.out.clear();
    this.in.clear();
  }
}

function adjacency(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
