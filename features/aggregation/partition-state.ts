/**
 * What the engine remembers per event-log partition: the watermark (the event time that at least
 * `support` of its events reach, minus the allowed out-of-orderness; never moving back), the event ids of still-open windows (dedupe), and the dimension state
 * entity keys need (campaign → industry/channel, touch → segment). Partitions are keyed by client,
 * so a client's campaigns, touches and outcomes meet in one partition, in log order: every lookup
 * is deterministic whatever the interleaving of partitions.
 */
import type { EntityContext } from '../feature-view.ts';
import { ExpiringMap, ExpiringSet, type ExpiringMapSnapshot } from './expiring-set.ts';

export interface CampaignDimension {
  industry: string;
  channel: string;
  client_id: string;
}

export interface TouchDimension {
  segment: string;
  campaign_id: string;
  channel?: string;
}

export interface PartitionSnapshot {
  partition: number;
  /** The `support` latest event times, latest first. */
  latest: number[];
  /** The partition's watermark, epoch ms (null before it has `support` events). */
  watermark: number | null;
  seen: ExpiringMapSnapshot<number>;
  campaigns: [string, CampaignDimension][];
  touches: ExpiringMapSnapshot<TouchDimension>;
}

const GENERATION_MS = 3_600_000;
/** Distinct touch dimensions shared before the table starts afresh (it is only a cache). */
const MAX_SHARED_DIMENSIONS = 100_000;

/**
 * One object per distinct (campaign, segment, channel) for the remembered touches: a touch then
 * retains only its id and a pointer, so the young generation copies far less (touches live days).
 */
class TouchDimensions {
  /** campaign → segment → dimension, for touches without a channel of their own. */
  private readonly plain = new Map<string, Map<string, TouchDimension>>();
  /** channel → campaign → segment → dimension, for touches with a channel override. */
  private readonly overridden = new Map<string, Map<string, Map<string, TouchDimension>>>();
  private count = 0;

  of(campaignId: string, segment: string, channel: string | undefined): TouchDimension {
    let byCampaign = this.plain;
    if (channel !== undefined) {
      byCampaign = this.overridden.get(channel) ?? new Map();
      if (byCampaign.size === 0) this.overridden.set(channel, byCampaign);
    }
    let bySegment = byCampaign.get(campaignId);
    if (!bySegment) {
      bySegment = new Map();
      byCampaign.set(campaignId, bySegment);
    }
    let dim = bySegment.get(segment);
    if (!dim) {
      if (this.count >= MAX_SHARED_DIMENSIONS) {
        this.plain.clear();
        this.overridden.clear();
        this.count = 0;
        return this.of(campaignId, segment, channel);
      }
      dim = channel === undefined ? { segment, campaign_id: campaignId } : { segment, campaign_id: campaignId, channel };
      bySegment.set(segment, dim);
      this.count++;
    }
    return dim;
  }
}

export class PartitionState implements EntityContext {
  /**
   * Watermark, epoch ms: the `support`-th latest event time seen − out-of-orderness, monotone
   * (-Infinity until `support` events). One event (or up to support − 1) far ahead of the rest of the
   * partition cannot move it: a stray clock, a replayed test event or a hostile ts within the edge's
   * skew bound would otherwise make every later event of every client in the partition late.
   */
  watermark = -Infinity;
  /** The `support` latest event times, latest first. */
  private latest: number[] = [];
  readonly seen: ExpiringSet;
  readonly campaigns = new Map<string, CampaignDimension>();
  readonly touches: ExpiringMap<TouchDimension>;
  private readonly touchDimensions = new TouchDimensions();

  constructor(readonly partition: number, snapshot?: PartitionSnapshot) {
    this.seen = ExpiringSet.fromJSON(GENERATION_MS, snapshot?.seen ?? []);
    this.touches = ExpiringMap.fromJSON(GENERATION_MS, snapshot?.touches ?? []);
    if (snapshot) {
      this.latest = [...snapshot.latest];
      this.watermark = snapshot.watermark ?? -Infinity;
      for (const [id, dim] of snapshot.campaigns) this.campaigns.set(id, dim);
    }
  }

  /**
   * Takes a new event time into the watermark; returns the watermark.
   * @param support - how many events must reach a time before the watermark follows it (≥ 1)
   * @param outOfOrderness - subtracted from that time (ms)
   */
  observe(ts: number, support: number, outOfOrderness: number): number {
    const latest = this.latest;
    if (latest.length < support || ts > (latest[latest.length - 1] as number)) {
      let i = latest.length;
      while (i > 0 && (latest[i - 1] as number) < ts) i--;
      latest.splice(i, 0, ts);
      if (latest.length > support) latest.length = support;
      if (latest.length === support) {
        const wm = (latest[support - 1] as number) - outOfOrderness;
        if (wm > this.watermark) this.watermark = wm;
      }
    }
    return this.watermark;
  }

  campaign(campaignId: string): CampaignDimension | undefined {
    return this.campaigns.get(campaignId);
  }

  touch(touchId: string): TouchDimension | undefined {
    return this.touches.get(touchId);
  }

  /** Remembers a touch's dimensions until `until` (epoch ms of event time); first one wins. */
  addTouch(touchId: string, campaignId: string, segment: string, channel: string | undefined, until: number): void {
    this.touches.add(touchId, this.touchDimensions.of(campaignId, segment, channel), until);
  }

  /** Forgets ids and touches whose horizon the watermark has passed. */
  evict(watermark: number): void {
    this.seen.evict(watermark);
    this.touches.evict(watermark);
  }

  toJSON(): PartitionSnapshot {
    return {
      partition: this.partition,
      latest: [...this.latest],
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
      seen: this.seen.toJSON(),
      campaigns: [...this.campaigns],
      touches: this.touches.toJSON(),
    };
  }
}
