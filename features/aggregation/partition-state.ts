/**
 * What the engine remembers per event-log partition: the watermark (max event time seen minus the
 * allowed out-of-orderness), the event ids of still-open windows (dedupe), and the dimension state
 * entity keys need (campaign → industry/channel, touch → segment). Partitions are keyed by client,
 * so a client's campaigns, touches and outcomes meet in one partition, in log order: every lookup
 * is deterministic whatever the interleaving of partitions.
 */
import type { EntityContext } from '../feature-view.ts';
import { ExpiringMap, type ExpiringMapSnapshot } from './expiring-set.ts';

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
  maxTs: number | null;
  seen: ExpiringMapSnapshot<number>;
  campaigns: [string, CampaignDimension][];
  touches: ExpiringMapSnapshot<TouchDimension>;
}

const GENERATION_MS = 3_600_000;

export class PartitionState implements EntityContext {
  /** Max event time seen, epoch ms (-Infinity before the first event). */
  maxTs = -Infinity;
  readonly seen: ExpiringMap<number>;
  readonly campaigns = new Map<string, CampaignDimension>();
  readonly touches: ExpiringMap<TouchDimension>;

  constructor(readonly partition: number, snapshot?: PartitionSnapshot) {
    this.seen = ExpiringMap.fromJSON(GENERATION_MS, snapshot?.seen ?? []);
    this.touches = ExpiringMap.fromJSON(GENERATION_MS, snapshot?.touches ?? []);
    if (snapshot) {
      this.maxTs = snapshot.maxTs ?? -Infinity;
      for (const [id, dim] of snapshot.campaigns) this.campaigns.set(id, dim);
    }
  }

  campaign(campaignId: string): CampaignDimension | undefined {
    return this.campaigns.get(campaignId);
  }

  touch(touchId: string): TouchDimension | undefined {
    return this.touches.get(touchId);
  }

  /** Forgets ids and touches whose horizon the watermark has passed. */
  evict(watermark: number): void {
    this.seen.evict(watermark);
    this.touches.evict(watermark);
  }

  toJSON(): PartitionSnapshot {
    return {
      partition: this.partition,
      maxTs: Number.isFinite(this.maxTs) ? this.maxTs : null,
      seen: this.seen.toJSON(),
      campaigns: [...this.campaigns],
      touches: this.touches.toJSON(),
    };
  }
}
