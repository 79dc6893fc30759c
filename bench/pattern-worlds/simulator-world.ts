/**
 * A pattern world from the project's own simulator (`almanac simulate`): its event stream read the way the
 * training-set builder reads a log (deduplicated by event_id, each touch with its campaign as of the touch
 * time, label = a conversion within the attribution window, only touches whose window has closed), and its
 * ground-truth planted patterns with the clients that actually run them.
 */
import { CHANNELS, OBJECTIVES } from '../../core/domain/campaign.ts';
import type { CampaignEvent, TouchEvent } from '../../core/domain/event.ts';
import type { FeatureRecord, TrainingExample } from '../../features/training-set.ts';
import { groundTruth } from '../../pipelines/simulator/ground-truth.ts';
import { startSimulation } from '../../pipelines/simulator/simulation-run.ts';
import { AGE_BANDS, CREATIVES, DEVICES, OFFERS, SEGMENTS } from '../../pipelines/simulator/world-catalogue.ts';
import {
  byTouchTime, columnsOf, conversionRate7d, matchesConditions, type ConversionTrace, type PatternWorld, type PlantedPattern,
} from './pattern-world.ts';

export interface SimulatorWorldOptions {
  /** Default 60. */
  clients?: number;
  /** Labelled touches aimed at (the simulator's scale is set by touches per day, so the count is approximate). Default 200 000. */
  touches?: number;
}

const CAMPAIGNS_PER_CLIENT = 4;
const DAYS = 60;
/** Mean campaign duration in the simulator (7 + uniform 0..38 days) times the share of touches whose window closes. */
const TOUCH_DAYS_PER_CAMPAIGN = 26 * ((DAYS - 7) / DAYS);

const CATEGORICAL = [
  'campaign.industry', 'campaign.channel', 'touch.channel', 'campaign.objective', 'campaign.offer', 'campaign.creative',
  'campaign.language', 'campaign.target_segment', 'touch.offer', 'touch.creative', 'audience.segment', 'audience.age_band', 'audience.device',
] as const;
const NUMERIC = ['campaign.budget', 'campaign_performance.conversion_rate_7d', 'time.day_of_week'] as const;

/**
 * Runs the simulator with `seed` and turns its events into labelled touches.
 * @throws AlmanacError ALMANAC_ERR_INPUT_INVALID when the options give an invalid simulation (e.g. 0 clients).
 */
export function simulatorWorld(seed: number, options: SimulatorWorldOptions = {}): PatternWorld {
  const clients = options.clients ?? 60;
  const touches = options.touches ?? 200_000;
  const campaigns = clients * CAMPAIGNS_PER_CLIENT;
  const touchesPerDay = Math.max(1, Math.round(touches / (campaigns * TOUCH_DAYS_PER_CAMPAIGN)));
  // 4 clients per industry, as in the demo world: a planted pattern can then be visible at k = 3 with one backer left out
  const run = startSimulation({ seed, clients, campaigns, days: DAYS, touchesPerDay, clientsPerIndustry: 4 });
  const { world } = run;
  const window = world.options.attributionWindowMs;

  const seen = new Set<string>();
  const touchEvents: TouchEvent[] = [];
  const versions = new Map<string, CampaignEvent[]>();
  const conversions = new Map<string, number[]>();
  let count = 0;
  let maxTs = -Infinity;
  for (const event of run.events) {
    count++;
    if (seen.has(event.event_id)) continue;
    seen.add(event.event_id);
    maxTs = Math.max(maxTs, event.ts);
    if (event.type === 'touch') touchEvents.push(event);
    else if (event.type === 'campaign') (versions.get(event.campaign_id) ?? versions.set(event.campaign_id, []).get(event.campaign_id))?.push(event);
    else if (event.type === 'outcome' && event.kind === 'conversion') {
      (conversions.get(event.touch_id) ?? conversions.set(event.touch_id, []).get(event.touch_id))?.push(event.ts);
    }
  }
  for (const list of versions.values()) list.sort((a, b) => a.ts - b.ts);
  const campaignIndex = new Map(world.campaigns.map((c, i) => [c.campaignId, i]));

  const matured = touchEvents.filter((t) => t.ts + window <= maxTs).sort((a, b) => a.ts - b.ts || (a.touch_id < b.touch_id ? -1 : 1));
  const traces: ConversionTrace[] = matured.map((t) => {
    const times = conversions.get(t.touch_id);
    return { campaign: campaignIndex.get(t.campaign_id) ?? 0, ts: t.ts, conversionTs: times ? Math.min(...times) : null };
  });
  const rate7d = conversionRate7d(traces, world.start, world.campaigns.length);
  const examples = matured.map((t, i): TrainingExample => {
    const campaign = asOf(versions.get(t.campaign_id), t.ts);
    return {
      touch_id: t.touch_id, client_id: t.client_id, campaign_id: t.campaign_id, ts: t.ts,
      label: (conversions.get(t.touch_id) ?? []).some((c) => c >= t.ts && c <= t.ts + window) ? 1 : 0,
      features: featuresOf(t, campaign, rate7d[i] ?? null),
    };
  });
  examples.sort(byTouchTime);

  const truth = groundTruth(world, run.stats, count);
  const planted = truth.patterns.map((p): PlantedPattern => {
    const conditions: Record<string, string> = { industry: p.industry, channel: p.channel, offer: p.offer, segment: p.segment };
    if (p.creative) conditions.creative = p.creative;
    const runners = new Set<string>();
    for (const e of examples) if (matchesConditions(e, conditions)) runners.add(e.client_id);
    return { id: p.id, conditions, clients: [...runners].sort(), lift: Math.round((p.conversionRate / truth.baseRate) * 100) / 100 };
  });

  return {
    generator: 'simulator',
    seed,
    examples,
    columns: columnsOf(CATEGORICAL, NUMERIC),
    clients: world.clients.map((c) => ({ id: c.clientId, industry: c.industry })),
    planted,
    singleClient: [],
    anti: [],
    domain: {
      industry: [...new Set(world.clients.map((c) => c.industry))].sort(),
      channel: [...CHANNELS], objective: [...OBJECTIVES], offer: [...OFFERS], creative: [...CREATIVES], segment: [...SEGMENTS],
      'audience.age_band': [...AGE_BANDS], 'audience.device': [...DEVICES],
    },
  };
}

/** The latest campaign version whose event time is ≤ ts (the builder's as-of join). */
function asOf(list: CampaignEvent[] | undefined, ts: number): CampaignEvent | undefined {
  let found: CampaignEvent | undefined;
  for (const v of list ?? []) if (v.ts <= ts) found = v;
  return found;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function featuresOf(t: TouchEvent, c: CampaignEvent | undefined, rate7d: number | null): FeatureRecord {
  const a = c?.attributes ?? {};
  return {
    'campaign.industry': c?.industry ?? null,
    'campaign.channel': c?.channel ?? null,
    'touch.channel': t.channel ?? c?.channel ?? null,
    'campaign.objective': c?.objective ?? null,
    'campaign.offer': str(a.offer),
    'campaign.creative': str(a.creative),
    'campaign.language': str(a.language),
    'campaign.target_segment': str(a.target_segment),
    'touch.offer': str(t.attributes.offer),
    'touch.creative': str(t.attributes.creative),
    'audience.segment': t.audience.segment,
    'audience.age_band': str(t.audience.age_band),
    'audience.device': str(t.audience.device),
    'campaign.budget': c?.budget ?? null,
    'campaign_performance.conversion_rate_7d': rate7d,
    'time.day_of_week': new Date(t.ts).getUTCDay(),
  };
}
