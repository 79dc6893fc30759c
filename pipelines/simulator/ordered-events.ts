/**
 * The world's events in time order: client events first, each campaign event before its touches,
 * touches hour by hour, and outcomes when they happen (held in a bounded pending heap until then).
 */
import type { AlmanacEvent, CampaignEvent, ClientEvent } from '../../core/domain/event.ts';
import { MinHeap } from './min-heap.ts';
import { createRng } from './prng.ts';
import { DAY_MS, HOUR_MS } from './simulation-options.ts';
import type { SimulationStats } from './simulation-stats.ts';
import { generateTouch } from './touch-generator.ts';
import type { SimCampaign, SimClient, World } from './world.ts';
import { HOUR_WEIGHTS } from './world-catalogue.ts';

/** An event on its way out; `notAfter` is the earliest timestamp of an event that must follow it (its outcomes). */
export interface Envelope {
  event: AlmanacEvent;
  notAfter: number;
}

const HOUR_WEIGHT_SUM = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);

export function* orderedEvents(world: World, stats: SimulationStats): Generator<Envelope> {
  for (const client of world.clients) yield { event: clientEvent(world, client), notAfter: Infinity };
  const rng = createRng(world.options.seed, 'touches');
  const pending = new MinHeap<Envelope>();
  const campaignEvents = campaignEventsInOrder(world.campaigns);
  let nextCampaign = 0;
  const activeSet = activeCampaigns(world.campaigns);
  let active: SimCampaign[] = [];
  for (let sliceStart = world.start; sliceStart < world.end; sliceStart += HOUR_MS) {
    const sliceEnd = sliceStart + HOUR_MS;
    for (; nextCampaign < campaignEvents.length && (campaignEvents[nextCampaign] as CampaignEvent).ts < sliceEnd; nextCampaign++) {
      const event = campaignEvents[nextCampaign] as CampaignEvent;
      pending.push(event.ts, { event, notAfter: Infinity });
    }
    if ((sliceStart - world.start) % DAY_MS === 0) active = activeSet(sliceStart, sliceStart + DAY_MS);
    const hourWeight = (HOUR_WEIGHTS[new Date(sliceStart).getUTCHours()] as number) / HOUR_WEIGHT_SUM;
    for (const campaign of active) {
      const n = rng.poisson(campaign.touchRate * hourWeight);
      for (let i = 0; i < n; i++) {
        const { touch, outcomes } = generateTouch(world, campaign, sliceStart + rng.int(HOUR_MS), rng, stats);
        pending.push(touch.ts, { event: touch, notAfter: outcomes[0]?.ts ?? Infinity });
        for (const o of outcomes) pending.push(o.ts, { event: o, notAfter: Infinity });
      }
    }
    while (pending.peekKey() < sliceEnd) yield pending.pop() as Envelope;
  }
  while (pending.size > 0) yield pending.pop() as Envelope;
}

/**
 * Returns a function giving the campaigns running in [dayStart, dayEnd), in campaign order; days must be asked
 * in increasing order (incremental: O(campaigns) over the whole run, not per day).
 */
function activeCampaigns(campaigns: readonly SimCampaign[]): (dayStart: number, dayEnd: number) => SimCampaign[] {
  const byStart = [...campaigns].sort((a, b) => a.start - b.start || a.index - b.index);
  let next = 0;
  let running: SimCampaign[] = [];
  return (dayStart, dayEnd) => {
    let added = false;
    for (; next < byStart.length && (byStart[next] as SimCampaign).start < dayEnd; next++) {
      running.push(byStart[next] as SimCampaign);
      added = true;
    }
    running = running.filter((c) => c.end >= dayStart);
    if (added) running.sort((a, b) => a.index - b.index);
    return running;
  };
}

function clientEvent(world: World, client: SimClient): ClientEvent {
  return {
    type: 'client',
    event_id: `ev-${client.clientId}`,
    client_id: client.clientId,
    ts: world.start,
    name: client.name,
    industry: client.industry,
    region: client.region,
  };
}

/** Every campaign event (creations and mid-flight updates) in time order; a few per campaign at most. */
function campaignEventsInOrder(campaigns: readonly SimCampaign[]): CampaignEvent[] {
  const events = campaigns.flatMap((c) => (c.update ? [campaignEvent(c), campaignEvent(c, c.update)] : [campaignEvent(c)]));
  return events.sort((a, b) => a.ts - b.ts);
}

function campaignEvent(c: SimCampaign, update?: { at: number; budget: number }): CampaignEvent {
  return {
    type: 'campaign',
    event_id: update ? `ev-${c.campaignId}-u1` : `ev-${c.campaignId}`,
    campaign_id: c.campaignId,
    ts: update ? update.at : c.createdAt,
    client_id: c.client.clientId,
    industry: c.client.industry,
    objective: c.objective,
    channel: c.channel,
    budget: update ? update.budget : c.budget,
    start: c.start,
    end: c.end,
    attributes: { offer: c.offer, creative: c.creative, language: c.language, target_segment: c.segments[0] ?? null },
  };
}
