import { describe, expect, it } from 'vitest';
import { PartitionState } from '../../../features/aggregation/partition-state.ts';

describe('PartitionState.addTouch', () => {
  it('remembers the same dimensions as plain objects would, sharing equal ones', () => {
    const ps = new PartitionState(0);
    ps.addTouch('t1', 'k1', 's1', undefined, 10);
    ps.addTouch('t2', 'k1', 's1', undefined, 10);
    ps.addTouch('t3', 'k1', 's1', 'email', 10);
    ps.addTouch('t4', 'k2', 's1', undefined, 10);
    ps.addTouch('t1', 'k9', 's9', undefined, 10); // first one wins
    expect(ps.touch('t1')).toEqual({ segment: 's1', campaign_id: 'k1' });
    expect(ps.touch('t2')).toBe(ps.touch('t1'));
    expect(ps.touch('t3')).toEqual({ segment: 's1', campaign_id: 'k1', channel: 'email' });
    expect(ps.touch('t4')).toEqual({ segment: 's1', campaign_id: 'k2' });
    expect('channel' in (ps.touch('t1') as object)).toBe(false);
    // a segment that looks like segment + separator + channel is still its own dimension
    ps.addTouch('t5', 'k1', 's1\u0000email', undefined, 10);
    expect(ps.touch('t5')).toEqual({ segment: 's1\u0000email', campaign_id: 'k1' });
  });

  it('keeps correct dimensions past the sharing table limit and in its snapshot', () => {
    const ps = new PartitionState(1);
    for (let i = 0; i < 120_000; i++) ps.addTouch(`t${i}`, `k${i}`, `s${i % 7}`, i % 3 === 0 ? 'sms' : undefined, 5_000_000);
    for (const i of [0, 1, 99_999, 100_000, 119_999]) {
      expect(ps.touch(`t${i}`)).toEqual(i % 3 === 0 ? { segment: `s${i % 7}`, campaign_id: `k${i}`, channel: 'sms' } : { segment: `s${i % 7}`, campaign_id: `k${i}` });
    }
    const restored = new PartitionState(1, JSON.parse(JSON.stringify(ps.toJSON())));
    expect(restored.toJSON()).toEqual(ps.toJSON());
  });
});
