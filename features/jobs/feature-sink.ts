/**
 * Where the jobs put what they compute: final window rows to the online store (newest wins, view TTL)
 * and the offline store (append, idempotent); the latest campaign and client profiles to the online
 * store (views 'campaign_profile' and 'client_profile') so that serving can resolve them.
 */
import type { AlmanacEvent } from '../../core/domain/event.ts';
import type { FeatureRow } from '../feature-view.ts';
import type { OfflineStore } from '../offline-store/offline-store.ts';
import type { OnlineKey, OnlineStore, OnlineValue } from '../online-store/online-store.ts';
import { CAMPAIGN_PROFILE_VIEW, CLIENT_PROFILE_VIEW, viewTtls } from '../views/index.ts';

type ProfileRow = OnlineKey & OnlineValue;

/** The online-store row of a campaign or client event; undefined for touches and outcomes. */
export function profileRow(e: AlmanacEvent): ProfileRow | undefined {
  if (e.type === 'campaign') {
    return {
      view: CAMPAIGN_PROFILE_VIEW, entity: e.campaign_id, timestamp: e.ts,
      values: { client_id: e.client_id, industry: e.industry, objective: e.objective, channel: e.channel, budget: e.budget, start: e.start, end: e.end, attributes: JSON.stringify(e.attributes ?? {}) },
    };
  }
  if (e.type === 'client') {
    return { view: CLIENT_PROFILE_VIEW, entity: e.client_id, timestamp: e.ts, values: { industry: e.industry, name: e.name ?? '', region: e.region ?? '' } };
  }
  return undefined;
}

/** Buffers rows and profiles between commits; `write` makes them durable in both stores. */
export class FeatureSink {
  private rows: FeatureRow[] = [];
  private readonly profiles = new Map<string, ProfileRow>();
  private readonly ttls = viewTtls();
  written = 0;

  constructor(private readonly online: OnlineStore, private readonly offline: OfflineStore | undefined) {}

  get pending(): number {
    return this.rows.length + this.profiles.size;
  }

  addRows(rows: FeatureRow[]): void {
    for (const r of rows) this.rows.push(r);
  }

  addProfile(e: AlmanacEvent): void {
    const row = profileRow(e);
    if (!row) return;
    const key = `${row.view}\u0000${row.entity}`;
    const prev = this.profiles.get(key);
    if (!prev || prev.timestamp <= row.timestamp) this.profiles.set(key, row);
  }

  /** Online write + flush and offline append; resolves when both are durable. */
  async write(): Promise<void> {
    const rows = this.rows;
    const profiles = [...this.profiles.values()];
    if (rows.length + profiles.length > 0) {
      await this.online.write([...rows, ...profiles], this.ttls);
      await this.online.flush();
    }
    if (this.offline) {
      const byView = new Map<string, FeatureRow[]>();
      for (const r of rows) (byView.get(r.view) ?? byView.set(r.view, []).get(r.view))?.push(r);
      for (const [view, list] of byView) await this.offline.append(view, list);
    }
    this.written += rows.length;
    this.rows = [];
    this.profiles.clear();
  }
}
