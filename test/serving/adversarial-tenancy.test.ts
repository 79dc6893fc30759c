/**
 * The attacks of issue 11, through `app.inject`, each as a test that now fails to do harm: a caller
 * who knows only the API, with no key, a broken key, or another tenant's key.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { AlmanacError } from '../../core/errors.ts';
import { newApiKey, parseApiKey } from '../../core/tenants/api-key.ts';
import { buildApp } from '../../serving/app.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps, patterns, PLAN, type FakeWorld } from './serving-fakes.ts';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

async function start(overrides: Parameters<typeof fakeDeps>[0] = {}, options: Parameters<typeof buildApp>[1] = {}): Promise<FakeWorld & { app: FastifyInstance }> {
  const world = await fakeDeps(overrides);
  app = await buildApp(world.deps, { poll: false, ...options });
  return { ...world, app };
}

const TOUCH = { campaign_id: 'cmp1', audience: { segment: 'young_urban' } };
const { client_id: _c, ...PLAN_NO_CLIENT } = PLAN;
const post = (a: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}) => a.inject({ method: 'POST', url, payload: payload as object, headers });
const get = (a: FastifyInstance, url: string, headers: Record<string, string> = {}) => a.inject({ method: 'GET', url, headers });

describe('no key', () => {
  it('every route but /health/live, /health/ready (status only) and /openapi.json is 401 with WWW-Authenticate', async () => {
    const { app: a } = await start();
    for (const [method, url] of [['POST', '/v1/predict'], ['POST', '/v1/patterns/search'], ['POST', '/v1/events'], ['GET', '/v1/models'], ['GET', '/metrics']] as const) {
      const r = await a.inject({ method, url, ...(method === 'POST' ? { payload: { plan: PLAN } } : {}) });
      expect(r.statusCode, url).toBe(401);
      expect(r.json().code).toBe('ALMANAC_ERR_AUTH_MISSING');
      expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expect((await get(a, '/health/live')).statusCode).toBe(200);
    const ready = await get(a, '/health/ready');
    expect(ready.json()).toEqual({ status: 'ready' }); // no dependency details, no event counts
    expect((await get(a, '/openapi.json')).statusCode).toBe(200);
  });
});

describe('broken keys', () => {
  it('malformed, truncated, forged, unknown, wrong-secret, revoked and expired keys all get one 401 message', async () => {
    const { app: a, keys, deps } = await start();
    const good = keys.byClient.c1!;
    const [, id, secret] = /^alm_([0-9a-f]{12})_(.+)$/.exec(good)!;
    const expired = newApiKey({ client_id: 'c1', scopes: ['predict'], expires_at: Date.now() - 1 });
    await deps.tenants.putKey({ ...expired.record, expires_at: Date.now() - 1 });
    const revoked = newApiKey({ client_id: 'c1', scopes: ['predict'] });
    await deps.tenants.putKey(revoked.record);
    await deps.tenants.revokeKey(revoked.record.id);
    const flipped = secret!.slice(0, -1) + (secret!.endsWith('A') ? 'B' : 'A');
    const tries = [
      { authorization: 'Bearer' }, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: `bearer ${good}` }, { authorization: `Bearer ${good} x` },
      bearer(good.slice(0, -1)), bearer(good.slice(0, 20)), bearer(`alm_${id}_${flipped}`), bearer(`alm_000000000000_${secret}`),
      bearer(good.replace('alm_', 'ALM_')), bearer(expired.secret), bearer(revoked.secret),
    ];
    const messages = new Set<string>();
    for (const headers of tries) {
      const r = await post(a, '/v1/predict', { touch: TOUCH }, headers);
      expect(r.statusCode, headers.authorization).toBe(401);
      expect(r.json().code).toBe('ALMANAC_ERR_AUTH_INVALID');
      messages.add(r.json().message);
    }
    expect(messages.size).toBe(1);
    expect((await post(a, '/v1/predict', { touch: TOUCH }, bearer(good))).statusCode).toBe(200);
  });

  it('a revoked key stops working within about a second, without a restart', async () => {
    const { app: a, keys, deps } = await start();
    const key = keys.byClient.c1!;
    expect((await post(a, '/v1/predict', { touch: TOUCH }, bearer(key))).statusCode).toBe(200);
    await deps.tenants.revokeKey(/^alm_([0-9a-f]{12})_/.exec(key)![1]!);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await post(a, '/v1/predict', { touch: TOUCH }, bearer(key))).statusCode).toBe(401);
  });
});

describe("another tenant's key", () => {
  it("a plan or touch naming another client is 403; leaving client_id out uses the key's client", async () => {
    const { app: a, keys } = await start();
    const c2 = bearer(keys.byClient.c2!);
    const other = await post(a, '/v1/predict', { plan: PLAN }, c2);
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ code: 'ALMANAC_ERR_AUTH_FORBIDDEN', details: { path: 'plan.client_id' } });
    expect((await post(a, '/v1/patterns/search', { plan: PLAN }, c2)).statusCode).toBe(403);
    expect((await post(a, '/v1/predict', { touch: { ...TOUCH, client_id: 'c1' } }, c2)).statusCode).toBe(403);
    expect((await post(a, '/v1/predict', { plan: PLAN_NO_CLIENT }, bearer(keys.byClient.c1!))).statusCode).toBe(200);
    expect((await post(a, '/v1/predict', { plan: { ...PLAN, client_id: 'c1' } }, bearer(keys.byClient.c1!))).statusCode).toBe(200);
  });

  it('look-alike tenant ids (case, unicode, whitespace) are not the key\'s client', async () => {
    const { app: a, keys } = await start();
    const c1 = bearer(keys.byClient.c1!);
    for (const lookalike of ['C1', 'с1', 'c1\u200b', 'ｃ1']) {
      expect((await post(a, '/v1/predict', { plan: { ...PLAN, client_id: lookalike } }, c1)).statusCode, lookalike).toBe(403);
    }
    for (const spaced of ['c1 ', ' c1', 'c\t1']) expect((await post(a, '/v1/predict', { plan: { ...PLAN, client_id: spaced } }, c1)).statusCode).toBe(400);
  });

  it("another client's campaign and an unknown one give the same 404 (no ownership oracle)", async () => {
    const { app: a, keys } = await start();
    const c2 = bearer(keys.byClient.c2!);
    const theirs = await post(a, '/v1/predict', { touch: TOUCH }, c2);
    const unknown = await post(a, '/v1/predict', { touch: { ...TOUCH, campaign_id: 'cmp-nope' } }, c2);
    expect([theirs.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(theirs.json().message.replace('cmp1', 'X')).toBe(unknown.json().message.replace('cmp-nope', 'X'));
    expect(JSON.stringify(theirs.json())).not.toContain('c1');
  });

  it('scopes: a tenant key cannot read the registry or metrics; a predict-only key cannot search; an ingest key cannot predict', async () => {
    const { app: a, keys, deps } = await start();
    const c1 = bearer(keys.byClient.c1!);
    expect((await get(a, '/v1/models', c1)).statusCode).toBe(403);
    expect((await get(a, '/metrics', c1)).statusCode).toBe(403);
    expect((await get(a, '/health/ready', c1)).json()).toEqual({ status: 'ready' });
    expect(Object.keys((await get(a, '/health/ready', bearer(keys.admin))).json().dependencies)).toContain('eventLog');
    const predictOnly = newApiKey({ client_id: 'c1', scopes: ['predict'] });
    await deps.tenants.putKey(predictOnly.record);
    expect((await post(a, '/v1/patterns/search', { plan: PLAN }, bearer(predictOnly.secret))).statusCode).toBe(403);
    expect((await post(a, '/v1/events', { events: [] }, bearer(predictOnly.secret))).statusCode).toBe(403);
    const ingest = newApiKey({ client_id: null, clients: ['c1'], scopes: ['ingest'] });
    await deps.tenants.putKey(ingest.record);
    expect((await post(a, '/v1/predict', { plan: PLAN }, bearer(ingest.secret))).statusCode).toBe(403);
  });
});

describe('writes are owned', () => {
  const at = '2024-05-01T10:00:00Z';
  const campaign = (client: string, id: string, event = `ev-${id}-${client}`) => ({ type: 'campaign', event_id: event, campaign_id: id, client_id: client, ts: at, industry: 'retail', objective: 'sales', channel: 'email', budget: 1, start: at, end: at });
  const touch = (client: string, campaignId: string, id: string) => ({ type: 'touch', event_id: id, touch_id: `t-${id}`, campaign_id: campaignId, client_id: client, ts: at, audience: { segment: 'young_urban' } });
  const outcome = (client: string, campaignId: string, id: string) => ({ type: 'outcome', event_id: `o-${id}`, touch_id: `t-${id}`, campaign_id: campaignId, client_id: client, ts: at, kind: 'conversion' });

  it("cannot re-assign, touch, convert or rename another client's campaign or profile; nothing of it is appended", async () => {
    const { app: a, keys, log } = await start();
    const c2 = bearer(keys.byClient.c2!);
    const events = [
      campaign('c2', 'cmp1'), // re-assign c1's campaign to c2
      touch('c2', 'cmp1', 'x1'), outcome('c2', 'cmp1', 'x1'), // pump c1's conversion rate under c2
      touch('c1', 'cmp1', 'x2'), // file as c1
      { type: 'client', event_id: 'pwn', client_id: 'c1', ts: at, name: 'pwned', industry: 'retail' }, // rename c1
      { type: 'client', event_id: 'fake', client_id: 'fake-client', ts: at, industry: 'retail' }, // invent a client
    ];
    const r = await post(a, '/v1/events', { events }, c2);
    expect(r.statusCode).toBe(202);
    const body = r.json();
    expect(body.accepted).toBe(0);
    expect(body.rejected.map((x: { index: number; path: string }) => [x.index, x.path])).toEqual([
      [0, 'events.0.campaign_id'], [1, 'events.1.campaign_id'], [2, 'events.2.campaign_id'], [3, 'events.3.client_id'], [4, 'events.4.client_id'], [5, 'events.5.client_id'],
    ]);
    expect(body.rejected[1].reason).toBe(body.rejected[2].reason); // the same "not found" for c1's campaign as for any unknown one
    expect(log.records).toEqual([]);
  });

  it("another client's predictable event id does not make the owner's real event a duplicate", async () => {
    const { app: a, keys, log } = await start();
    await post(a, '/v1/events', { events: [campaign('c2', 'cmp-c2')] }, bearer(keys.byClient.c2!));
    const attack = await post(a, '/v1/events', { events: [touch('c2', 'cmp-c2', 'ev-cmp1-t999999')] }, bearer(keys.byClient.c2!));
    expect(attack.json().accepted).toBe(1);
    const real = await post(a, '/v1/events', { events: [touch('c1', 'cmp1', 'ev-cmp1-t999999')] }, bearer(keys.byClient.c1!));
    expect(real.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(log.records.map((x) => x.id)).toEqual(['2:c2:ev-cmp-c2-c2', '2:c2:ev-cmp1-t999999', '2:c1:ev-cmp1-t999999']);
  });

  it('its own new campaign is claimed for good: a later campaign event of another client for that id is refused', async () => {
    const { app: a, keys, deps } = await start();
    expect((await post(a, '/v1/events', { events: [campaign('c2', 'fresh')] }, bearer(keys.byClient.c2!))).json().accepted).toBe(1);
    const steal = await post(a, '/v1/events', { events: [campaign('c1', 'fresh')] }, bearer(keys.byClient.c1!));
    expect(steal.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, path: 'events.0.campaign_id' }] });
    expect(await deps.tenants.campaignOwners(['fresh'])).toEqual(new Map([['fresh', 'c2']]));
  });

  it('an admin (or an ingest key for the client) registers a client with its client event; a tenant key cannot', async () => {
    const { app: a, keys, deps } = await start();
    const ingest = newApiKey({ client_id: null, clients: ['new-co'], scopes: ['ingest'] });
    await deps.tenants.putKey(ingest.record);
    const client = { type: 'client', event_id: 'reg', client_id: 'new-co', ts: at, industry: 'retail' };
    expect((await post(a, '/v1/events', { events: [client] }, bearer(keys.byClient.c1!))).json().accepted).toBe(0);
    expect((await post(a, '/v1/events', { events: [{ ...client, client_id: 'other-co' }] }, bearer(ingest.secret))).json().accepted).toBe(0);
    expect((await post(a, '/v1/events', { events: [client] }, bearer(ingest.secret))).json().accepted).toBe(1);
    expect([...(await deps.tenants.registeredClients(['new-co', 'other-co']))]).toEqual(['new-co']);
  });
});

describe('private patterns and the result cache', () => {
  const privateIds = new Set(patterns().filter((p) => p.tenant !== 'global').map((p) => p.id));

  it("never reach another tenant: any filter, top_n, the fallback path, or a cache hit of the owner's request", async () => {
    const { app: a, keys, deps } = await start();
    const c1 = bearer(keys.byClient.c1!);
    const c2 = bearer(keys.byClient.c2!);
    const bodies = [
      { plan: PLAN_NO_CLIENT, top_n: 50 },
      { plan: { ...PLAN_NO_CLIENT, channel: 'email', audience: [{ segment: 'families' }] }, top_n: 50 },
      { plan: PLAN_NO_CLIENT, top_n: 50, filters: { industry: 'retail', min_sample_size: 0, min_success_rate: 0 } },
      { plan: PLAN_NO_CLIENT, top_n: 1 },
    ];
    for (const body of bodies) {
      const own = await post(a, '/v1/patterns/search', body, c1); // fills the cache for c1
      expect(own.statusCode).toBe(200);
      const theirs = await post(a, '/v1/patterns/search', body, c2);
      expect(theirs.statusCode).toBe(200);
      expect(theirs.headers['x-almanac-cache']).toBe('miss'); // c1's cached answer is never c2's
      for (const p of theirs.json().patterns) expect(privateIds.has(p.pattern_id), p.pattern_id).toBe(false);
      expect((await post(a, '/v1/patterns/search', body, c2)).headers['x-almanac-cache']).toBe('hit');
    }
    deps.vectorIndex.search = async () => { throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'vector index down'); };
    const fallback = await post(a, '/v1/patterns/search', { plan: { ...PLAN_NO_CLIENT, channel: 'social' }, top_n: 50 }, c2);
    expect(fallback.json().served_by).toBe('popular_patterns');
    for (const p of fallback.json().patterns) expect(privateIds.has(p.pattern_id), p.pattern_id).toBe(false);
  });

  it('the cache key carries the tenant and the ownership version', async () => {
    const { app: a, keys } = await start();
    const c1 = bearer(keys.byClient.c1!);
    await post(a, '/v1/predict', { plan: PLAN_NO_CLIENT }, c1);
    expect((await post(a, '/v1/predict', { plan: PLAN_NO_CLIENT }, c1)).headers['x-almanac-cache']).toBe('hit');
    expect((await post(a, '/v1/predict', { plan: PLAN_NO_CLIENT }, bearer(keys.byClient.c2!))).headers['x-almanac-cache']).toBe('miss');
    const at = '2024-05-01T10:00:00Z';
    await post(a, '/v1/events', { events: [{ type: 'campaign', event_id: 'n', campaign_id: 'brand-new', client_id: 'c1', ts: at, industry: 'retail', objective: 'sales', channel: 'email', budget: 1, start: at, end: at }] }, c1);
    expect((await post(a, '/v1/predict', { plan: PLAN_NO_CLIENT }, c1)).headers['x-almanac-cache']).toBe('miss');
  });
});

describe('limits, errors and audit', () => {
  it('429 with Retry-After past the per-key rate; another key is not affected', async () => {
    const world = await fakeDeps();
    const config = loadConfig({ env: {}, overrides: { home: world.config.home, logLevel: 'silent', serving: { reloadIntervalMs: 60_000, rateLimit: { max: 3, windowMs: 60_000 } } } });
    app = await buildApp({ ...world.deps, config }, { poll: false });
    const c1 = bearer(world.keys.byClient.c1!);
    for (let i = 0; i < 3; i++) expect((await post(app, '/v1/predict', { touch: TOUCH }, c1)).statusCode).toBe(200);
    const limited = await post(app, '/v1/predict', { touch: TOUCH }, c1);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('ALMANAC_ERR_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post(app, '/v1/predict', { plan: PLAN_NO_CLIENT }, bearer(world.keys.byClient.c2!))).statusCode).toBe(200);
  });

  it('errors never show server file paths', async () => {
    const { app: a, keys } = await start();
    a.almanac.deps.registry.list = async () => { throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'registry file /srv/almanac/home/registry/versions.json is unreadable', { details: { file: '/srv/almanac/home/registry/versions.json' } }); };
    const r = await get(a, '/v1/models', bearer(keys.admin));
    expect(r.statusCode).toBe(503);
    expect(r.json().message).toBe('registry file <path> is unreadable');
    expect(r.body).not.toContain('/srv/almanac');
  });

  it('audits writes, admin actions and refusals with key id, tenant, route and outcome — never the secret', async () => {
    const lines: string[] = [];
    const audit = pino({ level: 'info' }, new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } }));
    const { app: a, keys } = await start({ audit });
    await post(a, '/v1/events', { events: [] }, bearer(keys.byClient.c1!));
    await get(a, '/v1/models', bearer(keys.admin));
    await get(a, '/v1/models', bearer(keys.byClient.c2!));
    await post(a, '/v1/predict', { touch: TOUCH }, { authorization: 'Bearer alm_nope' });
    await post(a, '/v1/predict', { touch: TOUCH }, bearer(keys.byClient.c1!)); // a read: not audited
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.map((e) => [e.route, e.status, e.outcome, e.tenant])).toEqual([
      ['/v1/events', 400, 'failed', 'c1'], ['/v1/models', 200, 'ok', null], ['/v1/models', 403, 'refused', 'c2'], ['/v1/predict', 401, 'refused', null],
    ]);
    expect(entries[1]!.key_id).toMatch(/^[0-9a-f]{12}$/);
    const text = lines.join('');
    for (const secret of [keys.admin, keys.byClient.c1!, keys.byClient.c2!]) expect(text).not.toContain(parseApiKey(secret)!.secret);
  });
});
