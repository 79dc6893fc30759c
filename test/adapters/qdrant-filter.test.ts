import { describe, expect, it } from 'vitest';
import { toQdrantFilter } from '../../embeddings/vector-index/qdrant/qdrant-filter.ts';
import { pointId } from '../../embeddings/vector-index/qdrant/qdrant-point-id.ts';
import type { ScalarType } from '../../embeddings/vector-index/vector-index.ts';

const FIELDS = new Map<string, ScalarType>([
  ['segment', 'string'],
  ['rate', 'number'],
  ['active', 'bool'],
  ['channels', 'string[]'],
]);

const one = (cond: object) => toQdrantFilter({ conditions: [cond as never] }, FIELDS).filter?.must;

describe('Qdrant filters', () => {
  it('translates eq by type (floats need a range: Qdrant matches only keywords, ints and bools)', () => {
    expect(one({ field: 'segment', op: 'eq', value: 'young' })).toEqual([{ key: 'segment', match: { value: 'young' } }]);
    expect(one({ field: 'active', op: 'eq', value: true })).toEqual([{ key: 'active', match: { value: true } }]);
    expect(one({ field: 'rate', op: 'eq', value: 0.5 })).toEqual([{ key: 'rate', range: { gte: 0.5, lte: 0.5 } }]);
  });

  it('translates ne so that records without the field never match', () => {
    expect(one({ field: 'segment', op: 'ne', value: 'young' })).toEqual([
      { must: [{ key: 'segment', match: { except: ['young'] } }], must_not: [{ is_empty: { key: 'segment' } }] },
    ]);
    expect(one({ field: 'active', op: 'ne', value: true })).toEqual([{ key: 'active', match: { value: false } }]);
    expect(one({ field: 'rate', op: 'ne', value: 1 })).toEqual([{ must_not: [{ key: 'rate', range: { gte: 1, lte: 1 } }, { is_empty: { key: 'rate' } }] }]);
  });

  it('translates in, contains_any, ranges and tenants', () => {
    expect(one({ field: 'segment', op: 'in', values: ['a', 'b'] })).toEqual([{ key: 'segment', match: { any: ['a', 'b'] } }]);
    expect(one({ field: 'rate', op: 'in', values: [1, 2.5] })).toEqual([{ should: [{ key: 'rate', range: { gte: 1, lte: 1 } }, { key: 'rate', range: { gte: 2.5, lte: 2.5 } }] }]);
    expect(one({ field: 'channels', op: 'contains_any', values: ['email'] })).toEqual([{ key: 'channels', match: { any: ['email'] } }]);
    expect(one({ field: 'rate', op: 'range', gte: 0.5, lt: 0.9 })).toEqual([{ key: 'rate', range: { gte: 0.5, lt: 0.9 } }]);
    expect(one({ field: 'rate', op: 'range', gt: 1, gte: 2, lt: 5, lte: 4 })).toEqual([{ key: 'rate', range: { gte: 2, lte: 4 } }]);
    expect(one({ field: 'rate', op: 'range', gt: 0.5, gte: 0.1, lt: 3, lte: 3 })).toEqual([{ key: 'rate', range: { gt: 0.5, lt: 3 } }]);
    expect(one({ field: 'active', op: 'in', values: [true] })).toEqual([{ should: [{ key: 'active', match: { value: true } }] }]);
    expect(toQdrantFilter({ tenants: ['global', 'c1'], conditions: [{ field: 'segment', op: 'eq', value: 'x' }] }, FIELDS).filter).toEqual({
      must: [{ key: 'tenant', match: { any: ['global', 'c1'] } }, { key: 'segment', match: { value: 'x' } }],
    });
    expect(toQdrantFilter(undefined, FIELDS)).toEqual({ empty: false });
  });

  it('passes quotes, backslashes and unicode through untouched (JSON needs no escaping)', () => {
    for (const s of [`it's "quoted"`, 'back\\slash', 'new\nline', 'ünïcødé ✓']) {
      expect(one({ field: 'segment', op: 'eq', value: s })).toEqual([{ key: 'segment', match: { value: s } }]);
    }
  });

  it('empty lists match nothing; long lists pass whole', () => {
    expect(toQdrantFilter({ conditions: [{ field: 'segment', op: 'in', values: [] }] }, FIELDS).empty).toBe(true);
    expect(toQdrantFilter({ conditions: [{ field: 'channels', op: 'contains_any', values: [] }] }, FIELDS).empty).toBe(true);
    expect(toQdrantFilter({ tenants: [] }, FIELDS).empty).toBe(true);
    expect(toQdrantFilter({ conditions: [{ field: 'rate', op: 'in', values: [] }] }, FIELDS)).toEqual({ empty: true });
    expect(toQdrantFilter({ conditions: [{ field: 'rate', op: 'range', gte: 5, lte: 1 }] }, FIELDS)).toEqual({ empty: true });
    expect(toQdrantFilter({ conditions: [{ field: 'rate', op: 'range', gt: 1, lt: 1 }] }, FIELDS)).toEqual({ empty: true });
    const values = Array.from({ length: 5000 }, (_, i) => `v${i}`);
    expect(one({ field: 'segment', op: 'in', values })).toEqual([{ key: 'segment', match: { any: values } }]);
  });

  it('rejects unknown fields and mismatched operators', () => {
    for (const cond of [{ field: 'nope', op: 'eq', value: 'x' }, { field: 'channels', op: 'eq', value: 'x' }, { field: 'segment', op: 'range', lt: 1 }, { field: 'rate', op: 'contains_any', values: ['1'] }]) {
      expect(() => one(cond)).toThrow(expect.objectContaining({ code: 'ALMANAC_ERR_INPUT_INVALID' }));
    }
    for (const cond of [{ field: 'rate', op: 'range' }, { field: 'rate', op: 'range', gt: Number.NaN }, { field: 'rate', op: 'eq', value: '1' }, { field: 'active', op: 'ne', value: 0 }, { field: 'segment', op: 'like', value: 'a%' }]) {
      expect(() => one(cond), JSON.stringify(cond)).toThrow(expect.objectContaining({ code: 'ALMANAC_ERR_INPUT_INVALID', message: expect.stringContaining(`field '${cond.field}'`) }));
    }
    expect(() => toQdrantFilter({ tenants: [], conditions: [{ field: 'rate', op: 'range' }] }, FIELDS)).toThrow(
      expect.objectContaining({ details: { issues: [{ path: 'filter.conditions.0.op', reason: 'range needs at least one of gt, gte, lt, lte' }] } }),
    );
    expect(() => toQdrantFilter({ tenants: [1] as never }, FIELDS)).toThrow(expect.objectContaining({ code: 'ALMANAC_ERR_INPUT_INVALID' }));
  });
});

describe('Qdrant point ids', () => {
  const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('are version-5 UUIDs, stable across calls', () => {
    expect(pointId('pattern-1')).toMatch(UUID_V5);
    expect(pointId('pattern-1')).toBe(pointId('pattern-1'));
  });

  it('keep ids that look like numbers apart', () => {
    const ids = ['1', '01', '1.0', '1e3', '-0', '0', ' 1', '12345678901234567890', 'ünï', ''];
    const uuids = ids.map(pointId);
    expect(new Set(uuids).size).toBe(ids.length);
    expect(pointId(String(1))).toBe(pointId('1'));
  });

  it('do not collide over many ids', () => {
    const n = 20_000;
    expect(new Set(Array.from({ length: n }, (_, i) => pointId(`id-${i}`))).size).toBe(n);
  });
});
