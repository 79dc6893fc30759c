/**
 * Embedded GraphStore: the in-process PropertyGraph, persisted to `<home>/graph/graph.json`
 * (written to a temp file, then renamed over the old one) before each write resolves. Writes are
 * serialized; a read notices a newer file written by another process (checked at most once a
 * second) and reloads it, so a serving process sees the graph `almanac index` wrote.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { writeFileAtomicSync } from '../../../core/atomic-file.ts';
import { homePath, type AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError, invalidInput, type FieldIssue } from '../../../core/errors.ts';
import type { GraphEdge, GraphNode, GraphStore, NodeLabel, PatternEvidence, PropValue } from '../graph-store.ts';
import { patternEvidence, similarPatterns } from './pattern-queries.ts';
import { EDGE_TYPES, NODE_LABELS, PropertyGraph } from './property-graph.ts';

export interface EmbeddedGraphStoreOptions {
  /** false = memory only; default true. */
  persist?: boolean;
  /** How often (ms) a read checks for a file saved by another process. */
  freshnessMs?: number;
}

interface GraphFile {
  format: 1;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The embedded GraphStore under `<home>/graph`. */
export function createEmbeddedGraphStore(config: AlmanacConfig, options: EmbeddedGraphStoreOptions = {}): GraphStore {
  return new EmbeddedGraphStore(path.join(homePath(config, 'graph'), 'graph.json'), options);
}

class EmbeddedGraphStore implements GraphStore {
  readonly kind = 'embedded';
  private readonly graph = new PropertyGraph();
  private readonly persist: boolean;
  private readonly freshnessMs: number;
  private version = '';
  private checkedAt = 0;
  private writes: Promise<unknown> = Promise.resolve();
  /**
   * Evidence already computed, by (pattern, industry); false = no such pattern. Evidence changes only
   * with the graph, so the memo is cleared by every write and every reload.
   */
  private readonly evidence = new LRUCache<string, PatternEvidence | false>({ max: EVIDENCE_MEMO });

  constructor(private readonly file: string, options: EmbeddedGraphStoreOptions) {
    this.persist = options.persist ?? true;
    this.freshnessMs = options.freshnessMs ?? 1000;
  }

  async init(): Promise<void> {
    if (!this.persist) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    this.reloadIfChanged(true);
  }

  async close(): Promise<void> {
    await this.writes.catch(() => undefined);
  }

  async mergeNodes(nodes: GraphNode[]): Promise<void> {
    checkNodes(nodes);
    return this.write(() => nodes.forEach((n) => this.graph.mergeNode(n.label, n.id, n.props)));
  }

  async mergeEdges(edges: GraphEdge[]): Promise<void> {
    checkEdges(edges);
    return this.write(() => edges.forEach((e) => this.graph.mergeEdge(e)));
  }

  async deleteNodes(label: NodeLabel, ids: string[]): Promise<void> {
    checkLabel(label, 'label');
    return this.write(() => ids.forEach((id) => this.graph.deleteNode(label, id)));
  }

  async patternEvidence(patternIds: string[], industry?: string): Promise<Map<string, PatternEvidence>> {
    this.reloadIfChanged(false);
    const out = new Map<string, PatternEvidence>();
    const missing: string[] = [];
    for (const id of patternIds) {
      const known = this.evidence.get(evidenceKey(id, industry));
      if (known === undefined) missing.push(id);
      else if (known !== false) out.set(id, known);
    }
    if (missing.length === 0) return out;
    const fresh = patternEvidence(this.graph, missing, industry);
    for (const id of missing) {
      const ev = fresh.get(id);
      this.evidence.set(evidenceKey(id, industry), ev ?? false);
      if (ev !== undefined) out.set(id, ev);
    }
    return out;
  }

  async similarPatterns(patternId: string, limit: number): Promise<{ id: string; weight: number }[]> {
    this.reloadIfChanged(false);
    return similarPatterns(this.graph, patternId, limit);
  }

