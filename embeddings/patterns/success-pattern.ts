/**
 * A success pattern: a combination of 1–4 planner choices (conditions such as industry=saas,
 * channel=phone, offer=loyalty_points, segment=loyal) that converts significantly better than the
 * same clients' other touches, with its evidence. Learned across clients; a cross-client pattern is
 * shown to a client only when at least k distinct clients back it, with any one of them left out.
 * An anti-pattern is the same with a significantly lower rate: never recommended, only warned of.
 */
export interface SuccessPattern {
  id: string;
  /** 'global' for cross-client patterns, else the client whose own pattern it is. */
  tenant: string;
  /** 'success' (recommended) or 'anti' (significantly worse than base; never recommended). */
  kind: 'success' | 'anti';
  /** The configuration encoder's vector of the conditions (the ANN vector). */
  centroid: number[];
  /** Condition key (role such as `channel`, or an attribute feature such as `audience.age_band`) → value. */
  conditions: Record<string, string>;
  /** Shown counts: exact for a client's own pattern, rounded to 2 significant digits (≥ 10) for cross-client ones. */
  touches: number;
  conversions: number;
  success_rate: number;
  /** Wilson score interval (95%) of the success rate. */
  ci_low: number;
  ci_high: number;
  /** Within-client (Mantel–Haenszel, stratified by client) rate ratio against the same clients' other touches, with its 95% interval. */
  lift: number;
  lift_low: number;
  lift_high: number;
  /** Unadjusted: the rate over the overall rate of the clients that back it. */
  raw_lift: number;
  /** Clients backing the comparison (with support on both sides). */
  distinct_clients: number;
  campaigns: number;
  industries: string[];
  channels: string[];
  segments: string[];
  /** Short human description, e.g. "saas · phone · offer=loyalty_points · segment=loyal". */
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
  { name: 'lift', type: 'number' },
  { name: 'lift_low', type: 'number' },
  { name: 'lift_high', type: 'number' },
  { name: 'raw_lift', type: 'number' },
  { name: 'industries', type: 'string[]' },
  { name: 'channels', type: 'string[]' },
  { name: 'segments', type: 'string[]' },
  { name: 'description', type: 'string' },
  /** k-anonymity: supporting clients − 1 for cross-client patterns that hold with any one left out; PRIVATE_VISIBILITY (1e9) for a client's own. Filter `visibility_clients >= k`. */
  { name: 'visibility_clients', type: 'number' },
  /** 'global' (cross-client) or 'private' (one client's own; tenant = client_id). */
  { name: 'scope', type: 'string' },
  /** 'success' or 'anti'. */
  { name: 'kind', type: 'string' },
  /** JSON of SuccessPattern.conditions. */
  { name: 'conditions', type: 'string' },
] as const;
