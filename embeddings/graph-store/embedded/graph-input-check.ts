/** Validation of GraphStore writes at the embedded adapter's edge: one ALMANAC_ERR_INPUT_INVALID naming the first bad field. */
import { invalidInput, type FieldIssue } from '../../../core/errors.ts';
import type { GraphEdge, GraphNode, NodeLabel, PropValue } from '../graph-store.ts';
import { EDGE_TYPES, NODE_LABELS } from './graph-vocabulary.ts';

function fail(what: string, issues: FieldIssue[]): never {
  const first = issues[0] as FieldIssue;
  throw invalidInput(`invalid graph ${what}: ${first.path}: ${first.reason}`, issues);
}

/** @throws ALMANAC_ERR_INPUT_INVALID when `label` is not a node label (or pushes the issue when `issues` is given). */
export function checkLabel(label: unknown, p: string, issues?: FieldIssue[]): void {
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

/** @throws ALMANAC_ERR_INPUT_INVALID naming the first bad node field. */
export function checkNodes(nodes: GraphNode[]): void {
  const issues: FieldIssue[] = [];
  nodes.forEach((n, i) => {
    checkRef(n, `nodes.${i}`, issues);
    checkProps(n.props, `nodes.${i}.props`, issues);
  });
  if (issues.length > 0) fail('nodes', issues);
}

/** @throws ALMANAC_ERR_INPUT_INVALID naming the first bad edge field. */
export function checkEdges(edges: GraphEdge[]): void {
  const issues: FieldIssue[] = [];
  edges.forEach((e, i) => {
    if (!EDGE_TYPES.includes(e.type)) issues.push({ path: `edges.${i}.type`, reason: `unknown edge type '${String(e.type)}'; valid: ${EDGE_TYPES.join(', ')}` });
    checkRef(e.from, `edges.${i}.from`, issues);
    checkRef(e.to, `edges.${i}.to`, issues);
    checkProps(e.props, `edges.${i}.props`, issues);
  });
  if (issues.length > 0) fail('edges', issues);
}
