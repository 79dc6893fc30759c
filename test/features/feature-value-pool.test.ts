import { describe, expect, it } from 'vitest';
import { FeatureValuePool } from '../../features/feature-value-pool.ts';
import { recordMaker } from '../../features/feature-record-shape.ts';

describe('FeatureValuePool (records share their numbers)', () => {
  it('gives back equal values and holds each distinct non-zero number once', () => {
    const pool = new FeatureValuePool();
    const values = [0.25, 4518.91, 0.25, 7, 'push', null, 4518.91, 1e-9, -3.5, 7];
    expect(values.map((v) => pool.value(v))).toEqual(values);
    expect(pool.size).toBe(5); // 0.25, 4518.91, 7, 1e-9, -3.5
  });

  it('leaves zero as it is, so that −0 stays −0', () => {
    const pool = new FeatureValuePool();
    expect(Object.is(pool.value(0), 0)).toBe(true);
    expect(Object.is(pool.value(-0), -0)).toBe(true);
    expect(Object.is(pool.value(0), 0)).toBe(true);
    expect(pool.size).toBe(0);
  });

  it('pools a record in place: same object, keys, order and values', () => {
    const pool = new FeatureValuePool();
    const names = ['audience.segment', 'campaign.budget', 'client_activity.ctr_7d', 'time.hour', 'x.missing'];
    const make = recordMaker(names);
    const a = make(['rural', 4518.91, 0.125, 5, null]);
    a['touch.offer'] = 'trial';
    const copy = { ...a };
    expect(pool.record(a)).toBe(a);
    expect(Object.keys(a)).toEqual([...names, 'touch.offer']);
    expect(a).toStrictEqual(copy);
    const b = pool.record(make(['urban', 4518.91, 0.5, 5, -0]));
    expect(b).toStrictEqual(make(['urban', 4518.91, 0.5, 5, -0]));
    expect(Object.is(b['x.missing'], -0)).toBe(true);
    expect(pool.size).toBe(4); // 4518.91, 0.125, 5, 0.5
  });
});
