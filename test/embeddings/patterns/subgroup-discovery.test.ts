import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../core/seeded-random.ts';
import type { FeatureRecord, TrainingExample, TrainingSet } from '../../../features/training-set.ts';
import { detectMiningAttributes, type MiningAttribute } from '../../../embeddings/patterns/configuration.ts';
import { roundShownCount } from '../../../embeddings/patterns/pattern-stats.ts';
import { discoverSubgroups, type DiscoveredPattern } from '../../../embeddings/patterns/subgroup-discovery.ts';
import { syntheticTrainingSet, touchesOf } from './synthetic-patterns.ts';

const ATTRIBUTES: MiningAttribute[] = [
  { key: 'industry', feature: 'campaign.industry' },
  { key: 'channel', feature: 'campaign.channel' },
  { key: 'segment', feature: 'audience.segment' },
  { key: 'offer', feature: 'campaign.offer' },
];
const globalSuccess = (patterns: DiscoveredPattern[]) => patterns.filter((p) => p.scope === 'global' && p.kind === 'success');
const visibleAt = (patterns: DiscoveredPattern[], k: number) => patterns.filter((p) => p.scope === 'global' && p.visibilityClients >= k);
const same = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** Clients × every channel/segment/offer configuration, with a per-client base rate and a rate function. */
function world(options: {
  clients: { id: string; base: number; mix?: (f: FeatureRecord) => number }[];
  lift: (f: FeatureRecord, client: string) => number;
  perCell: number;
  seed?: number;
}): TrainingExample[] {
  const random = seededRandom(options.seed ?? 3);
  const out: TrainingExample[] = [];
  let t = 0;
  for (const c of options.clients) {
    for (const channel of ['email', 'sms', 'social']) for (const segment of ['young', 'old']) for (const offer of ['discount', 'none']) {
      const f: FeatureRecord = { 'campaign.industry': 'retail', 'campaign.channel': channel, 'audience.segment': segment, 'campaign.offer': offer };
      const n = Math.round(options.perCell * (c.mix?.(f) ?? 1));
      const rate = c.base * options.lift(f, c.id);
      for (let i = 0; i < n; i++) {
        out.push({ touch_id: `t${t}`, client_id: c.id, campaign_id: `${c.id}-${channel}-${offer}`, ts: 1_700_000_000_000 + t++ * 1000, label: random() < rate ? 1 : 0, features: { ...f } });
      }
    }
  }
  return out;
}

