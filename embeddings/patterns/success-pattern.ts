/**
 * A success pattern: a cluster of similar campaign/touch configurations with its statistics.
 * Learned across clients; shown to a client only when at least k distinct clients back it.
 */
export interface SuccessPattern {
  id: string;
  /** 'global' for cross-client patterns. */
  tenant: string;
  centroid: number[];
  touches: number;
  conversions: number;
  success_rate: number;
  /** Wilson score interval (95%) of the success rate. */
  ci_low: number;
  ci_high: number;
  distinct_clients: number;
  campaigns: number;
  industries: string[];
  channels: string[];
  segments: string[];
  /** The most frequent configuration values, for explanations: {field: value}. */
  signature: Record<string, string>;
  /** Short human description, e.g. "retail · email · segment=young_urban · offer=discount". */
  description: string;
}

/** Metadata fields stored with each pattern vector (the VectorIndex collection schema). */
export const PATTERN_FIELDS = [
  { name: 'success_rate', type: 'number' },
  { name: 'touches', type: 'number' },
  { name: 'conversions', type: 'number' },
  { name: 'distinct_clients', type: 'number' },
  { name: 'campaigns', type: 'number' },
  { name: 'ci_low', type: 'number' },
  { name: 'ci_high', type: 'number' },
  { name: 'industries', type: 'string[]' },
  { name: 'channels', type: 'string[]' },
  { name: 'segments', type: 'string[]' },
  { name: 'description', type: 'string' },
  /** k-anonymity: distinct_clients for global patterns, PRIVATE_VISIBILITY (1e9) for a client's own. Filter `visibility_clients >= k`. */
  { name: 'visibility_clients', type: 'number' },
  /** 'global' (cross-client) or 'private' (one client's own configurations; tenant = client_id). */
  { name: 'scope', type: 'string' },
  /** JSON of SuccessPattern.signature ({role: value}). */
  { name: 'signature', type: 'string' },
] as const;
