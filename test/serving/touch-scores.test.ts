import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../core/metrics.ts';
import { createGuard } from '../../serving/dependency-guard.ts';
import type { FeatureFunctions } from '../../serving/serving-deps.ts';
import type { TouchFeatureDeps, TouchWithCampaign } from '../../serving/touch-records.ts';
import { scoreTouches } from '../../serving/touch-scores.ts';
import { CAMPAIGNS, fakeFeatures, fakeModel, fakeOnlineStore, fakeScorer, type ScorerCall } from './serving-fakes.ts';

const model = fakeModel(1, ['champion']);

function deps(features: FeatureFunctions = fakeFeatures): TouchFeatureDeps {
  const metrics = createMetrics(false);
  const store = fakeOnlineStore({ 'client_activity:c1': { timestamp: 1, values: { rate: 0.01 } } });
  return { store, features, guard: createGuard('onlineStore', { timeoutMs: 1_000 }, metrics), metrics };
}

const item = (client: string, segment: string, channel?: string): TouchWithCampaign => ({
  touch: { client_id: client, ts: 0, audience: { segment }, attributes: {}, ...(channel ? { channel } : {}) },
  campaign: CAMPAIGNS.cmp1,
});
const items = [item('c1', 'young_urban'), item('c1', 'families', 'display'), item('c2', 'seniors', 'social')];

describe('scoreTouches', () => {
  it('takes the encoded path when the scorer takes rows and the features have a compiled reader', async () => {
    const calls: ScorerCall[] = [];
    const scores = await scoreTouches(fakeScorer(model, [], { calls }), items, deps(), 0);
    expect(calls).toEqual([{ version: 1, method: 'predictEncoded', rows: 3 }]);
    // email 0.2 + young_urban 0.1 + rate 0.01 + v1; display 0.05 + rate; social 0.05, c2 has no rate
    expect(Array.from(scores.probabilities)).toEqual([expect.closeTo(0.311, 6), expect.closeTo(0.061, 6), expect.closeTo(0.051, 6)]);
    expect(scores.missing).toEqual(['client_rate_7d']);
    expect(scores.degraded).toEqual([]);
  });

  it('gives records to a scorer without predictEncoded, or when the features have no compiled reader — the same answer', async () => {
    const encoded = await scoreTouches(fakeScorer(model), items, deps(), 0);
    const noReader: FeatureFunctions = { ...fakeFeatures };
    delete noReader.compileTouchFeatureReader;
    for (const [scorerEncodes, features] of [[false, fakeFeatures], [true, noReader]] as const) {
      const calls: ScorerCall[] = [];
      const scores = await scoreTouches(fakeScorer(model, [], { calls, encoded: scorerEncodes }), items, deps(features), 0);
      expect(calls).toEqual([{ version: 1, method: 'predict', rows: 3 }]);
      expect(Array.from(scores.probabilities)).toEqual(Array.from(encoded.probabilities).map((p) => expect.closeTo(p, 6)));
      expect(scores.missing).toEqual(encoded.missing);
      expect(scores.degraded).toEqual(encoded.degraded);
    }
  });

  it('serves around a failing online store on the encoded path: degraded, aggregates missing', async () => {
    const d = deps();
    d.store.read = async () => { throw new Error('down'); };
    const calls: ScorerCall[] = [];
    const scores = await scoreTouches(fakeScorer(model, [], { calls }), [item('c1', 'young_urban')], d, 0);
    expect(calls.map((c) => c.method)).toEqual(['predictEncoded']);
    expect(scores.degraded).toEqual(['online_store']);
    expect(scores.missing).toEqual(['client_rate_7d']);
    expect(Array.from(scores.probabilities)).toEqual([expect.closeTo(0.301, 6)]);
  });
});
