/** The simulated world's entities: clients, their campaigns, and the planted success patterns. */
import type { OBJECTIVES } from '../../core/domain/campaign.ts';
import type { ResolvedSimulationOptions } from './simulation-options.ts';
import type { Channel, Creative, Industry, Offer, Segment } from './world-catalogue.ts';

export interface SimClient {
  index: number;
  clientId: string;
  name: string;
  industry: Industry;
  region: string;
  /** The client's own baseline conversion rate per touch (before channel/segment/offer effects). */
  baseRate: number;
}

/**
 * A combination that converts far better than the rest of the world: a touch of a campaign of a client in
 * `industry`, on `channel`, with `offer` (and `creative` when set), reaching an audience member of `segment`.
 */
export interface PlantedPattern {
  id: string;
  industry: Industry;
  channel: Channel;
  segment: Segment;
  offer: Offer;
  creative?: Creative;
  /** True probability that a matching touch converts (before weekly seasonality and trend, which average ~1). */
  conversionRate: number;
}

export interface SimCampaign {
  index: number;
  campaignId: string;
  client: SimClient;
  objective: (typeof OBJECTIVES)[number];
  channel: Channel;
  offer: Offer;
  creative: Creative;
  language: string;
  budget: number;
  /** When the campaign event is sent (epoch ms), before `start`. */
  createdAt: number;
  start: number;
  /** Inclusive end (epoch ms). */
  end: number;
  /** Audience segments reached and their relative weights (the first is the targeted segment). */
  segments: readonly Segment[];
  segmentWeights: readonly number[];
  /** Mean touches per day. */
  touchRate: number;
  /** Campaign-level multiplicative noise on conversion (execution quality). */
  quality: number;
  /** The planted pattern whose industry/channel/offer this campaign shares, if any (its segment/creative still decide per touch). */
  pattern?: PlantedPattern;
  /** A mid-flight update (a new campaign event, same campaign_id): when, and the raised budget. */
  update?: { at: number; budget: number };
  /** Touches generated so far (the touch id counter). */
  touches: number;
}

export interface World {
  options: ResolvedSimulationOptions;
  /** Simulated period [start, end) in epoch ms. */
  start: number;
  end: number;
  clients: SimClient[];
  campaigns: SimCampaign[];
  patterns: PlantedPattern[];
  /** Relative growth of conversion across the period (0.2 = +20% from first to last day). */
  trend: number;
  /** Prefix of every id in this world, so that worlds of different seeds never collide. */
  idPrefix: string;
}