describe('subgroup discovery: within-client lift, FDR, redundancy, k-anonymity', () => {
  it('is not fooled by confounding: a channel good clients use a lot is no pattern; a real within-client effect is', () => {
    // 4 clients convert at 10%, 4 at 2%; the good ones send 85% of their touches by email, the others 15%.
    // Email has no effect within any client; segment=young doubles conversion in every client.
    const clients = Array.from({ length: 8 }, (_, i) => ({
      id: `c${i}`, base: i < 4 ? 0.1 : 0.02,
      mix: (f: FeatureRecord) => (f['campaign.channel'] === 'email' ? (i < 4 ? 5.7 : 0.35) : i < 4 ? 0.5 : 1.7),
    }));
    const examples = world({ clients, perCell: 150, lift: (f) => (f['audience.segment'] === 'young' ? 2 : 1) });
    const email = examples.filter((e) => e.features['campaign.channel'] === 'email');
    const rate = (xs: TrainingExample[]) => xs.reduce((s, e) => s + e.label, 0) / xs.length;
    expect(rate(email) / rate(examples)).toBeGreaterThan(1.3); // pooled, email looks good
    const { patterns } = discoverSubgroups(examples, ATTRIBUTES);
    const found = globalSuccess(patterns);
    expect(found.some((p) => p.conditions.channel === 'email')).toBe(false);
    // every touch is retail, so the closed description of "young" is retail · young (the same touches)
    const young = found.find((p) => same(p.conditions, { industry: 'retail', segment: 'young' }));
    expect(young).toBeDefined();
    expect(young!.lift).toBeGreaterThan(1.6);
    expect(young!.lift).toBeLessThan(2.5);
    expect(young!.liftLow).toBeGreaterThan(1);
    expect(young!.supportClients).toBe(8);
  });

  it('a pattern run by one client with a huge lift never reaches another client, not even through a generalisation', () => {
    const base = syntheticTrainingSet(1, 40);
    // c6 runs retail·email·young with a private offer at 60% (≈ 20× base), 400 touches, plus ordinary touches
    const ordinary = touchesOf('c6', 'c6-plain', { 'campaign.industry': 'retail', 'campaign.channel': 'sms', 'audience.segment': 'old', 'campaign.offer': 'none' }, 400, 0.03, 5);
    const spike = touchesOf('c6', 'c6-vip', { 'campaign.industry': 'retail', 'campaign.channel': 'social', 'audience.segment': 'young', 'campaign.offer': 'vip' }, 400, 0.6, 6);
    const withC6 = discoverSubgroups([...base.examples, ...ordinary, ...spike], ATTRIBUTES);
    const without = discoverSubgroups([...base.examples, ...ordinary], ATTRIBUTES);
    const shown = (r: typeof withC6) => visibleAt(r.patterns, 1).map((p) => `${p.kind}:${JSON.stringify(Object.entries(p.conditions).sort())}`).sort();
    // nothing a third client can see changes because of c6's spike
    expect(shown(withC6)).toEqual(shown(without));
    expect(withC6.patterns.some((p) => p.scope === 'global' && p.conditions.offer === 'vip')).toBe(false);
    // c6 sees it as its own pattern
    const own = withC6.patterns.filter((p) => p.tenant === 'c6' && p.kind === 'success');
    expect(own.some((p) => p.conditions.offer === 'vip')).toBe(true);
    expect(withC6.patterns.filter((p) => p.scope === 'private').every((p) => p.supportClients === 1 && p.clients === 1)).toBe(true);
  });

  it('k-anonymity against fake clients: only counted (registered) clients make a pattern visible', () => {
    const niche = { 'campaign.industry': 'niche', 'campaign.channel': 'sms', 'audience.segment': 'old', 'campaign.offer': 'none' };
    // two made-up clients each file 300 touches of the hidden 2-client configuration (plus ordinary ones)
    const fake = ['fake-a', 'fake-b'].flatMap((client, i) => [
      ...touchesOf(client, `${client}-1`, niche, 300, 0.2, 11 + i),
      ...touchesOf(client, `${client}-2`, { ...niche, 'campaign.industry': 'retail', 'campaign.offer': 'discount' }, 300, 0.03, 21 + i),
    ]);
    const set = syntheticTrainingSet(1, 40, fake);
    const isNiche = (p: DiscoveredPattern) => p.conditions.industry === 'niche' && p.scope === 'global';
    const open = discoverSubgroups(set.examples, ATTRIBUTES);
    expect(Math.max(0, ...open.patterns.filter(isNiche).map((p) => p.visibilityClients))).toBeGreaterThanOrEqual(2); // the fake clients tip it over k = 2
    const registered = new Set(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
    const guarded = discoverSubgroups(set.examples, ATTRIBUTES, { countedClients: registered });
    expect(Math.max(0, ...guarded.patterns.filter(isNiche).map((p) => p.visibilityClients))).toBeLessThanOrEqual(1);
    // a fake client still gets its own patterns (its data is its own)
    expect(guarded.patterns.some((p) => p.tenant === 'fake-a')).toBe(true);
  });

  it('a client needs support of its own to count: too few touches on either side and it is not a backing client', () => {
    const set = syntheticTrainingSet(1, 40);
    const strict = discoverSubgroups(set.examples, ATTRIBUTES, { minClientTouches: 50 });
    // 40 winner touches per client < 50: no client backs the winner, so it is not a cross-client pattern
    expect(globalSuccess(strict.patterns).some((p) => same(p.conditions, { industry: 'retail', channel: 'email', segment: 'young', offer: 'discount' }))).toBe(false);
    const loose = discoverSubgroups(set.examples, ATTRIBUTES, { minClientTouches: 20 });
    expect(globalSuccess(loose.patterns)[0]?.supportClients).toBe(6);
  });

  it('finds anti-patterns the same way, and a strong pattern does not make its complement look bad', () => {
    // travel·social converts at 0.3× in every client; retail·email·young·discount is the winner
    const base = syntheticTrainingSet(2, 150);
    const examples = base.examples.map((e) => {
      const bad = e.features['campaign.industry'] === 'travel' && e.features['campaign.channel'] === 'social';
      return bad ? { ...e, label: (Number(e.touch_id.slice(1)) % 100 < 1 ? 1 : 0) as 0 | 1 } : e;
    });
    const { patterns } = discoverSubgroups(examples, ATTRIBUTES);
    const anti = patterns.filter((p) => p.scope === 'global' && p.kind === 'anti');
    expect(anti.some((p) => same(p.conditions, { industry: 'travel', channel: 'social' }))).toBe(true);
    expect(anti.every((p) => p.liftHigh < 1)).toBe(true);
    // no anti-pattern merely because it is not the winner (offer=none, segment=old, …)
    expect(anti.some((p) => same(p.conditions, { offer: 'none' }) || same(p.conditions, { segment: 'old' }))).toBe(false);
    expect(globalSuccess(patterns).some((p) => same(p.conditions, { industry: 'retail', channel: 'email', segment: 'young', offer: 'discount' }))).toBe(true);
  });

  it('controls false discoveries: on a world with no effect at all it reports (almost) nothing', () => {
    const clients = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, base: 0.03 + 0.01 * (i % 3) }));
    let falsePatterns = 0;
    let tested = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = discoverSubgroups(world({ clients, perCell: 120, lift: () => 1, seed }), ATTRIBUTES);
      falsePatterns += r.patterns.filter((p) => p.scope === 'global').length;
      tested += r.tested;
    }
    expect(tested).toBeGreaterThan(5 * 50);
    expect(falsePatterns).toBeLessThanOrEqual(1);
  });

  it('reads the attributes the data has: the roles, then categorical audience attributes of bounded cardinality', () => {
    const examples = touchesOf('c0', 'cp', { 'campaign.industry': 'retail', 'campaign.channel': 'email', 'audience.segment': 'young', 'audience.age_band': '25-34', 'audience.user_id': 'u1', 'time.hour': 3 }, 50, 0.1)
      .map((e, i) => ({ ...e, features: { ...e.features, 'audience.age_band': ['18-24', '25-34', '35-44'][i % 3]!, 'audience.user_id': `u${i}` } }));
    const set: TrainingSet = { manifest: { ...syntheticTrainingSet().manifest, columns: [] }, examples };
    expect(detectMiningAttributes(set).map((a) => a.key)).toEqual(['industry', 'channel', 'segment', 'audience.age_band']);
  });

  it('rounds counts shown to other clients to two significant digits (at least to 10)', () => {
    expect([5296, 881, 47, 4, 0, 12_345].map(roundShownCount)).toEqual([5300, 880, 50, 0, 0, 12_000]);
  });

  it('tallies every combination exactly, also when the tally columns grow in the middle of a client', () => {
    // 8 attributes × 6 values: each touch has 162 subsets of ≤ 4 conditions, so the cross-client
    // tally outgrows its first capacity (16,384 combinations) while the early clients are folded in
    const random = seededRandom(11);
    const attributes: MiningAttribute[] = Array.from({ length: 8 }, (_, a) => ({ key: `audience.a${a}`, feature: `audience.a${a}` }));
    const examples: TrainingExample[] = [];
    for (let t = 0; t < 6000; t++) {
      const features: FeatureRecord = {};
      for (const a of attributes) features[a.feature] = `v${Math.floor(random() * 6)}`;
      const client = `c${t % 5}`;
      examples.push({ touch_id: `t${t}`, client_id: client, campaign_id: `${client}-k`, ts: 1_700_000_000_000 + t, label: random() < 0.1 ? 1 : 0, features });
    }
    const d = discoverSubgroups(examples, attributes);
    for (let q = 0; q < 300; q++) {
      const size = 1 + Math.floor(random() * 4);
      const picked = [...attributes].sort(() => random() - 0.5).slice(0, size);
      const conditions = Object.fromEntries(picked.map((a) => [a.key, `v${Math.floor(random() * 6)}`]));
      const matching = examples.filter((e) => picked.every((a) => e.features[a.feature] === conditions[a.key]));
      const tally = d.tally(conditions);
      expect(tally ?? { touches: 0, conversions: 0 }).toEqual({ touches: matching.length, conversions: matching.reduce((s, e) => s + e.label, 0) });
    }
  });
});