  async counts(): Promise<{ nodes: Record<string, number>; edges: Record<string, number> }> {
    this.reloadIfChanged(false);
    const nodes = Object.fromEntries(NODE_LABELS.map((l) => [l, 0])) as Record<string, number>;
    const edges = Object.fromEntries(EDGE_TYPES.map((t) => [t, 0])) as Record<string, number>;
    for (const n of this.graph.nodes.values()) nodes[n.label] = (nodes[n.label] ?? 0) + 1;
    for (const e of this.graph.edges.values()) edges[e.type] = (edges[e.type] ?? 0) + 1;
    return { nodes, edges };
  }

  async ping(): Promise<boolean> {
    return true;
  }

  private write(change: () => void): Promise<void> {
    const run = this.writes.then(async () => {
      this.reloadIfChanged(true);
      this.evidence.clear();
      change();
      this.save();
    });
    this.writes = run.catch(() => undefined);
    return run;
  }

  private save(): void {
    if (!this.persist) return;
    const body: GraphFile = { format: 1, nodes: [...this.graph.nodes.values()], edges: [...this.graph.edges.values()] };
    writeFileAtomicSync(this.file, JSON.stringify(body));
    this.version = fileVersion(this.file) ?? '';
    this.checkedAt = Date.now();
  }

  private reloadIfChanged(force: boolean): void {
    if (!this.persist || (!force && Date.now() - this.checkedAt < this.freshnessMs)) return;
    this.checkedAt = Date.now();
    const version = fileVersion(this.file);
    if (version === undefined || version === this.version) return;
    let body: GraphFile;
    try {
      body = JSON.parse(readFileSync(this.file, 'utf8')) as GraphFile;
    } catch (e) {
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `cannot read graph file ${this.file}: ${(e as Error).message}`, { cause: e, retriable: false });
    }
    this.graph.clear();
    this.evidence.clear();
    for (const n of body.nodes) this.graph.mergeNode(n.label, n.id, n.props);
    for (const e of body.edges) this.graph.mergeEdge(e);
    this.version = version;
  }
}

/** Pattern evidence entries memoised (a few hundred bytes each). */
const EVIDENCE_MEMO = 100_000;
const evidenceKey = (id: string, industry: string | undefined): string => `${industry ?? ''}\u0000${id}`;

function fileVersion(file: string): string | undefined {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return undefined;
  }
}

function fail(what: string, issues: FieldIssue[]): never {
  const first = issues[0] as FieldIssue;
  throw invalidInput(`invalid graph ${what}: ${first.path}: ${first.reason}`, issues);
}

function checkLabel(label: unknown, p: string, issues?: FieldIssue[]): void {
  if (NODE_LABELS.includes(label as NodeLabel)) return;
  const issue = { path: p, reason: `unknown node label '${String(label)}'; valid: ${NODE_LABELS.join(', ')}` };
  if (issues) issues.push(issue);
  else fail('label', [issue]);
}

function checkRef(ref: { label: NodeLabel; id: string }, p: string, issues: FieldIssue[]): void {
  checkLabel(ref?.label, `${p}.label`, issues);
  if (typeof ref?.id !== 'string' || ref.id.length === 0) issues.push({ path: `${p}.id`, reason: 'must be a non-empty string' });
}

function checkProps(props: Record<string, PropValue>, p: string, issues: FieldIssue[]): void {
  for (const [k, v] of Object.entries(props ?? {})) {
    const ok = typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
    if (!ok) issues.push({ path: `${p}.${k}`, reason: 'must be a string, finite number, boolean or string[]' });
  }
}

function checkNodes(nodes: GraphNode[]): void {
  const issues: FieldIssue[] = [];
  nodes.forEach((n, i) => {
    checkRef(n, `nodes.${i}`, issues);
    checkProps(n.props, `nodes.${i}.props`, issues);
  });
  if (issues.length > 0) fail('nodes', issues);
}

function checkEdges(edges: GraphEdge[]): void {
  const issues: FieldIssue[] = [];
  edges.forEach((e, i) => {
    if (!EDGE_TYPES.includes(e.type)) issues.push({ path: `edges.${i}.type`, reason: `unknown edge type '${String(e.type)}'; valid: ${EDGE_TYPES.join(', ')}` });
    checkRef(e.from, `edges.${i}.from`, issues);
    checkRef(e.to, `edges.${i}.to`, issues);
    checkProps(e.props, `edges.${i}.props`, issues);
  });
  if (issues.length > 0) fail('edges', issues);
}
