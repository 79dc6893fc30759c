/**
 * What a training set needs from the raw event log: every touch (with its campaign as of the touch
 * time), the conversion times per touch, and the latest event time (which bounds closed windows).
 */
import { eventIdentity, type CampaignEvent, type TouchEvent } from '../core/domain/event.ts';
import type { LogAdmission } from './jobs/log-admission.ts';
import { EVENTS_TOPIC, type EventLog } from '../pipelines/event-log/event-log.ts';
import type { CampaignInput, TouchInput } from './touch-features.ts';

export type TouchAsOf = TouchInput & { touch_id: string; campaign_id: string; campaign: CampaignInput | undefined };

export interface TrainingEvents {
  /** In touch-time order (ties by touch_id). */
  touches: TouchAsOf[];
  /** Conversion times by conversionKey(client_id, touch_id): touch ids are scoped by tenant. */
  conversions: Map<string, number[]>;
  /** Latest event time in the log, epoch ms (-Infinity when empty). */
  maxTs: number;
  /** End offsets read, by partition. */
  offsets: Record<string, number>;
}

/** The key of a touch's conversions: (client_id, touch_id), so another client's outcome can never label this touch. */
export function conversionKey(clientId: string, touchId: string): string {
  return `${clientId.length}:${clientId}:${touchId}`;
}

type Parsed = { type?: string; event_id?: string; ts?: number } & Partial<TouchEvent> & Partial<CampaignEvent> & { kind?: string };

/**
 * Reads the whole log once, through one `EventLog.replay` (deduplicated by (client_id, event_id)),
 * keeping only the events the ownership rule admits (features/jobs/log-admission.ts).
 */
export async function readTrainingEvents(log: EventLog, admission: LogAdmission, chunk = 10_000): Promise<TrainingEvents> {
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
    for (const r of await admission.read(records.map((x) => x.value))) {
      if (r.kind !== 'event') continue;
      const e = r.event as Parsed & { client_id: string; event_id: string };
      const id = eventIdentity(e);
      if (typeof e.ts !== 'number' || seen.has(id)) continue;
      seen.add(id);
      if (e.ts > maxTs) maxTs = e.ts;
      const touchKey = e.type === 'client' ? '' : conversionKey(e.client_id, e.touch_id as string);
      if (e.type === 'touch' && !touches.has(touchKey)) touches.set(touchKey, e as TouchEvent);
      else if (e.type === 'campaign') (campaigns.get(e.campaign_id as string) ?? campaigns.set(e.campaign_id as string, []).get(e.campaign_id as string))?.push(e as CampaignEvent);
      else if (e.type === 'outcome' && e.kind === 'conversion') (conversions.get(touchKey) ?? conversions.set(touchKey, []).get(touchKey))?.push(e.ts);
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
