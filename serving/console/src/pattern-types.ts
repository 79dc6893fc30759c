/** The shapes of GET /v1/patterns and GET /v1/patterns/:id (the console API contract). */

export interface PatternRow {
  pattern_id: string;
  kind: 'success' | 'anti';
  scope: 'cross_client' | 'private';
  description: string;
  conditions: Record<string, string | number | boolean>;
  touches: number;
  conversions: number;
  success_rate: number;
  success_rate_ci: [number, number];
  lift: number;
  lift_ci: [number, number];
  raw_lift: number;
  clients: number;
  campaigns: number;
  industries: string[];
}

export interface PatternList {
  total: number;
  patterns: PatternRow[];
}

export interface PatternDetail {
  pattern: PatternRow;
  history: { index_version: string; built_at: string | number; touches: number; success_rate: number; lift: number; clients: number }[];
  /** null when the graph store cannot be reached; [] for an anti-pattern (the graph holds success patterns only). */
  campaigns: { campaign_id: string; client_id: string; touches: number; conversions: number; success_rate: number }[] | null;
}
