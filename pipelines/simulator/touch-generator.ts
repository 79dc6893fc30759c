/** Generates one touch of a campaign and the outcomes (click, conversion) it will cause. */
import type { OutcomeEvent, TouchEvent } from '../../core/domain/event.ts';
import { conversionProbability, matchedPattern } from './conversion-model.ts';
import { clickBeforeConversion, clickDelay, conversionDelay, orderValue } from './outcome-model.ts';
import type { Rng } from './prng.ts';
import type { SimulationStats } from './simulation-stats.ts';
import { pad } from './build-world.ts';
import type { SimCampaign, World } from './world.ts';
import { CLICK_RATE, COST_PER_TOUCH, CREATIVES, DEVICES, ORDER_VALUE, SEGMENT_AGES, type Segment } from './world-catalogue.ts';

export interface GeneratedTouch {
  touch: TouchEvent;
  /** Outcomes inside the simulated period, in time order. */
  outcomes: OutcomeEvent[];
}

const AGE_WEIGHTS = [4, 2, 1, 1];
const UNCOSTED = new Set(['email', 'push']);

/**
 * @param touchId - the touch's id; default `<campaign>-t<n>` from the campaign's touch counter (the
 *   live demo stream passes its own, so that its touches never collide with the simulated history's).
 */
export function generateTouch(world: World, campaign: SimCampaign, ts: number, rng: Rng, stats: SimulationStats, touchId = `${campaign.campaignId}-t${pad(++campaign.touches, 6)}`): GeneratedTouch {
  const segment = rng.weighted(campaign.segments, campaign.segmentWeights) as Segment;
  const creative = rng.chance(0.85) ? campaign.creative : rng.pick(CREATIVES);
  const ages = SEGMENT_AGES[segment];
  const cost = UNCOSTED.has(campaign.channel) ? undefined : Math.round(COST_PER_TOUCH[campaign.channel] * rng.between(0.8, 1.2) * 10_000) / 10_000;
  const touch: TouchEvent = {
    type: 'touch',
    event_id: `ev-${touchId}`,
    touch_id: touchId,
    campaign_id: campaign.campaignId,
    client_id: campaign.client.clientId,
    ts,
    channel: campaign.channel,
    ...(cost === undefined ? {} : { cost }),
    audience: {
      segment,
      age_band: rng.weighted(ages, AGE_WEIGHTS.slice(0, ages.length)),
      device: rng.weighted(DEVICES, segment === 'seniors' ? [0.3, 0.6, 0.1] : [0.62, 0.3, 0.08]),
    },
    attributes: { offer: campaign.offer, creative },
  };
  const pattern = matchedPattern(campaign, segment, creative);
  const p = conversionProbability(world, campaign, segment, creative, ts, pattern);
  const outcomes = drawOutcomes(world, campaign, touch, p, rng, stats, pattern?.id ?? 'base');
  return { touch, outcomes };
}

function drawOutcomes(
  world: World, campaign: SimCampaign, touch: TouchEvent, p: number, rng: Rng, stats: SimulationStats, key: string,
): OutcomeEvent[] {
  const window = world.options.attributionWindowMs;
  const converts = rng.chance(p);
  const convDelay = converts ? conversionDelay(rng, window) : undefined;
  const clicks = converts ? clickBeforeConversion(rng, campaign.channel) : rng.chance(CLICK_RATE[campaign.channel]);
  const outcomes: OutcomeEvent[] = [];
  if (clicks) outcomes.push(outcome(touch, 'click', touch.ts + clickDelay(rng, convDelay)));
  if (convDelay !== undefined) {
    outcomes.push(outcome(touch, 'conversion', touch.ts + convDelay, orderValue(rng, ORDER_VALUE[campaign.client.industry])));
    if (convDelay > window) stats.lateConversions++;
  }
  if (touch.ts + window <= world.end) {
    const count = (stats.observed[key] ??= { touches: 0, conversions: 0 });
    count.touches++;
    if (convDelay !== undefined && convDelay <= window) count.conversions++;
  }
  const observed = outcomes.filter((o) => o.ts < world.end);
  stats.censoredOutcomes += outcomes.length - observed.length;
  return observed;
}

function outcome(touch: TouchEvent, kind: OutcomeEvent['kind'], ts: number, value?: number): OutcomeEvent {
  const o: OutcomeEvent = {
    type: 'outcome',
    event_id: `ev-${touch.touch_id}-${kind === 'click' ? 'click' : 'conv'}`,
    touch_id: touch.touch_id,
    campaign_id: touch.campaign_id,
    client_id: touch.client_id,
    ts,
    kind,
  };
  if (value !== undefined) o.value = value;
  return o;
}
