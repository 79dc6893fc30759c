/** SuccessPattern ↔ VectorIndex record (the PATTERN_FIELDS schema). */
import type { SearchHit, VectorRecord } from '../vector-index/vector-index.ts';
import type { MinedPattern } from './pattern-stats.ts';
import type { SuccessPattern } from './success-pattern.ts';

export function patternRecord(p: MinedPattern): VectorRecord {
  return {
    id: p.id,
    vector: p.centroid,
    tenant: p.tenant,
    metadata: {
      success_rate: p.success_rate,
      touches: p.touches,
      conversions: p.conversions,
      distinct_clients: p.distinct_clients,
      campaigns: p.campaigns,
      ci_low: p.ci_low,
      ci_high: p.ci_high,
      industries: p.industries,
      channels: p.channels,
      segments: p.segments,
      description: p.description,
      visibility_clients: p.visibility_clients,
      scope: p.scope,
      signature: JSON.stringify(p.signature),
    },
  };
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** A SuccessPattern from a search hit (or a stored record); `centroid` is the record's vector, or [] for hits. */
export function patternFromHit(hit: SearchHit | VectorRecord): SuccessPattern {
  const m = hit.metadata;
  let signature: Record<string, string> = {};
  try {
    signature = typeof m.signature === 'string' ? (JSON.parse(m.signature) as Record<string, string>) : {};
  } catch {
    signature = {};
  }
  return {
    id: hit.id,
    tenant: hit.tenant,
    centroid: hit.vector !== undefined ? Array.from(hit.vector) : [],
    touches: num(m.touches),
    conversions: num(m.conversions),
    success_rate: num(m.success_rate),
    ci_low: num(m.ci_low),
    ci_high: num(m.ci_high),
    distinct_clients: num(m.distinct_clients),
    campaigns: num(m.campaigns),
    industries: list(m.industries),
    channels: list(m.channels),
    segments: list(m.segments),
    signature,
    description: typeof m.description === 'string' ? m.description : '',
  };
}
