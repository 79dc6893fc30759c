/** The shapes of GET /v1/patterns and GET /v1/patterns/:id (the console API contract). */

/** The figures a pattern carries wherever the API shows it: a search result and a browsed pattern alike. */
export interface PatternFigures {
  pattern_id: string;
  scope: 'global' | 'private';
  description: string;
  conditions: Record<string, string>;
  sample_size: number;
  conversions: number;
  success_rate: number;
  confidence_interval: [number, number];
  lift: number;
  lift_interval: [number, number];
  raw_lift: number;
  distinct_clients: number;
}

export interface PatternRow extends PatternFigures {
  kind: 'success' | 'anti';
  campaigns: number;
  industries: string[];
}

export interface PatternList {
  total: number;
  patterns: PatternRow[];
}

export interface PatternDetail {
  pattern: PatternRow;
  history: { index_version: string; built_at: string | number; sample_size: number; success_rate: number; lift: number; distinct_clients: number }[];
  /** null when the graph store cannot be reached; [] for an anti-pattern (the graph holds success patterns only). */
  campaigns: { campaign_id: string; client_id: string; touches: number; conversions: number; success_rate: number }[] | null;
}
