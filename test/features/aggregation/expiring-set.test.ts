import { describe, expect, it } from 'vitest';
import { ExpiringMap, ExpiringSet } from '../../../features/aggregation/expiring-set.ts';
import { rng } from '../fixtures/generate-events.ts';

const GEN = 1000;

describe('ExpiringSet', () => {
  it('accepts, refuses, evicts and snapshots exactly the keys an ExpiringMap does', () => {
    const rand = rng(7);
    const set = new ExpiringSet(GEN);
    const map = new ExpiringMap<number>(GEN);
    let clock = 0;
    for (let i = 0; i < 20_000; i++) {
      clock += Math.floor(rand() * 20);
      const key = `k${Math.floor(rand() * 3000)}`;
      const until = clock + Math.floor(rand() * 5000);
      expect(set.add(key, until)).toBe(map.add(key, 0, until));
      if (i % 97 === 0) {
        set.evict(clock);
        map.evict(clock);
        expect(set.size).toBe(map.size);
      }
    }
    expect(set.toJSON()).toEqual(map.toJSON());
    for (let k = 0; k < 3000; k++) expect(set.has(`k${k}`)).toBe(map.has(`k${k}`));
  });

  it('restores from its snapshot (the checkpoint shape of an ExpiringMap of 0s)', () => {
    const set = new ExpiringSet(GEN);
    for (let i = 0; i < 50; i++) set.add(`e${i}`, i * 300);
    const restored = ExpiringSet.fromJSON(GEN, JSON.parse(JSON.stringify(set.toJSON())));
    expect(restored.toJSON()).toEqual(set.toJSON());
    expect(restored.add('e3', 0)).toBe(false);
    restored.evict(5000);
    set.evict(5000);
    expect(restored.size).toBe(set.size);
    expect(restored.has('e3')).toBe(false);
    expect(restored.has('e49')).toBe(true);
  });
});

describe('ExpiringMap.get', () => {
  it('never answers with an evicted value (the last hit is forgotten on eviction)', () => {
    const map = new ExpiringMap<string>(GEN);
    map.add('t1', 'a', 1500);
    expect(map.get('t1')).toBe('a');
    expect(map.get('t1')).toBe('a');
    map.evict(2000);
    expect(map.get('t1')).toBeUndefined();
    expect(map.get('missing')).toBeUndefined();
    map.add('missing', 'b', 9000);
    expect(map.get('missing')).toBe('b');
  });
});
