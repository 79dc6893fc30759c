import { describe, expect, it } from 'vitest';
import { milvusIdsExpr, milvusString, toMilvusExpr } from '../../embeddings/vector-index/milvus/milvus-filter.ts';
import { milvusFields, specFromSchema } from '../../embeddings/vector-index/milvus/milvus-schema.ts';
import type { ScalarType } from '../../embeddings/vector-index/vector-index.ts';

const FIELDS = new Map<string, ScalarType>([
  ['segment', 'string'],
  ['rate', 'number'],
  ['active', 'bool'],
  ['channels', 'string[]'],
]);

describe('Milvus filter expressions', () => {
  it('translates each operator', () => {
    const t = (conditions: Parameters<typeof toMilvusExpr>[0]) => toMilvusExpr(conditions, FIELDS).expr;
    expect(t({ conditions: [{ field: 'segment', op: 'eq', value: 'young' }] })).toBe('segment == "young"');
    expect(t({ conditions: [{ field: 'segment', op: 'ne', value: 'young' }] })).toBe('segment != "young"');
    expect(t({ conditions: [{ field: 'segment', op: 'in', values: ['a', 'b'] }] })).toBe('segment in ["a", "b"]');
    expect(t({ conditions: [{ field: 'rate', op: 'in', values: [1, 2.5] }] })).toBe('rate in [1, 2.5]');
    expect(t({ conditions: [{ field: 'active', op: 'eq', value: false }] })).toBe('active == false');
    expect(t({ conditions: [{ field: 'channels', op: 'contains_any', values: ['email', 'sms'] }] })).toBe('ARRAY_CONTAINS_ANY(channels, ["email", "sms"])');
    expect(t({ tenants: ['global', 'client_a'] })).toBe('tenant in ["global", "client_a"]');
    expect(t(undefined)).toBe('');
    expect(t({})).toBe('');
  });

  it('writes ranges with gt/gte/lt/lte (every bound applies: the tightest wins, the exclusive one at the same value)', () => {
    const t = (r: Record<string, number>) => toMilvusExpr({ conditions: [{ field: 'rate', op: 'range', ...r }] }, FIELDS).expr;
    expect(t({ gt: 0.5 })).toBe('rate > 0.5');
    expect(t({ gte: 0.5, lt: 0.9 })).toBe('(rate >= 0.5) and (rate < 0.9)');
    expect(t({ lte: -1e-7 })).toBe('rate <= -1e-7');
    expect(t({ gt: 1, gte: 2, lt: 5, lte: 4 })).toBe('(rate >= 2) and (rate <= 4)');
    expect(t({ gte: -0 })).toBe('rate >= 0');
    expect(t({ gt: 0.5, gte: 0.1 })).toBe('rate > 0.5');
    expect(t({ lt: 0.5, lte: 0.9 })).toBe('rate < 0.5');
    expect(t({ gt: 2, gte: 2, lt: 3, lte: 3 })).toBe('(rate > 2) and (rate < 3)');
    expect(t({ gte: 2, lte: 2 })).toBe('(rate >= 2) and (rate <= 2)');
  });

  it('a range no number satisfies is empty (Milvus is not asked)', () => {
    const r = (b: Record<string, number>) => toMilvusExpr({ conditions: [{ field: 'rate', op: 'range', ...b }] }, FIELDS);
    expect(r({ gte: 5, lte: 1 })).toEqual({ expr: '', empty: true });
    expect(r({ gt: 1, lte: 1 })).toEqual({ expr: '', empty: true });
    expect(r({ gte: 1, lt: 1 })).toEqual({ expr: '', empty: true });
  });

  it('ANDs tenants and conditions, each parenthesised', () => {
    const { expr } = toMilvusExpr({ tenants: ['c1'], conditions: [{ field: 'segment', op: 'eq', value: 'x' }, { field: 'rate', op: 'range', gt: 0 }] }, FIELDS);
    expect(expr).toBe('(tenant in ["c1"]) and (segment == "x") and (rate > 0)');
  });

  it('escapes quotes, backslashes and line breaks; passes unicode and single quotes as they are', () => {
    expect(milvusString(`it's "quoted"`)).toBe(`"it's \\"quoted\\""`);
    expect(milvusString('back\\slash')).toBe('"back\\\\slash"');
    expect(milvusString('a\\"b')).toBe('"a\\\\\\"b"');
    expect(milvusString('new\nline\r')).toBe('"new\\nline\\r"');
    expect(milvusString('ünïcødé ✓ 中文')).toBe('"ünïcødé ✓ 中文"');
    const injection = `x" or id != "`;
    expect(toMilvusExpr({ conditions: [{ field: 'segment', op: 'eq', value: injection }] }, FIELDS).expr).toBe('segment == "x\\" or id != \\""');
  });

  it('empty in, contains_any or tenant lists match nothing instead of erroring', () => {
    expect(toMilvusExpr({ conditions: [{ field: 'segment', op: 'in', values: [] }] }, FIELDS).empty).toBe(true);
    expect(toMilvusExpr({ conditions: [{ field: 'channels', op: 'contains_any', values: [] }] }, FIELDS).empty).toBe(true);
    expect(toMilvusExpr({ tenants: [] }, FIELDS).empty).toBe(true);
    expect(toMilvusExpr({ tenants: ['a'] }, FIELDS).empty).toBe(false);
    expect(toMilvusExpr({ conditions: [{ field: 'rate', op: 'in', values: [] }] }, FIELDS)).toEqual({ expr: '', empty: true });
    expect(toMilvusExpr({ tenants: ['a'], conditions: [{ field: 'segment', op: 'eq', value: 'x' }, { field: 'segment', op: 'in', values: [] }] }, FIELDS)).toEqual({ expr: '', empty: true });
  });

  it('handles long lists', () => {
    const values = Array.from({ length: 5000 }, (_, i) => `v${i}`);
    const { expr } = toMilvusExpr({ conditions: [{ field: 'segment', op: 'in', values }] }, FIELDS);
    expect(expr.startsWith('segment in ["v0", "v1"')).toBe(true);
    expect(expr.split(', ')).toHaveLength(5000);
  });

  it('keeps ids that look like numbers as quoted strings', () => {
    expect(milvusIdsExpr(['1', '01', '1e3', '-0'])).toBe('id in ["1", "01", "1e3", "-0"]');
  });

  it('rejects unknown fields and operators that do not fit the type', () => {
    const bad = [
      { field: 'nope', op: 'eq', value: 1 },
      { field: 'rate', op: 'eq', value: 'high' },
      { field: 'rate', op: 'eq', value: Number.NaN },
      { field: 'segment', op: 'range', gt: 1 },
      { field: 'rate', op: 'range' },
      { field: 'channels', op: 'eq', value: 'email' },
      { field: 'segment', op: 'contains_any', values: ['a'] },
      { field: 'active', op: 'in', values: ['true'] },
      { field: 'segment', op: 'regex', value: '.*' },
      { field: 'rate', op: 'range', gte: Number.NaN },
      { field: 'rate', op: 'range', lt: Number.NEGATIVE_INFINITY },
      { field: 'segment', op: 'in', values: ['a', 1] },
      { field: 'channels', op: 'contains_any', values: [1] },
      { field: 'tenant', op: 'eq', value: 'global' },
    ];
    for (const cond of bad) {
      expect(() => toMilvusExpr({ conditions: [cond as never] }, FIELDS)).toThrow(expect.objectContaining({ code: 'ALMANAC_ERR_INPUT_INVALID', message: expect.stringContaining(`'${cond.field}'`) }));
    }
  });

  it('rejects a range with no bound, naming the field, even beside an empty list', () => {
    expect(() => toMilvusExpr({ tenants: [], conditions: [{ field: 'segment', op: 'in', values: [] }, { field: 'rate', op: 'range' }] }, FIELDS)).toThrow(
      expect.objectContaining({ code: 'ALMANAC_ERR_INPUT_INVALID', message: expect.stringContaining("field 'rate'"), details: { issues: [{ path: 'filter.conditions.1.op', reason: 'range needs at least one of gt, gte, lt, lte' }] } }),
    );
  });

  it('rejects a malformed filter (conditions not an array, a null condition, non-string tenants)', () => {
    for (const filter of ['rate > 1', null, { conditions: 'rate > 1' }, { conditions: [null] }, { tenants: [1] }, { tenants: 'global' }]) {
      expect(() => toMilvusExpr(filter as never, FIELDS), JSON.stringify(filter)).toThrow(expect.objectContaining({ code: 'ALMANAC_ERR_INPUT_INVALID' }));
    }
  });
});

