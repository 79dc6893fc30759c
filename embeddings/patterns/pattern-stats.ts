/**
 * A discovered subgroup as a served pattern: its id, vector, description, industries/channels/
 * segments, and the counts a client may see. Cross-client counts are rounded to two significant
 * digits (at least to the nearest 10) and the rate to 0.1 percentage point, so that a client who
 * knows its own contribution cannot subtract it to recover the other clients' exact figures; the
 * interval and the lift are computed on the exact counts. A client's own pattern shows its exact
 * counts (they are its own data).
 */
import { hash52 } from '../../core/stable-hash.ts';
import { conditionsKey, describeConditions, type MiningAttribute } from './configuration.ts';
import type { CampaignTally, DiscoveredPattern } from './subgroup-discovery.ts';
import type { SuccessPattern } from './success-pattern.ts';
import { wilsonInterval } from './wilson.ts';

/** Visibility of a private pattern: above any sensible k, so one `visibility_clients >= k` filter serves both scopes. */
export const PRIVATE_VISIBILITY = 1_000_000_000;

export interface MinedPattern extends SuccessPattern {
  scope: 'global' | 'private';
  /** Supporting clients − 1 (global patterns that hold with any one left out); PRIVATE_VISIBILITY for a client's own. */
  visibility_clients: number;
  /** Per campaign: touches/conversions in this pattern (graph MATCHES edges). */
  campaignTallies: Map<string, CampaignTally>;
  /** Per industry: clients, touches, conversions (graph SEEN_IN edges). */
  industryStats: Map<string, { clients: Set<string>; touches: number; conversions: number }>;
}

/** Rounds a count a client may see of other clients' data: 2 significant digits, at least to the nearest 10. */
export function roundShownCount(n: number): number {
  if (n <= 0) return 0;
  const unit = Math.max(10, 10 ** (Math.floor(Math.log10(n)) - 1));
  return Math.round(n / unit) * unit;
}

/** The stable id of a pattern within a build: scope, tenant and a hash of its conditions. */
export function patternId(prefix: string, d: Pick<DiscoveredPattern, 'conditions' | 'scope' | 'tenant' | 'kind'>): string {
  const h = hash52(`${d.kind}|${conditionsKey(d.conditions)}`).toString(36);
  return d.scope === 'global' ? `${prefix}.${d.kind === 'anti' ? 'a' : 'g'}${h}` : `${prefix}.${d.kind === 'anti' ? 'a' : 'p'}${h}.${d.tenant}`;
}

export function summarisePattern(d: DiscoveredPattern, id: string, centroid: number[], attributes: readonly MiningAttribute[]): MinedPattern {
  const exact = wilsonInterval(d.conversions, d.touches);
  const shown = d.scope === 'global'
    ? { touches: roundShownCount(d.touches), conversions: roundShownCount(d.conversions), rate: Math.round((1000 * d.conversions) / Math.max(1, d.touches)) / 1000 }
    : { touches: d.touches, conversions: d.conversions, rate: d.touches > 0 ? d.conversions / d.touches : 0 };
  const industryStats: MinedPattern['industryStats'] = new Map();
  for (const t of d.campaigns.values()) {
    if (t.industry === undefined) continue;
    const s = industryStats.get(t.industry) ?? { clients: new Set<string>(), touches: 0, conversions: 0 };
    s.clients.add(t.client);
    s.touches += t.touches;
    s.conversions += t.conversions;
    industryStats.set(t.industry, s);
  }
  const fromTallies = (pick: (t: CampaignTally) => string | undefined) =>
    [...new Set([...d.campaigns.values()].map(pick).filter((v): v is string => v !== undefined))].sort();
  const c = d.conditions;
  return {
    id,
    tenant: d.tenant,
    kind: d.kind,
    scope: d.scope,
    centroid,
    conditions: c,
    touches: shown.touches,
    conversions: shown.conversions,
    success_rate: shown.rate,
    ci_low: exact.low,
    ci_high: exact.high,
    lift: d.lift,
    lift_low: d.liftLow,
    lift_high: d.liftHigh,
    raw_lift: d.rawLift,
    distinct_clients: d.supportClients,
    campaigns: d.campaigns.size,
    industries: c.industry !== undefined ? [c.industry] : fromTallies((t) => t.industry),
    channels: c.channel !== undefined ? [c.channel] : fromTallies((t) => t.channel),
    segments: c.segment !== undefined ? [c.segment] : [],
    description: describeConditions(c, attributes),
    visibility_clients: d.scope === 'global' ? d.visibilityClients : PRIVATE_VISIBILITY,
    campaignTallies: d.campaigns,
    industryStats,
  };
}
