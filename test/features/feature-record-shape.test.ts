import { describe, expect, it } from 'vitest';
import { recordMaker } from '../../features/feature-record-shape.ts';

describe('recordMaker (one shape for every feature record)', () => {
  it('builds plain objects with the names in order and the values given, as r[name] = v would', () => {
    const names = ['b.x', 'a.y', 'it\'s "quoted"\\', 'c.z'];
    const make = recordMaker(names);
    const r = make([1, 'two', null, 0.5]);
    const plain: Record<string, unknown> = {};
    names.forEach((n, i) => { plain[n] = [1, 'two', null, 0.5][i]; });
    expect(Object.keys(r)).toEqual(names);
    expect(r).toStrictEqual(plain);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(JSON.stringify(r)).toBe(JSON.stringify(plain));
    // records stay open: attributes are added after the fixed names
    r['touch.offer'] = 'trial';
    expect(Object.keys(r).at(-1)).toBe('touch.offer');
  });

  it('compiles once per name list, and never lets a name set the prototype', () => {
    expect(recordMaker(['a', 'b'])).toBe(recordMaker(['a', 'b']));
    const r = recordMaker(['__proto__', 'a'])([{ polluted: 1 } as never, 2]);
    expect(Object.keys(r)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect((r as Record<string, unknown>).polluted).toBeUndefined();
  });
});
