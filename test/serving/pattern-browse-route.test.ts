/**
 * GET /v1/patterns and GET /v1/patterns/:id over the fake world's catalogue (16 cross-client
 * success patterns, social·students backed by 2 clients so below k = 3; c1's private
 * email·families; one anti-pattern): a tenant sees what the search would show it, never another
 * tenant's private pattern or campaigns; an admin sees everything.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { recordPatternHistory } from '../../embeddings/patterns/pattern-history.ts';
import type { GraphStore, PatternCampaign } from '../../embeddings/graph-store/graph-store.ts';
import { buildApp } from '../../serving/app.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps, fakeGraph, patterns, type FakeWorld } from './serving-fakes.ts';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

const CAMPAIGN_ROWS: PatternCampaign[] = [
  { campaignId: 'cmp1', clientId: 'c1', touches: 400, conversions: 60 },
  { campaignId: 'cmp7', clientId: 'c2', touches: 300, conversions: 30 },
];

async function start(graph: Partial<GraphStore> = {}): Promise<FakeWorld & { app: FastifyInstance; asked: (string | undefined)[] }> {
  const asked: (string | undefined)[] = [];
  const w = await fakeDeps({ graph: fakeGraph({ patternCampaigns: async (_id, client) => { asked.push(client); return CAMPAIGN_ROWS; }, ...graph }) });
  app = await buildApp(w.deps, { poll: false });
  return { ...w, app, asked };
}

const get = (w: FakeWorld & { app: FastifyInstance }, url: string, key: string) => w.app.inject({ method: 'GET', url, headers: bearer(key) });
const ids = (body: { patterns: { pattern_id: string }[] }) => body.patterns.map((p) => p.pattern_id);

describe('GET /v1/patterns', () => {
  it('shows a tenant the cross-client patterns that pass k-anonymity and its own private ones; another tenant\'s private one never; admin everything', async () => {
    const w = await start();
    const c1 = (await get(w, '/v1/patterns?limit=500', w.keys.byClient.c1!)).json();
    const c2 = (await get(w, '/v1/patterns?limit=500', w.keys.byClient.c2!)).json();
    const admin = (await get(w, '/v1/patterns?limit=500', w.keys.admin)).json();
    expect(c2.total).toBe(16); // 15 visible cross-client success patterns + the anti-pattern
    expect(ids(c2)).not.toContain('p-email-families-c1');
    expect(ids(c2)).not.toContain('p-social-students');
    expect(c1.total).toBe(17);
    expect(ids(c1)).toContain('p-email-families-c1');
    expect(c1.patterns.find((p: { pattern_id: string }) => p.pattern_id === 'p-email-families-c1').scope).toBe('private');
    expect(admin.total).toBe(patterns().length);
    expect(ids(admin)).toEqual(expect.arrayContaining(['p-social-students', 'p-email-families-c1']));
    // success first, best lower lift bound first; the anti-pattern last
    expect(ids(c2)[0]).toBe('p-email-young_urban');
    expect(c2.patterns.at(-1)).toMatchObject({ pattern_id: 'a-students', kind: 'anti', scope: 'global' });
  });

  it('has the contract\'s fields, rounded as the search rounds them', async () => {
    const w = await start();
    const p = (await get(w, '/v1/patterns?limit=1', w.keys.byClient.c2!)).json().patterns[0];
    const source = patterns().find((x) => x.id === p.pattern_id)!;
    expect(p).toEqual({
      pattern_id: 'p-email-young_urban', kind: 'success', scope: 'global', description: source.description, conditions: { channel: 'email', segment: 'young_urban' },
      sample_size: 5000, conversions: 1000, success_rate: 0.2, confidence_interval: [0.19, 0.21], lift: 4, lift_interval: [3.6, 4.4], raw_lift: 4,
      distinct_clients: 7, campaigns: 12, industries: ['retail', 'finance'],
    });
    const search = (await w.app.inject({ method: 'POST', url: '/v1/patterns/search', headers: bearer(w.keys.byClient.c2!), payload: { plan: { client_id: 'c2', industry: 'retail', objective: 'sales', channel: 'email', budget: 100, start: '2024-03-01', end: '2024-03-08', audience: [{ segment: 'young_urban' }] } } })).json();
    const same = search.patterns.find((x: { pattern_id: string }) => x.pattern_id === 'p-email-young_urban');
    expect([same.success_rate, same.lift, same.lift_interval, same.confidence_interval]).toEqual([p.success_rate, p.lift, p.lift_interval, p.confidence_interval]);
  });

  it('filters by kind, industry, channel and text, and pages with limit and offset', async () => {
    const w = await start();
    const key = w.keys.byClient.c1!;
    expect(ids((await get(w, '/v1/patterns?kind=anti', key)).json())).toEqual(['a-students']);
    const email = (await get(w, '/v1/patterns?kind=success&channel=email', key)).json();
    expect(email.total).toBe(5);
    expect(ids(email).every((id: string) => id.startsWith('p-email'))).toBe(true);
    expect((await get(w, '/v1/patterns?industry=finance&channel=search', key)).json().total).toBe(4);
    expect((await get(w, '/v1/patterns?industry=nowhere', key)).json()).toEqual({ total: 0, patterns: [] });
    expect(ids((await get(w, '/v1/patterns?q=YOUNG_urb', key)).json())).toHaveLength(4);
    const all = ids((await get(w, '/v1/patterns?limit=500', key)).json());
    const page = (await get(w, '/v1/patterns?limit=5&offset=5', key)).json();
    expect(page.total).toBe(17);
    expect(ids(page)).toEqual(all.slice(5, 10));
  });

  it('answers a bad query with 400 naming the field, what is expected and what came', async () => {
    const w = await start();
    const key = w.keys.byClient.c1!;
    const limit = await get(w, '/v1/patterns?limit=abc', key);
    expect(limit.statusCode).toBe(400);
    expect(limit.json().details.issues).toEqual([{ path: 'query.limit', reason: 'expected an integer from 1 to 500, got "abc"' }]);
    expect((await get(w, '/v1/patterns?limit=0', key)).json().details.issues[0].reason).toBe('expected an integer from 1 to 500, got "0"');
    expect((await get(w, '/v1/patterns?kind=great', key)).json().details.issues).toEqual([{ path: 'query.kind', reason: 'expected one of \'success\', \'anti\', got "great"' }]);
    expect((await get(w, '/v1/patterns?sort=lift', key)).json().details.issues).toEqual([{ path: 'query.sort', reason: 'unknown field \'sort\'' }]);
    expect((await w.app.inject({ method: 'GET', url: '/v1/patterns' })).statusCode).toBe(401);
  });
});

describe('GET /v1/patterns/:id', () => {
  it('gives the pattern, its history and only the key\'s tenant\'s campaigns; admin every client\'s', async () => {
    const w = await start();
    const c1 = (await get(w, '/v1/patterns/p-email-young_urban', w.keys.byClient.c1!)).json();
    expect(c1.pattern.pattern_id).toBe('p-email-young_urban');
    expect(c1.campaigns).toEqual([{ campaign_id: 'cmp1', client_id: 'c1', touches: 400, conversions: 60, success_rate: 0.15 }]);
    const c2 = (await get(w, '/v1/patterns/p-email-young_urban', w.keys.byClient.c2!)).json();
    expect(c2.campaigns).toEqual([{ campaign_id: 'cmp7', client_id: 'c2', touches: 300, conversions: 30, success_rate: 0.1 }]);
    const admin = (await get(w, '/v1/patterns/p-email-young_urban', w.keys.admin)).json();
    expect(admin.campaigns.map((c: { campaign_id: string }) => c.campaign_id)).toEqual(['cmp1', 'cmp7']);
    expect(w.asked).toEqual(['c1', 'c2', undefined]); // the store is asked for the tenant's campaigns only
    expect(c1.history).toEqual([{ index_version: 'patterns_v1', built_at: new Date(0).toISOString(), sample_size: 5000, success_rate: 0.2, lift: 4, distinct_clients: 7 }]);
  });

  it('is the same 404 for an unknown id, another tenant\'s private pattern and one below k; admin sees the latter two', async () => {
    const w = await start();
    const unknown = await get(w, '/v1/patterns/p-nothing', w.keys.byClient.c2!);
    const privateOther = await get(w, '/v1/patterns/p-email-families-c1', w.keys.byClient.c2!);
    const belowK = await get(w, '/v1/patterns/p-social-students', w.keys.byClient.c2!);
    for (const r of [unknown, privateOther, belowK]) {
      expect(r.statusCode).toBe(404);
      expect(r.json().code).toBe('ALMANAC_ERR_INPUT_NOT_FOUND');
    }
    expect(privateOther.json().message).toBe(unknown.json().message.replace('p-nothing', 'p-email-families-c1'));
    expect(privateOther.body).not.toContain('email · families');
    expect((await get(w, '/v1/patterns/p-email-families-c1', w.keys.byClient.c1!)).statusCode).toBe(200);
    expect((await get(w, '/v1/patterns/p-email-families-c1', w.keys.admin)).statusCode).toBe(200);
    expect((await get(w, '/v1/patterns/p-social-students', w.keys.admin)).statusCode).toBe(200);
  });

  it('shows the figures of earlier builds, leaving out a build in which the pattern was below k for a tenant', async () => {
    const w = await start();
    const p = patterns().find((x) => x.id === 'p-email-young_urban')!;
    recordPatternHistory(w.config, { collection: 'patterns_v0', createdAt: '2020-01-01T00:00:00.000Z', patterns: [{ ...p, touches: 900, visibility_clients: 2, distinct_clients: 3 }] });
    recordPatternHistory(w.config, { collection: 'patterns_v0b', createdAt: '2021-01-01T00:00:00.000Z', patterns: [{ ...p, touches: 3000, success_rate: 0.1812345678, distinct_clients: 5, visibility_clients: 4 }] });
    const tenant = (await get(w, '/v1/patterns/p-email-young_urban', w.keys.byClient.c2!)).json().history;
    expect(tenant.map((h: { index_version: string }) => h.index_version)).toEqual(['patterns_v0b', 'patterns_v1']);
    expect(tenant[0]).toEqual({ index_version: 'patterns_v0b', built_at: '2021-01-01T00:00:00.000Z', sample_size: 3000, success_rate: 0.181235, lift: 4, distinct_clients: 5 });
    const admin = (await get(w, '/v1/patterns/p-email-young_urban', w.keys.admin)).json().history;
    expect(admin.map((h: { index_version: string }) => h.index_version)).toEqual(['patterns_v0', 'patterns_v0b', 'patterns_v1']);
  });

  it('answers without campaigns (null) when the graph is down', async () => {
    const w = await start({ patternCampaigns: async () => { throw new Error('graph down'); } });
    const r = await get(w, '/v1/patterns/p-email-young_urban', w.keys.byClient.c1!);
    expect(r.statusCode).toBe(200);
    expect(r.json().campaigns).toBeNull();
  });
});