describe('Milvus schema', () => {
  it('maps a spec to VarChar id, FloatVector, tenant partition key and nullable scalars, and back', () => {
    const fields = milvusFields({ name: 'c', dimension: 8, metric: 'cosine', fields: [...FIELDS].map(([name, type]) => ({ name, type })) });
    expect(fields.find((f) => f.name === 'id')).toMatchObject({ is_primary_key: true, autoID: false });
    expect(fields.find((f) => f.name === 'tenant')).toMatchObject({ is_partition_key: true });
    expect(fields.find((f) => f.name === 'vector')).toMatchObject({ dim: 8 });
    expect(fields.filter((f) => f.nullable).map((f) => f.name)).toEqual(['segment', 'rate', 'active', 'channels']);
    const described = [
      { name: 'id', data_type: 'VarChar' },
      { name: 'vector', data_type: 'FloatVector', type_params: [{ key: 'dim', value: '8' }] },
      { name: 'tenant', data_type: 'VarChar' },
      { name: 'segment', data_type: 'VarChar' },
      { name: 'rate', data_type: 'Double' },
      { name: 'active', data_type: 'Bool' },
      { name: 'channels', data_type: 'Array', element_type: 'VarChar' },
    ];
    expect(specFromSchema(described)).toEqual({ fields: FIELDS, dimension: 8 });
  });
});
