/**
 * Statistics of a success pattern from the configuration slices it groups: touches, conversions,
 * success rate with its Wilson 95% interval, distinct clients/campaigns/industries/channels/
 * segments, the dominant value of each configuration role (signature) and a short description.
 */
import type { SuccessPattern } from './success-pattern.ts';
import { ROLES, type CampaignTally, type Configuration, type ConfigurationRole } from './configuration.ts';
import { wilsonInterval } from './wilson.ts';

/** A configuration, or one client's share of it (private patterns). */
export interface ConfigurationSlice {
  conf: Configuration;
  touches: number;
  conversions: number;
  clients: string[];
  campaigns: [string, CampaignTally][];
}

/** Visibility of a private pattern: above any sensible k, so one `visibility_clients >= k` filter serves both scopes. */
export const PRIVATE_VISIBILITY = 1_000_000_000;

export interface MinedPattern extends SuccessPattern {
  scope: 'global' | 'private';
  /** distinct_clients for global patterns; PRIVATE_VISIBILITY for a client's own. */
  visibility_clients: number;
  /** Per campaign: touches/conversions that fell in this pattern (graph MATCHES edges). */
  campaignTallies: Map<string, CampaignTally>;
  /** Per industry: clients, touches, conversions (graph SEEN_IN edges). */
  industryStats: Map<string, { clients: Set<string>; touches: number; conversions: number }>;
}

export function wholeSlice(conf: Configuration): ConfigurationSlice {
  return { conf, touches: conf.touches, conversions: conf.conversions, clients: [...conf.clients.keys()], campaigns: [...conf.campaigns] };
}

export function clientSlice(conf: Configuration, client: string): ConfigurationSlice | undefined {
  const own = conf.clients.get(client);
  if (own === undefined) return undefined;
  const campaigns = [...conf.campaigns].filter(([, t]) => t.client === client);
  return { conf, touches: own.touches, conversions: own.conversions, clients: [client], campaigns };
}

export function summarisePattern(
  identity: { id: string; tenant: string; scope: 'global' | 'private'; centroid: number[] },
  slices: ConfigurationSlice[],
): MinedPattern {
  let touches = 0;
  let conversions = 0;
  const clients = new Set<string>();
  const campaignTallies = new Map<string, CampaignTally>();
  const industryStats: MinedPattern['industryStats'] = new Map();
  for (const s of slices) {
    touches += s.touches;
    conversions += s.conversions;
    s.clients.forEach((c) => clients.add(c));
    for (const [id, t] of s.campaigns) addTally(campaignTallies, id, t);
    const industry = s.conf.values.industry;
    if (industry !== undefined) {
      const st = industryStats.get(industry) ?? { clients: new Set<string>(), touches: 0, conversions: 0 };
      s.clients.forEach((c) => st.clients.add(c));
      st.touches += s.touches;
      st.conversions += s.conversions;
      industryStats.set(industry, st);
    }
  }
  const { low, high } = wilsonInterval(conversions, touches);
  const signature = signatureOf(slices);
  return {
    ...identity,
    touches,
    conversions,
    success_rate: touches > 0 ? conversions / touches : 0,
    ci_low: low,
    ci_high: high,
    distinct_clients: clients.size,
    campaigns: campaignTallies.size,
    industries: distinctValues(slices, 'industry'),
    channels: distinctValues(slices, 'channel'),
    segments: distinctValues(slices, 'segment'),
    signature: Object.fromEntries([...signature].map(([role, v]) => [role, v.value])),
    description: describe(signature),
    visibility_clients: identity.scope === 'global' ? clients.size : PRIVATE_VISIBILITY,
    campaignTallies,
    industryStats,
  };
}

function addTally(map: Map<string, CampaignTally>, id: string, t: CampaignTally): void {
  const prev = map.get(id);
  if (prev === undefined) map.set(id, { ...t });
  else {
    prev.touches += t.touches;
    prev.conversions += t.conversions;
  }
}

function distinctValues(slices: ConfigurationSlice[], role: ConfigurationRole): string[] {
  return [...new Set(slices.map((s) => s.conf.values[role]).filter((v): v is string => v !== undefined))].sort();
}

/** Per role: the value with the most touches and its share of the pattern's touches. */
function signatureOf(slices: ConfigurationSlice[]): Map<ConfigurationRole, { value: string; share: number }> {
  const total = slices.reduce((s, x) => s + x.touches, 0) || 1;
  const out = new Map<ConfigurationRole, { value: string; share: number }>();
  for (const role of ROLES) {
    const weight = new Map<string, number>();
    for (const s of slices) {
      const v = s.conf.values[role];
      if (v !== undefined) weight.set(v, (weight.get(v) ?? 0) + s.touches);
    }
    const best = [...weight].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (best !== undefined) out.set(role, { value: best[0], share: best[1] / total });
  }
  return out;
}

/** "retail · email · segment=young_urban · offer=discount": roles whose dominant value covers ≥ half the touches. */
function describe(signature: Map<ConfigurationRole, { value: string; share: number }>): string {
  const parts: string[] = [];
  for (const [role, { value, share }] of signature) {
    if (share < 0.5 || value === '(none)') continue;
    parts.push(role === 'industry' || role === 'channel' ? value : `${role}=${value}`);
  }
  return parts.length > 0 ? parts.join(' · ') : 'mixed configurations';
}
