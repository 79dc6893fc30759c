import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../core/metrics.ts';
import type { OnlineKey } from '../../features/online-store/online-store.ts';
import { createEncoder } from '../../models/inference/encode.ts';
import type { InputSignature } from '../../models/registry/model-registry.ts';
import { createGuard } from '../../serving/dependency-guard.ts';
import type { FeatureFunctions, TouchInput } from '../../serving/serving-deps.ts';
import { touchRecords, touchRows, type TouchWithCampaign } from '../../serving/touch-records.ts';
import { CAMPAIGNS, fakeFeatures, fakeOnlineStore } from './serving-fakes.ts';

const signature: InputSignature = {
  features: [
    { name: 'channel', type: 'categorical', vocabulary: ['email', 'social'] },
    { name: 'segment', type: 'categorical', vocabulary: ['s0', 's1'] },
    { name: 'client_rate_7d', type: 'numeric', mean: 0.1, std: 0.05, fill: 0.1, missingIndicator: true, clip: 5 },
  ],
  inputWidth: 3 + 3 + 2, outputs: { probability: 'p' }, inputName: 'x',
};

/** The fake features (with their compiled reader: what touchFeatureRecord holds, positionally) and the keys each read asked for. */
function world() {
  const asked: OnlineKey[][] = [];
  const store = fakeOnlineStore({ 'client_activity:c1': { values: { rate: 0.2 }, ts: 0 }, 'client_activity:c2': { values: { rate: 0.7 }, ts: 0 } } as never);
  const features: FeatureFunctions = {
    ...fakeFeatures,
    getOnlineFeatures: (s, keys, now) => { asked.push(keys); return fakeFeatures.getOnlineFeatures(s, keys, now); },
  };
  const metrics = createMetrics(false);
  const deps = { store, features, guard: createGuard('onlineStore', { timeoutMs: 1_000 }, metrics), metrics };
  return { deps, asked };
}

const touch = (client: string, segment: string, channel?: string): TouchWithCampaign => ({
  touch: { client_id: client, ts: 0, audience: { segment }, attributes: {}, ...(channel ? { channel } : {}) } as TouchInput,
  campaign: CAMPAIGNS.cmp1,
});

describe('touchRecords / touchRows', () => {
  it('read each (view, entity) once, in first-seen order, for a few touches and for many', async () => {
    const few = [touch('c1', 's0'), touch('c1', 's1'), touch('c1', 's0'), touch('c2', 's0')];
    const many = Array.from({ length: 40 }, (_, i) => touch(`c${i % 3}`, `s${i % 5}`));
    for (const items of [few, many]) {
      const { deps, asked } = world();
      await touchRows(items, deps, signature);
      const expected: string[] = [];
      for (const i of items) for (const k of fakeFeatures.touchFeatureKeys(i.touch, i.campaign)) if (!expected.includes(`${k.view}:${k.entity}`)) expected.push(`${k.view}:${k.entity}`);
      expect(asked.map((keys) => keys.map((k) => `${k.view}:${k.entity}`))).toEqual([expected]);
    }
  });

  it('encode exactly what encoding touchRecords records gives, with the same missing features', async () => {
    const items = [touch('c1', 's0', 'social'), touch('c2', 's1'), touch('c9', 'zz', 'email')];
    const { deps } = world();
    const rows = await touchRows(items, deps, signature, 0);
    const records = await touchRecords(items, deps, signature, 0);
    expect(Array.from(rows.x)).toEqual(Array.from(createEncoder(signature)(records.records)));
    expect(rows.missing).toEqual(records.missing);
    expect(rows.missing).toEqual(['client_rate_7d']);
    expect(rows.degraded).toEqual([]);
  });

  it('serve around a failing online store: aggregates missing, degraded, fallback counted', async () => {
    const { deps } = world();
    deps.store.read = async () => { throw new Error('down'); };
    const rows = await touchRows([touch('c1', 's0')], deps, signature, 0);
    expect(rows.degraded).toEqual(['online_store']);
    expect(rows.missing).toEqual(['client_rate_7d']);
    const text = await deps.metrics.registry.metrics();
    expect(text).toContain('almanac_fallbacks_total{kind="online_store_missing_features"} 1');
  });
});
