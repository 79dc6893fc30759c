import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/seeded-random.ts';
import { compileFilter } from '../../embeddings/vector-index/embedded/compile-filter.ts';
import { Dictionary, newColumn, writeCell, type Column } from '../../embeddings/vector-index/embedded/metadata-columns.ts';
import type { VectorFilter } from '../../embeddings/vector-index/vector-index.ts';

describe('compileFilter predicates (fast paths for one or two tenants and one listed value, lists checked first)', () => {
  it('pass exactly the labels a plain evaluation of the filter passes', () => {
    const random = seededRandom(5);
    const n = 3000;
    const TENANTS = ['global', 'c1', 'c2', 'c3'];
    const CHANNELS = ['email', 'sms', 'phone', 'push'];
    const rows = Array.from({ length: n }, () => ({
      tenant: TENANTS[Math.floor(random() * 4)] as string,
      channels: random() < 0.1 ? undefined : CHANNELS.filter(() => random() < 0.35),
      industry: random() < 0.1 ? undefined : (['saas', 'retail', 'media'][Math.floor(random() * 3)] as string),
      touches: random() < 0.1 ? undefined : Math.floor(random() * 500),
    }));
    const columns = new Map<string, Column>([
      ['channels', newColumn({ name: 'channels', type: 'string[]' }, n)],
      ['industry', newColumn({ name: 'industry', type: 'string' }, n)],
      ['touches', newColumn({ name: 'touches', type: 'number' }, n)],
    ]);
    const tenants = new Dictionary(TENANTS);
    const tenantOf = new Int32Array(n);
    rows.forEach((r, label) => {
      tenantOf[label] = tenants.lookup(r.tenant);
      writeCell(columns.get('channels') as Column, label, r.channels);
      writeCell(columns.get('industry') as Column, label, r.industry);
      writeCell(columns.get('touches') as Column, label, r.touches);
    });
    const target = { collection: 'c', columns, tenants, tenantOf: () => tenantOf };
    type Row = (typeof rows)[number];
    const cases: { filter: VectorFilter; pass: (r: Row) => boolean }[] = [];
    const tenantSets = [undefined, ['c1'], ['global', 'c1'], ['global', 'c1', 'c3'], ['global', 'nobody']];
    const channelSets = [undefined, ['sms'], ['sms', 'push'], ['unknown', 'phone']];
    for (const ts of tenantSets) for (const cs of channelSets) for (const range of [false, true]) for (const ind of [undefined, 'media', ['saas', 'retail']] as (string | string[] | undefined)[]) {
      const conditions: NonNullable<VectorFilter['conditions']> = [];
      if (range) conditions.push({ field: 'touches', op: 'range', gte: 100, lt: 400 });
      if (cs) conditions.push({ field: 'channels', op: 'contains_any', values: cs });
      if (typeof ind === 'string') conditions.push({ field: 'industry', op: 'eq', value: ind });
      else if (ind) conditions.push({ field: 'industry', op: 'in', values: [...ind] });
      cases.push({
        filter: { ...(ts ? { tenants: ts } : {}), conditions },
        pass: (r) => (!ts || ts.includes(r.tenant)) && (!cs || (r.channels ?? []).some((c) => cs.includes(c)))
          && (!range || (r.touches !== undefined && r.touches >= 100 && r.touches < 400))
          && (ind === undefined || (r.industry !== undefined && (typeof ind === 'string' ? r.industry === ind : ind.includes(r.industry)))),
      });
    }
    expect(cases.length).toBe(120);
    for (const c of cases) {
      const { predicate } = compileFilter(target, c.filter);
      const got = rows.map((_, label) => predicate(label));
      const want = rows.map(c.pass);
      expect(got, JSON.stringify(c.filter)).toEqual(want);
    }
  });
});
