/**
 * What a training set needs from the raw event log: every touch (with its campaign as of the touch
 * time), the conversion times per touch, and the latest event time (which bounds closed windows).
 */
import type { CampaignEvent, TouchEvent } from '../core/domain/event.ts';
import { EVENTS_TOPIC, type EventLog } from '../pipelines/event-log/event-log.ts';
import type { CampaignInput, TouchInput } from './touch-features.ts';

export type TouchAsOf = TouchInput & { touch_id: string; campaign_id: string; campaign: CampaignInput | undefined };

export interface TrainingEvents {
  /** In touch-time order (ties by touch_id). */
  touches: TouchAsOf[];
  conversions: Map<string, number[]>;
  /** Latest event time in the log, epoch ms (-Infinity when empty). */
  maxTs: number;
  /** End offsets read, by partition. */
  offsets: Record<string, number>;
}

type Parsed = { type?: string; event_id?: string; ts?: number } & Partial<TouchEvent> & Partial<CampaignEvent> & { kind?: string };

/** Reads the whole log once, through one `EventLog.replay` (deduplicated by event_id). */
export async function readTrainingEvents(log: EventLog, chunk = 10_000): Promise<TrainingEvents> {
  await log.init();
  const offsets = await log.offsets(EVENTS_TOPIC).catch(() => []);
  const seen = new Set<string>();
  const touches = new Map<string, TouchEvent>();
  const campaigns = new Map<string, CampaignEvent[]>();
  const conversions = new Map<string, number[]>();
  let maxTs = -Infinity;
  const to = Object.fromEntries(offsets.map((o) => [o.partition, o.end]));
  const batches = offsets.length === 0 ? [] : log.replay(EVENTS_TOPIC, { to, batchSize: chunk });
  for await (const { records } of batches) {
    for (const r of records) {
      let e: Parsed;
      try {
        e = JSON.parse(r.value) as Parsed;
      } catch {
        continue;
      }
      if (typeof e.event_id !== 'string' || typeof e.ts !== 'number' || seen.has(e.event_id)) continue;
      seen.add(e.event_id);
      if (e.ts > maxTs) maxTs = e.ts;
      if (e.type === 'touch' && !touches.has(e.touch_id as string)) touches.set(e.touch_id as string, e as TouchEvent);
      else if (e.type === 'campaign') (campaigns.get(e.campaign_id as string) ?? campaigns.set(e.campaign_id as string, []).get(e.campaign_id as string))?.push(e as CampaignEvent);
      else if (e.type === 'outcome' && e.kind === 'conversion') (conversions.get(e.touch_id as string) ?? conversions.set(e.touch_id as string, []).get(e.touch_id as string))?.push(e.ts);
    }
  }
  for (const list of campaigns.values()) list.sort((a, b) => a.ts - b.ts || (a.event_id < b.event_id ? -1 : 1));
  const list = [...touches.values()].sort((a, b) => a.ts - b.ts || (a.touch_id < b.touch_id ? -1 : 1)).map((t) => asOf(t, campaigns.get(t.campaign_id)));
  return { touches: list, conversions, maxTs, offsets: Object.fromEntries(offsets.map((o) => [String(o.partition), o.end])) };
}

/** The touch with the latest version of its campaign whose event time is ≤ the touch time. */
function asOf(t: TouchEvent, versions: CampaignEvent[] | undefined): TouchAsOf {
  let campaign: CampaignEvent | undefined;
  for (const v of versions ?? []) if (v.ts <= t.ts) campaign = v;
  return {
    touch_id: t.touch_id, client_id: t.client_id, campaign_id: t.campaign_id, ts: t.ts, audience: t.audience, attributes: t.attributes ?? {},
    ...(t.channel !== undefined ? { channel: t.channel } : {}),
    campaign: campaign && { industry: campaign.industry, objective: campaign.objective, channel: campaign.channel, budget: campaign.budget, start: campaign.start, end: campaign.end, attributes: campaign.attributes ?? {} },
  };
}
