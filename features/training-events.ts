/**
 * What a training set needs from the raw event log: every touch (with its campaign as of the touch
 * time), the conversion times per touch, and the latest event time (which bounds closed windows).
 */
import { appendFileSync, createReadStream, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { eventIdentity, type CampaignEvent, type TouchEvent } from '../core/domain/event.ts';
import { isAlmanacError } from '../core/errors.ts';
import type { LogAdmission } from './jobs/log-admission.ts';
import { EVENTS_TOPIC, type EventLog } from '../pipelines/event-log/event-log.ts';
import type { CampaignInput, TouchInput } from './touch-features.ts';

export type TouchAsOf = TouchInput & { touch_id: string; campaign_id: string; campaign: CampaignInput | undefined };

export interface TrainingEvents {
  /**
   * The touches, spilled to disk by UTC day of their time (one file per day) as the log is read, so
   * that no more than one day of them is ever held; `touchDays` reads them back a day at a time.
   */
  days: TouchDays;
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

/** Spilled touches are buffered up to this many characters before they are appended to their day files. */
const SPILL_BUFFER_CHARS = 16 * 1024 * 1024;

/**
 * Reads the whole log once, through one `EventLog.replay`, keeping only the events the ownership
 * rule admits (features/jobs/log-admission.ts). A touch counts once per (client_id, touch_id), the
 * first read (a re-sent touch is a duplicate, whatever its event id); a campaign or outcome event
 * once per (client_id, event_id), the first read, as the feature views count them. Holding the
 * identities of every touch event as well would cost a string per touch; a touch re-sent under its
 * event id with another touch id would count twice (no producer here does that). A touch without
 * a touch id cannot be labelled and is left out. Touches go to day files in `spillDir`, which the
 * caller removes.
 */
export async function readTrainingEvents(log: EventLog, admission: LogAdmission, spillDir: string, chunk = 10_000): Promise<TrainingEvents> {
  await log.init();
  // a log with no events topic yet is an empty log; any other failure (a broker down) is the caller's
  const offsets = await log.offsets(EVENTS_TOPIC).catch((e: unknown) => {
    if (isAlmanacError(e) && e.code === 'ALMANAC_ERR_LOG_UNKNOWN_TOPIC') return [];
    throw e;
  });
  const seenTouches = new Set<string>();
  const seenOthers = new Set<string>();
  const campaigns = new Map<string, CampaignEvent[]>();
  const conversions = new Map<string, number[]>();
  const spill = new DaySpill(spillDir);
  let maxTs = -Infinity;
  const to = Object.fromEntries(offsets.map((o) => [o.partition, o.end]));
  const batches = offsets.length === 0 ? [] : log.replay(EVENTS_TOPIC, { to, batchSize: chunk });
  for await (const { records } of batches) {
    for (const r of await admission.read(records.map((x) => x.value))) {
      if (r.kind !== 'event') continue;
      const e = r.event as Parsed & { client_id: string; event_id: string };
      if (typeof e.ts !== 'number') continue;
      if (e.ts > maxTs) maxTs = e.ts;
      if (e.type === 'touch') {
        if (typeof e.touch_id !== 'string') continue;
        const key = conversionKey(e.client_id, e.touch_id);
        if (seenTouches.has(key)) continue;
        seenTouches.add(key);
        spill.add(e.ts, JSON.stringify([e.touch_id, e.client_id, e.campaign_id, e.ts, e.channel ?? null, e.audience, e.attributes ?? {}]));
        continue;
      }
      if (e.type !== 'campaign' && !(e.type === 'outcome' && e.kind === 'conversion')) continue;
      const id = eventIdentity(e);
      if (seenOthers.has(id)) continue;
      seenOthers.add(id);
      if (e.type === 'campaign') {
        (campaigns.get(e.campaign_id as string) ?? campaigns.set(e.campaign_id as string, []).get(e.campaign_id as string))?.push(e as CampaignEvent);
      } else {
        const key = conversionKey(e.client_id, e.touch_id as string);
        (conversions.get(key) ?? conversions.set(key, []).get(key))?.push(e.ts);
      }
    }
  }
  spill.flush();
  for (const list of campaigns.values()) list.sort((a, b) => a.ts - b.ts || (a.event_id < b.event_id ? -1 : 1));
  return { days: new TouchDays(spill.files(), campaigns), conversions, maxTs, offsets: Object.fromEntries(offsets.map((o) => [String(o.partition), o.end])) };
}

const DAY_MS = 86_400_000;

/** Touch lines buffered by UTC day and appended to `<dir>/<day>.jsonl`. */
class DaySpill {
  private readonly buffers = new Map<number, string[]>();
  private readonly counts = new Map<number, number>();
  private chars = 0;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  add(ts: number, line: string): void {
    const day = Math.floor(ts / DAY_MS);
    const buffer = this.buffers.get(day) ?? this.buffers.set(day, []).get(day) as string[];
    buffer.push(line);
    this.counts.set(day, (this.counts.get(day) ?? 0) + 1);
    this.chars += line.length;
    if (this.chars >= SPILL_BUFFER_CHARS) this.flush();
  }

  flush(): void {
    for (const [day, lines] of this.buffers) if (lines.length > 0) appendFileSync(this.file(day), `${lines.join('\n')}\n`);
    this.buffers.clear();
    this.chars = 0;
  }

  /** The day files in day order, with their touch counts. */
  files(): { day: number; file: string; touches: number }[] {
    return [...this.counts].sort((a, b) => a[0] - b[0]).map(([day, touches]) => ({ day, file: this.file(day), touches }));
  }

  private file(day: number): string {
    return path.join(this.dir, `${day}.jsonl`);
  }
}

/** The spilled touches, a day at a time, each with its campaign as of the touch time. */
export class TouchDays {
  /** One CampaignInput per campaign version, shared by every touch that sees it. */
  private readonly inputs = new Map<CampaignEvent, CampaignInput>();

  constructor(
    readonly list: readonly { day: number; file: string; touches: number }[],
    private readonly campaigns: Map<string, CampaignEvent[]>,
  ) {}

  /** Touches spilled (each once). */
  get touches(): number {
    return this.list.reduce((n, d) => n + d.touches, 0);
  }

  /**
   * The touches of one day file, in touch-time order (ties by touch_id), read a line at a time (a
   * day file may be bigger than one string can hold).
   */
  async read(file: string): Promise<TouchAsOf[]> {
    const out: TouchAsOf[] = [];
    for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
      if (line.length === 0) continue;
      const [touch_id, client_id, campaign_id, ts, channel, audience, attributes] = JSON.parse(line) as [string, string, string, number, string | null, TouchEvent['audience'], Record<string, unknown>];
      out.push({
        touch_id, client_id, campaign_id, ts, audience, attributes: attributes as TouchAsOf['attributes'],
        ...(channel !== null ? { channel: channel as NonNullable<TouchAsOf['channel']> } : {}),
        campaign: this.asOf(campaign_id, ts),
      });
    }
    return out.sort((a, b) => a.ts - b.ts || (a.touch_id < b.touch_id ? -1 : 1));
  }

  /** The latest version of the campaign whose event time is ≤ ts. */
  private asOf(campaignId: string, ts: number): CampaignInput | undefined {
    let campaign: CampaignEvent | undefined;
    for (const v of this.campaigns.get(campaignId) ?? []) {
      if (v.ts > ts) break;
      campaign = v;
    }
    if (campaign === undefined) return undefined;
    let input = this.inputs.get(campaign);
    if (input === undefined) {
      input = { industry: campaign.industry, objective: campaign.objective, channel: campaign.channel, budget: campaign.budget, start: campaign.start, end: campaign.end, attributes: campaign.attributes ?? {} };
      this.inputs.set(campaign, input);
    }
    return input;
  }
}
