import { describe, expect, it } from 'vitest';
import { adapt, adaptedKey } from '../../serving/search/adapted-plan.ts';

const adaptPlan = (b: TouchWithCampaign, m: Record<string, string>) => ({ adapted: adapt(b, m), key: adaptedKey(b, m) });
import type { TouchWithCampaign } from '../../serving/touch-records.ts';

const base: TouchWithCampaign = {
  touch: { client_id: 'c1', ts: Date.UTC(2024, 0, 5), channel: 'email', audience: { segment: 'loyal', age_band: '25-34', visits: 3 }, attributes: { offer: 'discount', bench_id: 'b1' } },
  campaign: { industry: 'saas', objective: 'leads', channel: 'email', budget: 500, start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 31), attributes: { offer: 'discount', language: 'de' } },
};

const moves: Record<string, string>[] = [
  {}, { industry: 'retail' }, { channel: 'email' }, { channel: 'sms' }, { channel: 'sms', industry: 'retail' }, { segment: 'loyal' }, { segment: 'new' },
  { objective: 'leads' }, { objective: 'sales' }, { offer: 'discount' }, { offer: 'bundle' }, { creative: 'video' }, { 'audience.age_band': '25-34' },
  { 'audience.age_band': '18-24' }, { 'audience.visits': '3' }, { 'campaign.language': 'de' }, { 'campaign.language': 'fr' }, { 'touch.bench_id': 'b1' },
  { 'touch.region': 'north' }, { channel: 'sms', segment: 'new' }, { segment: 'new', channel: 'sms' }, { channel: 'sms', offer: 'discount', segment: 'loyal' },
  { 'audience.segment': 'new' }, { 'audience.segment': 'new', channel: 'sms' }, { unknown_key: 'x' }, { 'touch.a': '1:b' }, { 'touch.a:1': 'b' }, { channel: 'social', 'campaign.language': 'de', 'audience.age_band': '18-24' },
];

describe('adapt and adaptedKey', () => {
  it('applies the choices to copies, leaving the base as it was', () => {
    const before = structuredClone(base);
    const moved = adapt(base, { channel: 'sms', segment: 'new', offer: 'bundle', objective: 'sales', 'audience.age_band': '18-24', 'campaign.language': 'fr', 'touch.region': 'north', industry: 'retail' });
    expect(moved.touch).toEqual({ ...base.touch, channel: 'sms', audience: { segment: 'new', age_band: '18-24', visits: 3 }, attributes: { offer: 'bundle', bench_id: 'b1', region: 'north' } });
    expect(moved.campaign).toEqual({ ...base.campaign, channel: 'sms', objective: 'sales', attributes: { offer: 'bundle', language: 'fr' } });
    expect(base).toEqual(before);
    for (const m of moves) adaptedKey(base, m);
    expect(base).toEqual(before);
  });

  it('gives two moves the same key only when they give the same touch and campaign', () => {
    const planned = moves.map((m) => adaptPlan(base, m));
    let shared = 0;
    for (const a of planned) {
      for (const b of planned) {
        if (a === b || a.key !== b.key) continue;
        shared++;
        expect(a.adapted).toStrictEqual(b.adapted);
      }
    }
    expect(shared).toBeGreaterThan(10);
    // different moves never share a key
    expect(adaptedKey(base, { 'touch.a': '1:b' })).not.toBe(adaptedKey(base, { 'touch.a:1': 'b' }));
    // a number in the plan and the same digits as a condition are different inputs
    expect(adaptedKey(base, { 'audience.visits': '3' })).not.toBe('');
  });

  it('shares the key of moves that change the same fields to the same values', () => {
    // a choice the plan already makes, or a condition adapt does not apply, is the plan itself
    const itself: Record<string, string>[] = [{}, { industry: 'retail' }, { channel: 'email' }, { segment: 'loyal' }, { 'campaign.language': 'de', objective: 'leads' }];
    for (const m of itself) expect(adaptedKey(base, m)).toBe('');
    const sms = adaptedKey(base, { channel: 'sms', segment: 'new' });
    expect(adaptedKey(base, { segment: 'new', channel: 'sms' })).toBe(sms);
    expect(adaptedKey(base, { industry: 'retail', segment: 'new', offer: 'discount', channel: 'sms' })).toBe(sms);
    expect(adaptedKey(base, { segment: 'new' })).toBe(adaptedKey(base, { 'audience.segment': 'new' }));
    expect(sms).not.toBe(adaptedKey(base, { channel: 'sms' }));
  });

  it('shares no key for conditions that write one field twice', () => {
    const twice = adaptPlan(base, { offer: 'bundle', 'touch.offer': 'gift' });
    expect(twice.key).toBeUndefined();
    expect(twice.adapted.touch.attributes.offer).toBe('gift');
    expect(adaptedKey(base, { segment: 'new', 'audience.segment': 'loyal' })).toBeUndefined();
  });

  it('keys a plan without a campaign by its touch alone', () => {
    const alone: TouchWithCampaign = { touch: base.touch, campaign: undefined };
    expect(adaptPlan(alone, { objective: 'sales', 'campaign.language': 'fr' }).key).toBe('');
    expect(adaptPlan(alone, { channel: 'sms' }).key).toBe(adaptPlan(alone, { channel: 'sms', objective: 'sales' }).key);
    expect(adaptPlan(alone, { channel: 'sms' }).adapted.campaign).toBeUndefined();
  });
});
