/** DIR/ground-truth.json: what was planted, the true rates, and what the run produced. */
import type { ResolvedSimulationOptions } from './simulation-options.ts';
import type { SimulationStats } from './simulation-stats.ts';
import type { World } from './world.ts';
import { LATE_CONVERSION_SHARE } from './outcome-model.ts';
import { WEEKLY } from './conversion-model.ts';

export interface GroundTruthPattern {
  id: string;
  industry: string;
  channel: string;
  segment: string;
  offer: string;
  creative: string | null;
  /** True conversion probability of a matching touch (seasonality and trend average ~1). */
  conversionRate: number;
  /** Clients with at least one campaign carrying the pattern's industry/channel/offer. */
  clients: string[];
  campaigns: string[];
  /** Measured in the generated data: matured matching touches and their conversions within the window. */
  observed: { touches: number; conversions: number; rate: number | null };
}

export interface GroundTruth {
  generator: 'almanac-simulator';
  version: 1;
  options: Omit<ResolvedSimulationOptions, 'start'> & { start: string };
  period: { start: number; end: number };
  /** Mean of the clients' baseline rates (before channel/segment/offer effects). */
  baseRate: number;
  /** Rate observed on touches matching no planted pattern. */
  observedBaseRate: number | null;
  attributionWindowMs: number;
  lateConversionShare: number;
  trend: number;
  weekly: { weekendIndustries: string[]; weekend: number; weekday: number; otherWeekend: number; otherWeekday: number };
  patterns: GroundTruthPattern[];
  clients: { client_id: string; name: string; industry: string; region: string; baseRate: number }[];
  counts: { events: number; byType: SimulationStats['byType']; duplicates: number; outOfOrder: number; lateConversions: number; censoredOutcomes: number };
}

export function groundTruth(world: World, stats: SimulationStats, events: number): GroundTruth {
  const { options } = world;
  return {
    generator: 'almanac-simulator',
    version: 1,
    options: { ...options, start: new Date(options.start).toISOString() },
    period: { start: world.start, end: world.end },
    baseRate: round(world.clients.reduce((s, c) => s + c.baseRate, 0) / world.clients.length),
    observedBaseRate: rateOf(stats.observed.base),
    attributionWindowMs: options.attributionWindowMs,
    lateConversionShare: LATE_CONVERSION_SHARE,
    trend: world.trend,
    weekly: WEEKLY,
    patterns: world.patterns.map((p) => {
      const campaigns = world.campaigns.filter((c) => c.pattern === p);
      const observed = stats.observed[p.id] ?? { touches: 0, conversions: 0 };
      return {
        id: p.id, industry: p.industry, channel: p.channel, segment: p.segment, offer: p.offer, creative: p.creative ?? null,
        conversionRate: p.conversionRate,
        clients: [...new Set(campaigns.map((c) => c.client.clientId))].sort(),
        campaigns: campaigns.map((c) => c.campaignId),
        observed: { ...observed, rate: rateOf(observed) },
      };
    }),
    clients: world.clients.map((c) => ({ client_id: c.clientId, name: c.name, industry: c.industry, region: c.region, baseRate: c.baseRate })),
    counts: {
      events, byType: stats.byType, duplicates: stats.duplicates, outOfOrder: stats.outOfOrder,
      lateConversions: stats.lateConversions, censoredOutcomes: stats.censoredOutcomes,
    },
  };
}

function rateOf(c: { touches: number; conversions: number } | undefined): number | null {
  return c && c.touches > 0 ? round(c.conversions / c.touches) : null;
}

function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}
