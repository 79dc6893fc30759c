/**
 * Planted success patterns: a handful of industry × channel × segment × offer (× creative) combinations
 * that convert at 12–25% against a world base of 1–3%, each carried by campaigns of several clients.
 */
import { CHANNELS } from '../../core/domain/campaign.ts';
import type { Rng } from './prng.ts';
import type { PlantedPattern, SimCampaign, SimClient } from './world.ts';
import { CREATIVES, OFFERS, SEGMENTS, type Industry } from './world-catalogue.ts';

/** How many distinct clients each pattern is planted in (when the industry has that many clients with campaigns). */
export const CLIENTS_PER_PATTERN = 4;
const MAX_PATTERNS = 5;

/** Draws the planted patterns, one per industry (the first `count` industries), with distinct channels where possible. */
export function drawPatterns(rng: Rng, industries: readonly Industry[]): PlantedPattern[] {
  const count = Math.min(MAX_PATTERNS, industries.length);
  const channels = shuffled(rng, CHANNELS.filter((c) => c !== 'phone' && c !== 'direct_mail'));
  const offers = OFFERS.filter((o) => o !== 'none');
  const patterns: PlantedPattern[] = [];
  for (let i = 0; i < count; i++) {
    const pattern: PlantedPattern = {
      id: `pattern-${i + 1}`,
      industry: industries[i] as Industry,
      channel: channels[i % channels.length] as PlantedPattern['channel'],
      segment: rng.pick(SEGMENTS),
      offer: rng.pick(offers),
      conversionRate: Math.round(rng.between(0.12, 0.25) * 1000) / 1000,
    };
    if (i % 2 === 1) pattern.creative = rng.pick(CREATIVES);
    patterns.push(pattern);
  }
  return patterns;
}

/**
 * Makes each pattern present in up to CLIENTS_PER_PATTERN clients of its industry: one campaign of each such
 * client takes the pattern's channel, offer (and creative) and targets its segment. Then links every campaign
 * (planted or matching by chance) to its pattern.
 */
export function plantPatterns(rng: Rng, patterns: readonly PlantedPattern[], campaigns: SimCampaign[]): void {
  const used = new Set<SimCampaign>();
  for (const pattern of patterns) {
    const byClient = new Map<SimClient, SimCampaign[]>();
    for (const c of campaigns) {
      if (c.client.industry !== pattern.industry || used.has(c)) continue;
      byClient.set(c.client, [...(byClient.get(c.client) ?? []), c]);
    }
    for (const list of [...byClient.values()].slice(0, CLIENTS_PER_PATTERN)) {
      const campaign = list[rng.int(list.length)] as SimCampaign;
      used.add(campaign);
      campaign.channel = pattern.channel;
      campaign.offer = pattern.offer;
      if (pattern.creative) campaign.creative = pattern.creative;
      targetSegment(campaign, pattern.segment);
    }
  }
  for (const c of campaigns) {
    const match = patterns.find((p) => p.industry === c.client.industry && p.channel === c.channel && p.offer === c.offer);
    if (match) c.pattern = match;
  }
}

function targetSegment(campaign: SimCampaign, segment: PlantedPattern['segment']): void {
  const others = campaign.segments.filter((s) => s !== segment);
  campaign.segments = [segment, ...others];
  campaign.segmentWeights = [3, ...others.map((_, i) => (i === 0 ? 1.5 : 0.3))];
}

/** Fisher–Yates shuffle into a new array. */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
