/**
 * The graph's node labels and edge types, and the small integer codes the embedded store keeps in
 * its tables instead of the names (the position in these lists; never reorder, only append).
 */
import type { EdgeType, NodeLabel } from '../graph-store.ts';

export const NODE_LABELS: readonly NodeLabel[] = ['Client', 'Campaign', 'Pattern', 'Industry'];
export const EDGE_TYPES: readonly EdgeType[] = ['RAN', 'MATCHES', 'SEEN_IN', 'SIMILAR_TO'];

export const LABEL = { Client: 0, Campaign: 1, Pattern: 2, Industry: 3 } as const satisfies Record<NodeLabel, number>;
export const TYPE = { RAN: 0, MATCHES: 1, SEEN_IN: 2, SIMILAR_TO: 3 } as const satisfies Record<EdgeType, number>;
