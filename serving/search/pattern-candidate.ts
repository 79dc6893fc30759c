/** A pattern as the rerank sees it, from a vector hit's metadata or a catalogue entry. */
import { conditionsFromMetadata } from '../../embeddings/patterns/pattern-records.ts';
import type { SuccessPattern } from '../../embeddings/patterns/success-pattern.ts';
import type { Scalar, SearchHit } from '../../embeddings/vector-index/vector-index.ts';

export interface PatternCandidate {
  id: string;
  tenant: string;
  /** Cosine similarity of the plan's configuration vector to the pattern's. */
  similarity: number;
  /** Where stage 1 found it: the ANN, or the lookup of patterns the plan falls under. */
  source: 'ann' | 'lookup' | 'catalogue';
  conditions: Record<string, string>;
  success_rate: number;
  touches: number;
  conversions: number;
  distinct_clients: number;
  campaigns: number;
  ci_low: number;
  ci_high: number;
  lift: number;
  lift_low: number;
  lift_high: number;
  raw_lift: number;
  industries: string[];
  channels: string[];
  segments: string[];
  description: string;
  centroid?: number[];
}

const num = (v: Scalar | string[] | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const list = (v: Scalar | string[] | undefined): string[] => (Array.isArray(v) ? v : typeof v === 'string' && v !== '' ? [v] : []);

export function candidateFromHit(hit: SearchHit): PatternCandidate {
  const m = hit.metadata;
  return {
    id: hit.id, tenant: hit.tenant, similarity: hit.score, source: 'ann', conditions: conditionsFromMetadata(m.conditions),
    success_rate: num(m.success_rate), touches: num(m.touches), conversions: num(m.conversions),
    distinct_clients: num(m.distinct_clients), campaigns: num(m.campaigns), ci_low: num(m.ci_low), ci_high: num(m.ci_high),
    lift: num(m.lift), lift_low: num(m.lift_low), lift_high: num(m.lift_high), raw_lift: num(m.raw_lift),
    industries: list(m.industries), channels: list(m.channels), segments: list(m.segments),
    description: typeof m.description === 'string' ? m.description : hit.id,
  };
}

export function candidateFromPattern(p: SuccessPattern, similarity: number, source: PatternCandidate['source']): PatternCandidate {
  return {
    id: p.id, tenant: p.tenant, similarity, source, conditions: p.conditions, success_rate: p.success_rate, touches: p.touches, conversions: p.conversions,
    distinct_clients: p.distinct_clients, campaigns: p.campaigns, ci_low: p.ci_low, ci_high: p.ci_high,
    lift: p.lift, lift_low: p.lift_low, lift_high: p.lift_high, raw_lift: p.raw_lift,
    industries: p.industries, channels: p.channels, segments: p.segments, description: p.description, centroid: p.centroid,
  };
}
