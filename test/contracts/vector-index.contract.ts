/**
 * The VectorIndex contract, run against every adapter (embedded always; Milvus/Qdrant when their
 * URL is set). `make` returns an initialised index; every test uses its own collection names and
 * drops them afterwards, so a shared server is fine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../core/errors.ts';
import type { CollectionSpec, Condition, Scalar, VectorFilter, VectorIndex, VectorRecord } from '../../embeddings/vector-index/vector-index.ts';
import { seededRandom } from '../../core/seeded-random.ts';
export { seededRandom };

const DIM = 8;
const FIELDS: CollectionSpec['fields'] = [
  { name: 'segment', type: 'string' },
  { name: 'rate', type: 'number' },
  { name: 'active', type: 'bool' },
  { name: 'channels', type: 'string[]' },
];

function unit(v: number[]): number[] {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

function axis(i: number, noise = 0, rnd = seededRandom(i + 1)): number[] {
  return unit(Array.from({ length: DIM }, (_, j) => (j === i % DIM ? 1 : 0) + noise * (rnd() - 0.5)));
}

function rec(id: string, vector: number[], metadata: Record<string, Scalar | string[]> = {}, tenant = 'global'): VectorRecord {
  return { id, vector, tenant, metadata };
}

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

export function vectorIndexContract(name: string, make: () => Promise<VectorIndex>): void {
  describe(`VectorIndex contract: ${name}`, () => {
    let index: VectorIndex;
    const created: string[] = [];
    let n = 0;
    const fresh = async (fields = FIELDS): Promise<string> => {
      const c = `ct_${Date.now().toString(36)}_${process.pid}_${n++}`;
      await index.ensureCollection({ name: c, dimension: DIM, metric: 'cosine', fields });
      created.push(c);
      return c;
    };

    beforeAll(async () => {
      index = await make();
    });
    afterAll(async () => {
      for (const c of created) await index.dropCollection(c).catch(() => undefined);
      await index.close();
    });

    it('ensureCollection creates once, lists it, and rejects a different dimension', async () => {
      const c = await fresh();
      await index.ensureCollection({ name: c, dimension: DIM, metric: 'cosine', fields: FIELDS });
      expect(await index.listCollections()).toContain(c);
      expect(await index.count(c)).toBe(0);
      await expectCode(index.ensureCollection({ name: c, dimension: DIM + 1, metric: 'cosine', fields: FIELDS }), 'ALMANAC_ERR_INPUT_INVALID');
      expect(await index.ping()).toBe(true);
    });

    it('upserts, gets, counts and replaces by id', async () => {
      const c = await fresh();
      await index.upsert(c, [rec('a', axis(0), { segment: 'young', rate: 0.1 }), rec('b', axis(1), { segment: 'old', rate: 0.2 })]);
      expect(await index.count(c)).toBe(2);
      await index.upsert(c, [rec('a', axis(2), { segment: 'mid', rate: 0.5 })]);
      expect(await index.count(c)).toBe(2);
      const [a] = await index.get(c, ['a', 'missing']);
      expect(a?.id).toBe('a');
      expect(a?.metadata).toMatchObject({ segment: 'mid', rate: 0.5 });
      const hits = await index.search(c, { vector: axis(2), topK: 1 });
      expect(hits[0]?.id).toBe('a');
      expect(hits[0]?.score).toBeCloseTo(1, 4);
      expect((await index.get(c, ['missing'])).length).toBe(0);
    });

    it('deletes by id and ignores unknown ids', async () => {
      const c = await fresh();
      await index.upsert(c, [rec('a', axis(0)), rec('b', axis(1)), rec('c', axis(2))]);
      await index.delete(c, ['b', 'nope']);
      expect(await index.count(c)).toBe(2);
      expect(await index.get(c, ['b'])).toEqual([]);
      const hits = await index.search(c, { vector: axis(1), topK: 3 });
      expect(hits.map((h) => h.id).sort()).toEqual(['a', 'c']);
    });

    it('orders hits by similarity, best first', async () => {
      const c = await fresh();
      const q = axis(0);
      const records = [0, 0.3, 0.6, 0.9, 1.2].map((t, i) => rec(`r${i}`, unit([Math.cos(t), Math.sin(t), 0, 0, 0, 0, 0, 0])));
      await index.upsert(c, records.reverse());
      const hits = await index.search(c, { vector: q, topK: 5 });
      expect(hits.map((h) => h.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
      expect(hits[1]!.score).toBeCloseTo(Math.cos(0.3), 4);
    });

    it('rejects a wrong dimension, an unknown field and a wrong type with ALMANAC_ERR_INPUT_INVALID', async () => {
      const c = await fresh();
      await expectCode(index.upsert(c, [rec('a', [1, 2, 3])]), 'ALMANAC_ERR_INPUT_INVALID');
      await expectCode(index.upsert(c, [rec('a', axis(0), { nope: 'x' })]), 'ALMANAC_ERR_INPUT_INVALID');
      await expectCode(index.upsert(c, [rec('a', axis(0), { rate: 'high' })]), 'ALMANAC_ERR_INPUT_INVALID');
      await expectCode(index.search(c, { vector: [1, 2], topK: 3 }), 'ALMANAC_ERR_INPUT_INVALID');
      await expectCode(index.search(c, { vector: axis(0), topK: 3, filter: { conditions: [{ field: 'nope', op: 'eq', value: 1 }] } }), 'ALMANAC_ERR_INPUT_INVALID');
      expect(await index.count(c)).toBe(0);
    });

    it('applies eq, ne, in, range, contains_any, bool and tenant filters', async () => {
      const c = await fresh();
      await index.upsert(c, [
        rec('1', axis(0, 0.1), { segment: 'young', rate: 0.1, active: true, channels: ['email'] }),
        rec('2', axis(0, 0.2), { segment: 'old', rate: 0.5, active: false, channels: ['sms', 'push'] }),
        rec('3', axis(0, 0.3), { segment: 'mid', rate: 0.9, active: true, channels: ['email', 'push'] }, 'client_a'),
        rec('4', axis(0, 0.4), { segment: 'young', rate: 0.7, active: true, channels: [] }, 'client_b'),
      ]);
      const ids = async (filter: Parameters<VectorIndex['search']>[1]['filter']) =>
        (await index.search(c, { vector: axis(0), topK: 10, filter })).map((h) => h.id).sort();
      expect(await ids({ conditions: [{ field: 'segment', op: 'eq', value: 'young' }] })).toEqual(['1', '4']);
      expect(await ids({ conditions: [{ field: 'segment', op: 'ne', value: 'young' }] })).toEqual(['2', '3']);
      expect(await ids({ conditions: [{ field: 'segment', op: 'in', values: ['old', 'mid'] }] })).toEqual(['2', '3']);
      expect(await ids({ conditions: [{ field: 'rate', op: 'range', gte: 0.5, lt: 0.9 }] })).toEqual(['2', '4']);
      expect(await ids({ conditions: [{ field: 'rate', op: 'range', gt: 0.5 }] })).toEqual(['3', '4']);
      expect(await ids({ conditions: [{ field: 'channels', op: 'contains_any', values: ['push', 'fax'] }] })).toEqual(['2', '3']);
      expect(await ids({ conditions: [{ field: 'active', op: 'eq', value: false }] })).toEqual(['2']);
      expect(await ids({ tenants: ['global', 'client_a'] })).toEqual(['1', '2', '3']);
      expect(await ids({ tenants: ['client_b'], conditions: [{ field: 'segment', op: 'eq', value: 'young' }] })).toEqual(['4']);
      expect(await ids({ tenants: ['nobody'] })).toEqual([]);
      expect(await ids({ conditions: [{ field: 'segment', op: 'eq', value: 'never-stored' }] })).toEqual([]);
      const [hit] = await index.search(c, { vector: axis(0), topK: 1, filter: { tenants: ['client_a'] } });
      expect(hit?.tenant).toBe('client_a');
      expect(hit?.metadata.channels).toEqual(['email', 'push']);
    });

    it('decides each filter edge the same way: bounds, missing or null fields, empty lists', async () => {
      const c = await fresh();
      const nulls = { segment: null, rate: null, active: null, channels: null } as unknown as Record<string, Scalar | string[]>;
      await index.upsert(c, [
        rec('1', axis(0, 0.1), { segment: 'young', rate: 0.1, active: true, channels: ['email'] }),
        rec('2', axis(0, 0.2), { segment: 'old', rate: 0.5, active: false, channels: [] }),
        rec('3', axis(0, 0.3), { rate: 0.9 }), // no segment, active or channels
        rec('4', axis(0, 0.4), nulls), // every field null: the same as missing
        rec('5', axis(0, 0.5), { segment: 'mid', rate: 0.7, active: true, channels: ['sms', 'email'] }),
      ]);
      // A missing or null field comes back absent (get and search alike); an empty list stays a list.
      const byId = <T extends { id: string }>(rows: T[]): Record<string, T> => Object.fromEntries(rows.map((r) => [r.id, r]));
      const got = byId(await index.get(c, ['2', '3', '4']));
      expect(got['2']?.metadata).toEqual({ segment: 'old', rate: 0.5, active: false, channels: [] });
      expect(got['3']?.metadata).toEqual({ rate: 0.9 });
      expect(got['4']?.metadata).toEqual({});
      const hits = byId(await index.search(c, { vector: axis(0), topK: 10 }));
      expect(Object.keys(hits).sort()).toEqual(['1', '2', '3', '4', '5']);
      expect(hits['2']?.metadata).toEqual({ segment: 'old', rate: 0.5, active: false, channels: [] });
      expect(hits['3']?.metadata).toEqual({ rate: 0.9 });
      expect(hits['4']?.metadata).toEqual({});
      const ids = async (filter: VectorFilter) => (await index.search(c, { vector: axis(0), topK: 10, filter })).map((h) => h.id).sort();
      const range = (bounds: Omit<Extract<Condition, { op: 'range' }>, 'field' | 'op'>) => ids({ conditions: [{ field: 'rate', op: 'range', ...bounds }] });
      // gte/lte include the bound, gt/lt exclude it; missing and null values never pass.
      expect(await range({ gte: 0.5, lte: 0.9 })).toEqual(['2', '3', '5']);
      expect(await range({ gt: 0.5, lt: 0.9 })).toEqual(['5']);
      expect(await range({ gte: 0.5, lt: 0.9 })).toEqual(['2', '5']);
      expect(await range({ gt: 0.5, lte: 0.9 })).toEqual(['3', '5']);
      expect(await range({ gte: 0.5, lte: 0.5 })).toEqual(['2']);
      expect(await range({ gte: -1 })).toEqual(['1', '2', '3', '5']);
      // Every bound applies: the tightest wins, the exclusive one at the same value.
      expect(await range({ gt: 0.5, gte: 0.1 })).toEqual(['3', '5']);
      expect(await range({ lte: 0.9, lt: 0.5 })).toEqual(['1']);
      expect(await range({ gt: 0.5, gte: 0.5 })).toEqual(['3', '5']);
      // A range no number satisfies matches nothing.
      expect(await range({ gte: 0.9, lte: 0.1 })).toEqual([]);
      expect(await range({ gt: 0.5, lt: 0.5 })).toEqual([]);
      // eq / in / ne never match a record without the field; ne = has the field with another value.
      expect(await ids({ conditions: [{ field: 'segment', op: 'ne', value: 'young' }] })).toEqual(['2', '5']);
      expect(await ids({ conditions: [{ field: 'segment', op: 'ne', value: 'never-stored' }] })).toEqual(['1', '2', '5']);
      expect(await ids({ conditions: [{ field: 'active', op: 'ne', value: true }] })).toEqual(['2']);
      expect(await ids({ conditions: [{ field: 'rate', op: 'ne', value: 0.5 }] })).toEqual(['1', '3', '5']);
      expect(await ids({ conditions: [{ field: 'rate', op: 'eq', value: 0.9 }] })).toEqual(['3']);
      expect(await ids({ conditions: [{ field: 'active', op: 'in', values: [true, false] }] })).toEqual(['1', '2', '5']);
      expect(await ids({ conditions: [{ field: 'rate', op: 'in', values: [0.5, 0.9] }] })).toEqual(['2', '3']);
      // contains_any: any of the values; an empty or missing list holds none.
      expect(await ids({ conditions: [{ field: 'channels', op: 'contains_any', values: ['email'] }] })).toEqual(['1', '5']);
      expect(await ids({ conditions: [{ field: 'channels', op: 'contains_any', values: ['sms', 'fax'] }] })).toEqual(['5']);
      // Empty lists match nothing (never "no filter").
      expect(await ids({ conditions: [{ field: 'segment', op: 'in', values: [] }] })).toEqual([]);
      expect(await ids({ conditions: [{ field: 'rate', op: 'in', values: [] }] })).toEqual([]);
      expect(await ids({ conditions: [{ field: 'channels', op: 'contains_any', values: [] }] })).toEqual([]);
      expect(await ids({ tenants: [] })).toEqual([]);
      expect(await ids({ tenants: ['global'], conditions: [] })).toEqual(['1', '2', '3', '4', '5']);
    });

    it('rejects a filter that does not fit the schema with ALMANAC_ERR_INPUT_INVALID naming the field', async () => {
      const c = await fresh();
      await index.upsert(c, [rec('1', axis(0), { segment: 'young', rate: 0.1, active: true, channels: ['email'] })]);
      const bad: [string, unknown][] = [
        ['rate', { field: 'rate', op: 'range' }], // a range with no bound is an error, not "match everything"
        ['rate', { field: 'rate', op: 'range', gte: Number.NaN }],
        ['rate', { field: 'rate', op: 'range', lt: Number.POSITIVE_INFINITY }],
        ['rate', { field: 'rate', op: 'range', gte: '0.1' }],
        ['segment', { field: 'segment', op: 'range', gte: 1 }],
        ['rate', { field: 'rate', op: 'eq', value: '0.1' }],
        ['active', { field: 'active', op: 'eq', value: 1 }],
        ['segment', { field: 'segment', op: 'eq', value: 1 }],
        ['segment', { field: 'segment', op: 'in', values: ['young', 1] }],
        ['segment', { field: 'segment', op: 'in', values: 'young' }],
        ['channels', { field: 'channels', op: 'eq', value: 'email' }],
        ['channels', { field: 'channels', op: 'contains_any', values: [1] }],
        ['segment', { field: 'segment', op: 'contains_any', values: ['young'] }],
        ['segment', { field: 'segment', op: 'like', value: 'y%' }],
        ['tenant', { field: 'tenant', op: 'eq', value: 'global' }],
      ];
      for (const [field, cond] of bad) {
        const search = index.search(c, { vector: axis(0), topK: 3, filter: { conditions: [cond as Condition] } });
        await expect(search, JSON.stringify(cond)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', message: expect.stringContaining(`'${field}'`) });
      }
      // Checked before anything short-circuits: an empty list elsewhere in the filter does not hide the error.
      const hidden = index.search(c, { vector: axis(0), topK: 3, filter: { tenants: [], conditions: [{ field: 'segment', op: 'in', values: [] }, { field: 'rate', op: 'range' } as Condition] } });
      await expect(hidden).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', details: { issues: [{ path: 'filter.conditions.1.op' }] } });
      await expectCode(index.search(c, { vector: axis(0), topK: 3, filter: { tenants: [1] as unknown as string[] } }), 'ALMANAC_ERR_INPUT_INVALID');
    });

    it('applies the filter inside the search: topK is filled when the filter excludes most neighbours', async () => {
      const c = await fresh();
      const rnd = seededRandom(7);
      const records: VectorRecord[] = [];
      for (let i = 0; i < 3000; i++) {
        const rare = i % 100 === 0; // 30 rare records, far from the query
        const base = rare ? axis(5) : axis(0);
        const v = unit(base.map((x) => x + 0.3 * (rnd() - 0.5)));
        records.push(rec(`p${i}`, v, { segment: rare ? 'rare' : 'common', rate: i / 3000 }));
      }
      for (let i = 0; i < records.length; i += 1000) await index.upsert(c, records.slice(i, i + 1000));
      expect(await index.count(c)).toBe(3000);
      const hits = await index.search(c, { vector: axis(0), topK: 10, filter: { conditions: [{ field: 'segment', op: 'eq', value: 'rare' }] } });
      expect(hits).toHaveLength(10);
      expect(hits.every((h) => h.metadata.segment === 'rare')).toBe(true);
      const tenantHits = await index.search(c, { vector: axis(0), topK: 10, filter: { tenants: ['global'], conditions: [{ field: 'rate', op: 'range', lt: 0.01 }] } });
      expect(tenantHits).toHaveLength(10);
      expect(tenantHits.every((h) => (h.metadata.rate as number) < 0.01)).toBe(true);
    });

    it('keeps ids that look like numbers as distinct strings', async () => {
      const c = await fresh();
      const ids = ['1', '01', '1.0', '1e3', '-0', '12345678901234567890'];
      await index.upsert(c, ids.map((id, i) => rec(id, axis(i))));
      expect(await index.count(c)).toBe(ids.length);
      const got = await index.get(c, ['01', '1']);
      expect(got.map((r) => r.id).sort()).toEqual(['01', '1']);
      const [hit] = await index.search(c, { vector: axis(1), topK: 1 });
      expect(hit?.id).toBe('01');
      expect(typeof hit?.id).toBe('string');
    });

    it('stores and filters string values with quotes and backslashes', async () => {
      const c = await fresh();
      const tricky = [`it's "quoted"`, 'back\\slash', `a' OR '1'='1`, 'new\nline'];
      await index.upsert(c, tricky.map((s, i) => rec(`t${i}`, axis(i), { segment: s, channels: [s] })));
      for (const [i, s] of tricky.entries()) {
        const hits = await index.search(c, { vector: axis(0), topK: 10, filter: { conditions: [{ field: 'segment', op: 'eq', value: s }] } });
        expect(hits.map((h) => h.id)).toEqual([`t${i}`]);
        expect(hits[0]?.metadata.segment).toBe(s);
      }
      const any = await index.search(c, { vector: axis(0), topK: 10, filter: { conditions: [{ field: 'channels', op: 'contains_any', values: [tricky[1]!] }] } });
      expect(any.map((h) => h.id)).toEqual(['t1']);
    });

    it('switches an alias atomically; the alias works as a collection name', async () => {
      const c1 = await fresh();
      const c2 = await fresh();
      const alias = `al_${c1}`;
      await index.upsert(c1, [rec('old', axis(0))]);
      await index.upsert(c2, [rec('new', axis(0))]);
      await index.setAlias(alias, c1);
      expect(await index.resolveAlias(alias)).toBe(c1);
      expect((await index.search(alias, { vector: axis(0), topK: 1 }))[0]?.id).toBe('old');
      await index.setAlias(alias, c2);
      expect(await index.resolveAlias(alias)).toBe(c2);
      expect((await index.search(alias, { vector: axis(0), topK: 1 }))[0]?.id).toBe('new');
      expect(await index.count(alias)).toBe(1);
      expect(await index.resolveAlias(`${alias}_none`)).toBeUndefined();
      await expectCode(index.setAlias(alias, `${c1}_missing`), 'ALMANAC_ERR_INPUT_NOT_FOUND');
    });

    it('never points an alias at another alias; dropping a collection removes its aliases', async () => {
      const c = await fresh();
      const alias = `al_${c}`;
      await index.upsert(c, [rec('a', axis(0))]);
      await index.setAlias(alias, c);
      await index.setAlias(alias, c); // pointing it where it already points changes nothing
      expect(await index.resolveAlias(alias)).toBe(c);
      await expectCode(index.setAlias(`${alias}_2`, alias), 'ALMANAC_ERR_INPUT_NOT_FOUND');
      expect(await index.resolveAlias(`${alias}_2`)).toBeUndefined();
      await index.dropCollection(c);
      expect(await index.resolveAlias(alias)).toBeUndefined();
      await expectCode(index.search(alias, { vector: axis(0), topK: 1 }), 'ALMANAC_ERR_INPUT_NOT_FOUND');
    });

    it('drops a collection', async () => {
      const c = await fresh();
      await index.upsert(c, [rec('a', axis(0))]);
      await index.dropCollection(c);
      expect(await index.listCollections()).not.toContain(c);
      await expectCode(index.count(c), 'ALMANAC_ERR_INPUT_NOT_FOUND');
    });
  });
}
