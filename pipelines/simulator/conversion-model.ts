/**
 * The true conversion probability of a touch: the client's baseline × channel/segment/offer/creative effects
 * × campaign quality, or a planted pattern's rate when the touch matches one; both × weekly seasonality × trend.
 */
import type { PlantedPattern, SimCampaign, World } from './world.ts';
import { CHANNEL_EFFECT, CREATIVE_EFFECT, OFFER_EFFECT, SEGMENT_EFFECT, type Creative, type Industry, type Segment } from './world-catalogue.ts';

/** Weekly seasonality: industries whose customers buy more at weekends, and the multipliers (UTC days). */
export const WEEKLY = {
  weekendIndustries: ['retail', 'travel', 'hospitality', 'media'] as Industry[],
  weekend: 1.25,
  weekday: 0.9,
  otherWeekend: 0.75,
  otherWeekday: 1.1,
};
const WEEKEND_INDUSTRIES: ReadonlySet<Industry> = new Set(WEEKLY.weekendIndustries);
const MAX_BASE_RATE = 0.08;

/** The planted pattern a touch matches, if any. */
export function matchedPattern(campaign: SimCampaign, segment: Segment, creative: Creative): PlantedPattern | undefined {
  const p = campaign.pattern;
  if (!p || p.segment !== segment) return undefined;
  if (p.creative && p.creative !== creative) return undefined;
  return p;
}

/** Weekday/weekend multiplier (UTC days), averaging ~1 over a week. */
export function weeklyFactor(industry: Industry, ts: number): number {
  const day = (Math.floor(ts / 86_400_000) + 4) % 7; // 1970-01-01 was a Thursday (4); 0 = Sunday
  const weekend = day === 0 || day === 6;
  if (WEEKEND_INDUSTRIES.has(industry)) return weekend ? WEEKLY.weekend : WEEKLY.weekday;
  return weekend ? WEEKLY.otherWeekend : WEEKLY.otherWeekday;
}

/** Slow trend: from (1 - trend/2) on the first day to (1 + trend/2) on the last. */
export function trendFactor(world: World, ts: number): number {
  const f = (ts - world.start) / (world.end - world.start);
  return 1 + world.trend * (f - 0.5);
}

export function conversionProbability(
  world: World, campaign: SimCampaign, segment: Segment, creative: Creative, ts: number, pattern: PlantedPattern | undefined,
): number {
  const season = weeklyFactor(campaign.client.industry, ts) * trendFactor(world, ts);
  if (pattern) {
    const clientLift = Math.pow(campaign.client.baseRate / 0.02, 0.25);
    return Math.min(0.6, pattern.conversionRate * clientLift * season);
  }
  const base = campaign.client.baseRate * CHANNEL_EFFECT[campaign.channel] * SEGMENT_EFFECT[segment]
    * OFFER_EFFECT[campaign.offer] * CREATIVE_EFFECT[creative] * campaign.quality;
  return Math.min(MAX_BASE_RATE, base) * season;
}
