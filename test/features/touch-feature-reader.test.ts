import { describe, expect, it } from 'vitest';
import { onlineFeatureKey } from '../../features/online-features.ts';
import type { OnlineValue } from '../../features/online-store/online-store.ts';
import { compileTouchFeatureReader, touchFeatureRecord, VIEW_FEATURE_NAMES, type CampaignInput, type TouchInput } from '../../features/touch-features.ts';
import { createEncoder, createRowWriter } from '../../models/inference/encode.ts';
import type { InputSignature, SignatureFeature } from '../../models/registry/model-registry.ts';

const TS = Date.UTC(2024, 2, 5, 14, 30);
const campaign: CampaignInput = {
  industry: 'retail', objective: 'sales', channel: 'email', budget: 5000, start: Date.UTC(2024, 2, 1), end: Date.UTC(2024, 2, 31),
  attributes: { creative: 'video', industry: 'shadowed', budget: 1, duration_days: 'x', flag: false },
};
const touch: TouchInput = {
  client_id: 'c1', campaign_id: 'k1', ts: TS, audience: { segment: 'families', age: 41, vip: true, none: null },
  attributes: { offer: 'b', discount: 10, channel: 'shadowed', gift: true, 'we"ird\\key\n': 'q' },
};
const aggregates = new Map<string, OnlineValue | undefined>([
  [onlineFeatureKey('client_activity', 'c1'), { timestamp: TS, values: { conversion_rate_7d: 0.25, touches_7d: 8, touches_1d: Number.NaN } }],
  [onlineFeatureKey('campaign_performance', 'k1'), { timestamp: TS, values: { ctr_7d: Number.POSITIVE_INFINITY } }],
]);
const NAMES = [
  'audience.segment', 'audience.age', 'audience.vip', 'audience.none', 'audience.unknown', 'touch.channel', 'touch.offer', 'touch.discount',
  'touch.gift', 'touch.nothing', 'campaign.industry', 'campaign.channel', 'campaign.objective', 'campaign.budget', 'campaign.duration_days',
  'campaign.days_since_start', 'campaign.creative', 'campaign.flag', 'campaign.nothing', 'time.hour', 'time.day_of_week', 'time.month', 'time.other',
  'client_activity.not_a_feature', 'nowhere.at_all', 'plain', 'audience.constructor', 'touch.toString',
  'touch.we"ird\\key\n', 'touch.__proto__', 'client_activity.__proto__', ...VIEW_FEATURE_NAMES,
];

describe('compileTouchFeatureReader', () => {
  const read = compileTouchFeatureReader(NAMES);
  const cases: [string, TouchInput, CampaignInput | undefined, Map<string, OnlineValue | undefined>][] = [
    ['full', touch, campaign, aggregates],
    ['no campaign, no aggregates', { ...touch, campaign_id: undefined, channel: 'sms' }, undefined, new Map()],
    ['touch channel over campaign channel', { ...touch, channel: 'social' }, campaign, aggregates],
  ];
  it.each(cases)('gives touchFeatureRecord\'s value for every name (%s)', (_name, t, c, agg) => {
    const record = touchFeatureRecord(t, c, agg);
    expect(read(t, c, agg)).toEqual(NAMES.map((n) => record[n]));
  });

  it('encodes to the same tensor as the records do', () => {
    const features: SignatureFeature[] = NAMES.map((name, i) => (i % 3 === 0
      ? { name, type: 'categorical', vocabulary: ['families', 'email', 'retail', '1', 'b'] }
      : { name, type: 'numeric', mean: 1, std: 2, fill: 0.5, clip: 5, missingIndicator: i % 2 === 0 })) as SignatureFeature[];
    const width = features.reduce((w, f) => w + (f.type === 'numeric' ? (f.missingIndicator ? 2 : 1) : f.vocabulary.length + 1), 0);
    const signature = { features, inputWidth: width } as unknown as InputSignature;
    const write = createRowWriter(signature);
    const rows = cases.map(([, t, c, agg]) => ({ record: touchFeatureRecord(t, c, agg), values: read(t, c, agg) }));
    const x = new Float32Array(rows.length * width);
    rows.forEach((r, i) => write(r.values, x, i * width));
    expect(Array.from(x)).toEqual(Array.from(createEncoder(signature)(rows.map((r) => r.record))));
  });
});
