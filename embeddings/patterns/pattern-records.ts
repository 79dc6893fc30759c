/** SuccessPattern ↔ VectorIndex record (the PATTERN_FIELDS schema). */
import { LRUCache } from 'lru-cache';
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
      lift: p.lift,
      lift_low: p.lift_low,
      lift_high: p.lift_high,
      raw_lift: p.raw_lift,
      industries: p.industries,
      channels: p.channels,
      segments: p.segments,
      description: p.description,
      visibility_clients: p.visibility_clients,
      scope: p.scope,
      kind: p.kind,
      conditions: JSON.stringify(p.conditions),
    },
  };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v !== '' ? [v] : []);

/** Parsed conditions kept per JSON text (the same patterns come back search after search), the 20,000 used last. */
const parsedConditions = new LRUCache<string, Readonly<Record<string, string>>>({ max: 20_000 });

/** The conditions stored as JSON in a record's metadata ({} when absent or unreadable), frozen: one object may answer many hits. */
export function conditionsFromMetadata(v: unknown): Record<string, string> {
  if (typeof v !== 'string') return {};
  const kept = parsedConditions.get(v);
  if (kept !== undefined) return kept as Record<string, string>;
  let conditions: Record<string, string> = {};
  try {
    const parsed = JSON.parse(v) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      conditions = Object.fromEntries(Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
  } catch {
    // unreadable: no conditions
  }
  parsedConditions.set(v, Object.freeze(conditions));
  return conditions;
}

/** A SuccessPattern from a search hit (or a stored record); `centroid` is the record's vector, or [] for hits. */
export function patternFromHit(hit: SearchHit | VectorRecord): SuccessPattern {
  const m = hit.metadata;
  return {
    id: hit.id,
    tenant: hit.tenant,
    kind: m.kind === 'anti' ? 'anti' : 'success',
    centroid: hit.vector !== undefined ? Array.from(hit.vector) : [],
    conditions: conditionsFromMetadata(m.conditions),
    touches: num(m.touches),
    conversions: num(m.conversions),
    success_rate: num(m.success_rate),
    ci_low: num(m.ci_low),
    ci_high: num(m.ci_high),
    lift: num(m.lift),
    lift_low: num(m.lift_low),
    lift_high: num(m.lift_high),
    raw_lift: num(m.raw_lift),
    distinct_clients: num(m.distinct_clients),
    campaigns: num(m.campaigns),
    industries: list(m.industries),
    channels: list(m.channels),
    segments: list(m.segments),
    description: typeof m.description === 'string' ? m.description : '',
  };
}
