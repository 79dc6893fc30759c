import { describe, expect, it } from 'vitest';
import type { TouchEvent } from '../../core/domain/event.ts';
import { PartitionState } from '../../features/aggregation/partition-state.ts';
import { lookupCampaigns, lookupClients } from '../../features/campaign-directory.ts';
import { featureNames } from '../../features/feature-view.ts';
import { getOnlineFeatures, onlineFeatureKey } from '../../features/online-features.ts';
import { EmbeddedOnlineStore } from '../../features/online-store/embedded/embedded-online-store.ts';
import { featureSource, touchFeatureKeys, touchFeatureRecord, type CampaignInput, type TouchInput } from '../../features/touch-features.ts';
import { FEATURE_VIEWS } from '../../features/views/index.ts';
import { profileRow } from '../../features/jobs/feature-sink.ts';

const TS = Date.UTC(2024, 2, 5, 14, 30); // a Tuesday
const campaign: CampaignInput = { industry: 'retail', objective: 'sales', channel: 'email', budget: 5000, start: Date.UTC(2024, 2, 1), end: Date.UTC(2024, 2, 31), attributes: { creative: 'video', industry: 'shadowed' } };
const touch: TouchInput = { client_id: 'c1', campaign_id: 'k1', ts: TS, audience: { segment: 'families', age: 41, vip: true }, attributes: { offer: 'b', discount: 10 } };

describe('touchFeatureRecord / touchFeatureKeys', () => {
  it('keys every view by the same entity the view aggregates a touch event under', () => {
    const ctx = new PartitionState(0);
    ctx.campaigns.set('k1', { industry: 'retail', channel: 'email', client_id: 'c1' });
    const event: TouchEvent = { type: 'touch', event_id: 'e', touch_id: 't', campaign_id: 'k1', client_id: 'c1', ts: TS, audience: touch.audience, attributes: touch.attributes };
    for (const t of [event, { ...event, channel: 'social' as const }]) {
      const keys = touchFeatureKeys({ ...touch, ...(t.channel ? { channel: t.channel } : {}) }, campaign);
      expect(keys).toEqual(FEATURE_VIEWS.map((v) => ({ view: v.name, entity: v.entityKey(t, ctx) })));
    }
  });

  it('builds touch, campaign, time and aggregate features, null when missing', () => {
    const aggregates = new Map([[onlineFeatureKey('client_activity', 'c1'), { timestamp: TS - 3_600_000, values: { conversion_rate_7d: 0.25, touches_7d: 8 } }]]);
    const r = touchFeatureRecord(touch, campaign, aggregates);
    expect(r).toMatchObject({
      'audience.segment': 'families', 'audience.age': 41, 'audience.vip': 1, 'touch.channel': 'email', 'touch.offer': 'b', 'touch.discount': 10,
      'campaign.industry': 'retail', 'campaign.channel': 'email', 'campaign.objective': 'sales', 'campaign.budget': 5000, 'campaign.creative': 'video',
      'campaign.days_since_start': 4 + 14.5 / 24, 'campaign.duration_days': 30, 'time.hour': 14, 'time.day_of_week': 2, 'time.month': 3,
      'client_activity.conversion_rate_7d': 0.25, 'client_activity.touches_7d': 8, 'client_activity.touches_1d': null, 'segment_performance.ctr_28d': null,
    });
    expect(r['campaign.industry']).toBe('retail'); // attributes never shadow fixed features
    const all = FEATURE_VIEWS.flatMap((v) => featureNames(v).map((f) => `${v.name}.${f}`));
    for (const name of all) expect(name in r).toBe(true);
    expect(featureSource('client_activity.ctr_1d')).toBe('view:client_activity');
    expect(featureSource('campaign.budget')).toBe('campaign');
    expect(featureSource('time.hour')).toBe('touch');
  });

  it('works for a planned touch without campaign', () => {
    const r = touchFeatureRecord({ ...touch, campaign_id: undefined, channel: 'sms' }, undefined, new Map());
    expect(r['campaign.industry']).toBeNull();
    expect(r['touch.channel']).toBe('sms');
    expect(touchFeatureKeys({ ...touch, campaign_id: undefined }, undefined).map((k) => k.view)).toEqual(['client_activity', 'segment_performance']);
  });
});

describe('online features and the campaign directory', () => {
  it('reads keys in one batch keyed as touchFeatureRecord expects, honouring TTL via now', async () => {
    const store = new EmbeddedOnlineStore('/nonexistent-never-flushed');
    await store.write([{ view: 'client_activity', entity: 'c1', timestamp: TS, values: { touches_7d: 3 } }], { client_activity: 1000 });
    const keys = touchFeatureKeys(touch, campaign);
    const got = await getOnlineFeatures(store, [...keys, ...keys], TS + 10);
    expect(got.size).toBe(keys.length);
    expect(got.get('client_activity:c1')?.values.touches_7d).toBe(3);
    expect((await getOnlineFeatures(store, keys, TS + 5000)).get('client_activity:c1')).toBeUndefined();
  });

  it('finds campaigns and clients from their profiles', async () => {
    const store = new EmbeddedOnlineStore('/nonexistent-never-flushed');
    const rows = [
      profileRow({ type: 'campaign', event_id: 'e1', campaign_id: 'k1', client_id: 'c1', ts: 5, ...campaign, objective: 'sales', channel: 'email' }),
      profileRow({ type: 'client', event_id: 'e2', client_id: 'c1', ts: 1, industry: 'retail' }),
    ];
    await store.write(rows.filter((r) => r !== undefined));
    const found = await lookupCampaigns(store, ['k1', 'nope']);
    expect([...found.keys()]).toEqual(['k1']);
    expect(found.get('k1')).toEqual({ client_id: 'c1', ...campaign });
    expect(await lookupClients(store, ['c1', 'c9'])).toEqual(new Set(['c1']));
  });
});
