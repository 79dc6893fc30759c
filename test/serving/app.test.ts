import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlmanacError } from '../../core/errors.ts';
import { buildApp } from '../../serving/app.ts';
import { fakeDeps, fakeFeatures, fakeGraph, fakeModel, fakeScorer, PLAN, type FakeWorld, type ScorerCall } from './serving-fakes.ts';
import { bearer, type TestKeys } from './auth-keys.ts';

let app: FastifyInstance | undefined;
let keys: TestKeys;
afterEach(async () => { await app?.close(); app = undefined; });

async function start(overrides: Parameters<typeof fakeDeps>[0] = {}): Promise<FakeWorld & { app: FastifyInstance }> {
  const world = await fakeDeps(overrides);
  keys = world.keys;
  app = await buildApp(world.deps, { poll: false });
  return { ...world, app };
}

/** The key of the client the body names (c1 when it names none): each tenant asks with its own key. */
function keyFor(payload: unknown): string {
  const p = payload as { touch?: { client_id?: string }; plan?: { client_id?: string }; events?: { client_id?: string }[] } | undefined;
  const client = p?.touch?.client_id ?? p?.plan?.client_id ?? (Array.isArray(p?.events) ? p.events[0]?.client_id : undefined) ?? 'c1';
  return keys.byClient[client] ?? keys.byClient.c1!;
}
const post = (a: FastifyInstance, url: string, payload: unknown) => a.inject({ method: 'POST', url, payload: payload as object, headers: bearer(keyFor(payload)) });
const admin = () => bearer(keys.admin);

describe('POST /v1/predict', () => {
  it('scores a touch of a known campaign with the champion, online aggregates included', async () => {
    const { app: a, scorerCalls } = await start();
    const res = await post(a, '/v1/predict', { touch: { client_id: 'c1', campaign_id: 'cmp1', audience: { segment: 'young_urban' } } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // email (campaign channel) 0.2 + young_urban 0.1 + client rate 0.01 + v1 0.001
    expect(body.probability).toBeCloseTo(0.311, 5);
    expect(body.model_version).toBe(1);
    expect(body.features_missing).toEqual([]);
    expect(res.headers['x-request-id']).toBeTruthy();
    // the production path: encoded rows, not records
    expect(scorerCalls).toEqual([{ version: 1, method: 'predictEncoded', rows: 1 }]);
  });

  it('scores a plan as the mean over its audience, with per-audience probabilities, in one online read and one encoded model call', async () => {
    const { app: a, store, scorerCalls } = await start();
    const res = await post(a, '/v1/predict', { plan: PLAN });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.audience).toEqual([
      { segment: 'young_urban', probability: expect.closeTo(0.161, 5) },
      { segment: 'families', probability: expect.closeTo(0.061, 5) },
    ]);
    expect(body.probability).toBeCloseTo(0.111, 5);
    expect(store.reads).toBe(1);
    expect(scorerCalls).toEqual([{ version: 1, method: 'predictEncoded', rows: 2 }]);
  });

  it('gives records to a scorer that takes no encoded rows, and to features without a compiled reader: the same answer', async () => {
    const encoded = (await post((await start()).app, '/v1/predict', { plan: PLAN })).json();
    const noReader = { ...fakeFeatures };
    delete noReader.compileTouchFeatureReader;
    const calls: ScorerCall[] = [];
    for (const overrides of [
      { loadScorer: async (m: Parameters<typeof fakeScorer>[0]) => fakeScorer(m, [], { calls, encoded: false }) },
      { features: noReader, loadScorer: async (m: Parameters<typeof fakeScorer>[0]) => fakeScorer(m, [], { calls }) },
    ]) {
      await app?.close();
      const { app: a } = await start(overrides);
      const body = (await post(a, '/v1/predict', { plan: PLAN })).json();
      expect(body.probability).toBeCloseTo(encoded.probability, 6);
      expect(body.audience.map((x: { probability: number }) => x.probability)).toEqual(encoded.audience.map((x: { probability: number }) => expect.closeTo(x.probability, 6)));
      expect(body.features_missing).toEqual(encoded.features_missing);
    }
    expect(calls).toEqual([{ version: 1, method: 'predict', rows: 2 }, { version: 1, method: 'predict', rows: 2 }]);
  });

  it('reports features the online store could not provide', async () => {
    const { app: a } = await start();
    const res = await post(a, '/v1/predict', { plan: { ...PLAN, client_id: 'c2' } });
    expect(res.json().features_missing).toEqual(['client_rate_7d']);
  });

  it('serves a repeat from the result cache', async () => {
    const { app: a, store } = await start();
    const first = await post(a, '/v1/predict', { plan: PLAN });
    const second = await post(a, '/v1/predict', { plan: PLAN });
    expect(first.headers['x-almanac-cache']).toBe('miss');
    expect(second.headers['x-almanac-cache']).toBe('hit');
    expect(second.json()).toEqual(first.json());
    expect(store.reads).toBe(1);
  });

  it('400 names the field path and reason', async () => {
    const { app: a } = await start();
    const res = await post(a, '/v1/predict', { plan: { ...PLAN, audience: [{ segment: 'ok' }, { age: 3 }] } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('ALMANAC_ERR_INPUT_INVALID');
    expect(body.details.issues).toContainEqual({ path: 'plan.audience.1.segment', reason: expect.stringMatching(/expected string/) });
  });

  it('400 when neither or both of touch and plan are sent, or unknown fields', async () => {
    const { app: a } = await start();
    expect((await post(a, '/v1/predict', {})).json().details.issues[0].path).toBe('touch');
    const unknown = await post(a, '/v1/predict', { plan: PLAN, extra: 1 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().details.issues).toContainEqual({ path: 'extra', reason: "unknown field 'extra'" });
    const badChannel = await post(a, '/v1/predict', { plan: { ...PLAN, channel: 'pigeon' } });
    expect(badChannel.json().details.issues[0].path).toBe('plan.channel');
  });

  it('404 for an unknown campaign, a campaign of another client, or an unknown client', async () => {
    const { app: a } = await start();
    const unknownCampaign = await post(a, '/v1/predict', { touch: { client_id: 'c1', campaign_id: 'nope', audience: { segment: 's' } } });
    expect(unknownCampaign.statusCode).toBe(404);
    expect(unknownCampaign.json()).toMatchObject({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND', message: "campaign 'nope' not found" });
    const otherClient = await post(a, '/v1/predict', { touch: { client_id: 'c2', campaign_id: 'cmp1', audience: { segment: 's' } } });
    expect(otherClient.statusCode).toBe(404);
    expect(otherClient.json().message).toBe(unknownCampaign.json().message.replace('nope', 'cmp1'));
    // a tenant key naming another client is 403; an admin naming an unknown client gets the 404
    const otherTenant = await a.inject({ method: 'POST', url: '/v1/predict', headers: bearer(keys.byClient.c1!), payload: { plan: { ...PLAN, client_id: 'ghost' } } });
    expect(otherTenant.statusCode).toBe(403);
    const unknownClient = await a.inject({ method: 'POST', url: '/v1/predict', headers: admin(), payload: { plan: { ...PLAN, client_id: 'ghost' } } });
    expect(unknownClient.statusCode).toBe(404);
    expect(unknownClient.json().message).toBe("client 'ghost' not found");
  });

  it('never crashes on malformed JSON, a wrong content type or a huge body', async () => {
    const { app: a } = await start();
    const malformed = await a.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json', ...bearer(keys.byClient.c1!) }, payload: '{"plan": ' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('ALMANAC_ERR_INPUT_INVALID');
    const text = await a.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'text/csv', ...bearer(keys.byClient.c1!) }, payload: 'a,b' });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('ALMANAC_ERR_INPUT_INVALID');
    const huge = await a.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json', ...bearer(keys.byClient.c1!) }, payload: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('ALMANAC_ERR_INPUT_INVALID');
    expect((await a.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it('503 ALMANAC_ERR_MODEL_NOT_READY before any champion exists', async () => {
    const world = await fakeDeps();
    keys = world.keys;
    world.registry.models[0]!.aliases = [];
    app = await buildApp(world.deps, { poll: false });
    const res = await post(app, '/v1/predict', { plan: PLAN });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('ALMANAC_ERR_MODEL_NOT_READY');
  });

  it('degrades (aggregates missing) rather than failing when the online store is down', async () => {
    const { app: a, store, scorerCalls } = await start();
    store.read = async () => { throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'redis down'); };
    const res = await post(a, '/v1/predict', { plan: PLAN });
    expect(res.statusCode).toBe(200);
    expect(res.json().degraded).toEqual(['online_store']);
    expect(res.json().features_missing).toEqual(['client_rate_7d']);
    expect(scorerCalls.map((c) => c.method)).toEqual(['predictEncoded']);
  });
});

describe('hot reload', () => {
  it('picks up a newly promoted model without a restart and closes the old scorer', async () => {
    const { app: a, registry, closedScorers, loads } = await start();
    expect((await post(a, '/v1/predict', { plan: PLAN })).json().model_version).toBe(1);
    registry.models.push(fakeModel(2));
    await registry.promote(2);
    await a.almanac.reload();
    const res = await post(a, '/v1/predict', { plan: PLAN });
    expect(res.json().model_version).toBe(2);
    expect(res.headers['x-almanac-cache']).toBe('miss'); // the model version is part of the cache key
    expect(loads).toEqual([1, 2]);
    expect(closedScorers).toEqual([1]);
  });

  it('keeps the old scorer open until its in-flight requests are done', async () => {
    const { app: a, registry, closedScorers } = await start();
    const lease = a.almanac.champion.acquire();
    registry.models.push(fakeModel(2));
    await registry.promote(2);
    await a.almanac.reload();
    expect(a.almanac.champion.version).toBe(2);
    expect(closedScorers).toEqual([]);
    lease.release();
    await vi.waitFor(() => expect(closedScorers).toEqual([1]), { timeout: 5_000, interval: 5 });
  });
});

describe('POST /v1/patterns/search', () => {
  it('returns top N reranked patterns with statistics, score components and an explanation', async () => {
    const { app: a, scorerCalls } = await start();
    const res = await post(a, '/v1/patterns/search', { plan: { ...PLAN, channel: 'email' }, top_n: 3 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.served_by).toBe('full');
    expect(body.model_version).toBe(1);
    expect(body.index_version).toBe('patterns_v1');
    expect(body.patterns).toHaveLength(3);
    const top = body.patterns[0];
    // the plan (email; young_urban and families) IS the pattern email · young_urban, the strongest that applies
    expect(top.pattern_id).toBe('p-email-young_urban');
    expect(top).toMatchObject({
      match: 'applies', scope: 'global', conditions: { channel: 'email', segment: 'young_urban' }, sample_size: 5000, distinct_clients: 7,
      proven_in_industry_by: 4, confidence_interval: [0.19, 0.21], lift: 4, lift_interval: [3.6, 4.4], own: null,
    });
    expect(Object.keys(top.score_components).sort()).toEqual(['evidence', 'fit', 'lift', 'model', 'rules', 'similarity']);
    expect(top.score_components.fit).toBe(1);
    expect(top.explanation).toMatch(/^your plan is this pattern: email · young_urban converts 20\.0% \[19\.0–21\.0%\], 4\.00× \(3\.60–4\.40×\) the same clients' other touches, over 5,000 touches from 7 clients; proven in retail by 4 clients/);
    // the second applicable pattern carries c1's own figures for the same configuration (its private pattern merged in)
    const families = body.patterns.find((p: { pattern_id: string }) => p.pattern_id === 'p-email-families');
    expect(families).toMatchObject({ match: 'applies', own: { sample_size: 5000, success_rate: 0.1 } });
    expect(families.explanation).toMatch(/your own campaigns: 10\.0% over 5,000 touches/);
    expect(body.patterns.map((p: { pattern_id: string }) => p.pattern_id)).not.toContain('p-email-families-c1');
    const scores = body.patterns.map((p: { score: number }) => p.score);
    expect(scores[0]).toBeGreaterThanOrEqual(scores[1]);
    expect(body.anti_patterns).toEqual([]);
    // the plan is encoded by the build's configuration encoder (no embedding call); the adapted plans scored once per configuration, encoded
    expect(scorerCalls.map((c) => c.method)).toEqual(['predictEncoded']);
    expect(top.model_probability).toBeCloseTo(0.311, 5);
  });

  it('warns of an anti-pattern the plan matches and never recommends it', async () => {
    const { app: a } = await start();
    const res = await post(a, '/v1/patterns/search', { plan: { ...PLAN, audience: [{ segment: 'students' }] }, top_n: 50 });
    const body = res.json();
    expect(body.anti_patterns).toEqual([expect.objectContaining({ pattern_id: 'a-students', conditions: { segment: 'students' }, lift: 0.4, explanation: expect.stringMatching(/^avoid: students converts 2\.0%/) })]);
    expect(body.patterns.map((p: { pattern_id: string }) => p.pattern_id)).not.toContain('a-students');
    const applies = body.patterns.filter((p: { match: string }) => p.match === 'applies');
    expect(applies.length).toBeGreaterThan(0);
    for (const p of applies) expect(p.explanation).toMatch(/caution: your plan also matches the anti-pattern students \(0\.40× base\)/);
  });

  it("never shows a client's private pattern to another client: any top_n, filters, the catalogue fallback or a cache hit", async () => {
    const { app: a } = await start();
    const plan = { ...PLAN, client_id: 'c2', channel: 'email', audience: [{ segment: 'families' }] };
    const ids = async (body: object) => ((await post(a, '/v1/patterns/search', body)).json().patterns as { pattern_id: string; own: unknown }[]);
    for (const body of [{ plan, top_n: 50 }, { plan, top_n: 1 }, { plan, top_n: 50, filters: { channels: ['email'] } }, { plan, top_n: 50, filters: { min_sample_size: 0 } }, { plan, top_n: 50 }]) {
      const found = await ids(body);
      expect(found.map((p) => p.pattern_id)).not.toContain('p-email-families-c1');
      expect(found.every((p) => p.own === null)).toBe(true);
    }
    // c1 itself sees its own figures beside the cross-client pattern
    const mine = await ids({ plan: { ...plan, client_id: 'c1' }, top_n: 50 });
    expect(mine.find((p) => p.pattern_id === 'p-email-families')?.own).toMatchObject({ success_rate: 0.1 });
    const world = await fakeDeps();
    keys = world.keys;
    world.deps.vectorIndex.search = async () => { throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'milvus down'); };
    const fallback = await buildApp(world.deps, { poll: false });
    const res = (await fallback.inject({ method: 'POST', url: '/v1/patterns/search', payload: { plan, top_n: 50 }, headers: bearer(keys.byClient.c2!) })).json();
    expect(res.served_by).toBe('popular_patterns');
    expect(res.patterns.map((p: { pattern_id: string }) => p.pattern_id)).not.toContain('p-email-families-c1');
    await fallback.close();
  });

  it('pushes filters down: k-anonymity hides patterns with too few clients, channels filter', async () => {
    const { app: a } = await start();
    const res = await post(a, '/v1/patterns/search', { plan: { ...PLAN, channel: 'social', audience: [{ segment: 'students' }] }, top_n: 10, filters: { channels: ['social'] } });
    const ids = res.json().patterns.map((p: { pattern_id: string }) => p.pattern_id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id: string) => id.startsWith('p-social'))).toBe(true);
    expect(ids).not.toContain('p-social-students'); // backed by 2 clients: 1 with one left out < k=3
  });

  it('penalises a pattern not proven in the plan industry', async () => {
    const { app: a } = await start();
    const res = await post(a, '/v1/patterns/search', { plan: { ...PLAN, channel: 'search', audience: [{ segment: 'families' }] }, top_n: 20 });
    const search = res.json().patterns.find((p: { pattern_id: string }) => p.pattern_id === 'p-search-families');
    expect(search.score_components.rules).toBeLessThan(1);
    expect(search.explanation).toMatch(/not yet proven in retail \(seen in finance\)/);
  });

  it('falls back to vector_only when the graph fails', async () => {
    const { app: a } = await start({ graph: fakeGraph({ patternEvidence: async () => { throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'neo4j down'); } }) });
    const res = await post(a, '/v1/patterns/search', { plan: PLAN });
    expect(res.statusCode).toBe(200);
    expect(res.json().served_by).toBe('vector_only');
    expect(res.json().patterns[0].proven_in_industry_by).toBeNull();
    expect(res.json().patterns[0].score_components.evidence).toBe(0);
  });

  it('falls back to vector_only when the graph is slower than its timeout', async () => {
    const { app: a } = await start({ graph: fakeGraph({ patternEvidence: () => new Promise((r) => setTimeout(() => r(new Map()), 1_000)) }) });
    const res = await post(a, '/v1/patterns/search', { plan: PLAN });
    expect(res.json().served_by).toBe('vector_only');
  });

  it('falls back to popular patterns from the catalogue when the vector index fails', async () => {
    const world = await fakeDeps();
    keys = world.keys;
    world.deps.vectorIndex.search = async () => { throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'milvus down'); };
    app = await buildApp(world.deps, { poll: false });
    const res = await post(app, '/v1/patterns/search', { plan: { ...PLAN, channel: 'email' }, top_n: 3 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.served_by).toBe('popular_patterns');
    expect(body.index_version).toBeNull();
    expect(body.patterns).toHaveLength(3);
    expect(body.patterns[0].pattern_id).toBe('p-email-young_urban');
    expect(body.patterns.map((p: { pattern_id: string }) => p.pattern_id)).not.toContain('p-social-students');
    // a fallback answer is not cached
    expect((await post(app, '/v1/patterns/search', { plan: { ...PLAN, channel: 'email' }, top_n: 3 })).headers['x-almanac-cache']).toBe('miss');
  });

  it('caches a full answer, 400s a bad top_n with its path, 404s an unknown client', async () => {
    const { app: a } = await start();
    await post(a, '/v1/patterns/search', { plan: PLAN });
    expect((await post(a, '/v1/patterns/search', { plan: PLAN })).headers['x-almanac-cache']).toBe('hit');
    const bad = await post(a, '/v1/patterns/search', { plan: PLAN, top_n: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.issues[0].path).toBe('top_n');
    expect((await post(a, '/v1/patterns/search', { plan: { ...PLAN, client_id: 'ghost' } })).statusCode).toBe(403);
    expect((await a.inject({ method: 'POST', url: '/v1/patterns/search', headers: admin(), payload: { plan: { ...PLAN, client_id: 'ghost' } } })).statusCode).toBe(404);
  });
});

describe('POST /v1/events', () => {
  const touch = (id: string) => ({ type: 'touch', event_id: id, touch_id: `t-${id}`, campaign_id: 'cmp1', client_id: 'c1', ts: '2024-05-01T10:00:00Z', audience: { segment: 'young_urban' } });

  it('appends valid events, rejects invalid ones with index/path/reason, and is idempotent by event_id', async () => {
    const { app: a, log } = await start();
    const res = await post(a, '/v1/events', { events: [touch('e1'), { ...touch('e2'), ts: 'yesterday' }, touch('e3'), { type: 'mystery' }] });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(body.rejected).toContainEqual({ index: 1, path: 'events.1.ts', reason: expect.any(String) });
    expect(body.rejected).toContainEqual({ index: 3, path: 'events.3.type', reason: expect.stringMatching(/must be one of/) });
    const again = await post(a, '/v1/events', { events: [touch('e1'), touch('e3')] });
    expect(again.json()).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    // idempotency is on (client_id, event_id)
    expect(log.records.map((r) => r.id)).toEqual(['2:c1:e1', '2:c1:e3']);
  });

  it('400 on an empty batch or a non-array', async () => {
    const { app: a } = await start();
    expect((await post(a, '/v1/events', { events: [] })).json().details.issues[0].path).toBe('events');
    expect((await post(a, '/v1/events', { events: 'x' })).statusCode).toBe(400);
  });
});

describe('models, health, metrics, openapi', () => {
  it('GET /v1/models lists versions, aliases, metrics, lineage and what is served', async () => {
    const { app: a } = await start();
    const body = (await a.inject({ method: 'GET', url: '/v1/models', headers: admin() })).json();
    expect(body.serving).toEqual({ model_version: 1, index_version: 'patterns_v1' });
    expect(body.versions[0]).toMatchObject({ version: 1, aliases: ['champion'], metrics: { roc_auc: 0.8 }, lineage: { trainingSetId: 'ts' } });
  });

  it('GET /health/ready reports each dependency; 503 when a required one is down, 200 when only optional ones are', async () => {
    const { app: a, store, deps } = await start();
    const ok = await a.inject({ method: 'GET', url: '/health/ready', headers: admin() });
    expect(ok.statusCode).toBe(200);
    expect(Object.keys(ok.json().dependencies).sort()).toEqual(['cache', 'catalogue', 'eventLog', 'graph', 'model', 'onlineStore', 'registry', 'vector']);
    expect(ok.json()).toMatchObject({ status: 'ready', routes: { predict: 'up', search: 'up', events: 'up', models: 'up' } });
    deps.graph.ping = async () => { throw new Error('connection refused'); };
    const degraded = await a.inject({ method: 'GET', url: '/health/ready', headers: admin() });
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json()).toMatchObject({ status: 'degraded', routes: { predict: 'up', search: 'degraded' } });
    expect(degraded.json().dependencies.graph).toMatchObject({ state: 'down', required: false });
    store.ping = async () => { throw new Error('connection refused'); };
    const down = await a.inject({ method: 'GET', url: '/health/ready', headers: admin() });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'not_ready', dependencies: { onlineStore: { state: 'down', required: true, detail: 'connection refused' } } });
  });

  it('GET /metrics exposes request counts and latency per route, dependency latency, cache lookups and fallbacks', async () => {
    const { app: a } = await start({ graph: fakeGraph({ patternEvidence: async () => { throw new Error('down'); } }) });
    await post(a, '/v1/predict', { plan: PLAN });
    await post(a, '/v1/predict', { plan: PLAN });
    await post(a, '/v1/patterns/search', { plan: PLAN });
    const text = (await a.inject({ method: 'GET', url: '/metrics', headers: admin() })).body;
    expect(text).toMatch(/almanac_http_requests_total\{route="\/v1\/predict",method="POST",status="200"\} 2/);
    expect(text).toMatch(/almanac_http_request_duration_seconds_bucket\{le="0.005",route="\/v1\/predict",method="POST"\}/);
    expect(text).toMatch(/almanac_dependency_duration_seconds_count\{dependency="onlineStore",operation="read",outcome="ok"\}/);
    expect(text).toMatch(/almanac_cache_lookups_total\{result="hit"\} 1/);
    expect(text).toMatch(/almanac_fallbacks_total\{kind="vector_only"\} 1/);
  });

  it('/openapi.json documents every route with request schemas', async () => {
    const { app: a } = await start();
    const doc = (await a.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.0.3');
    for (const route of ['/v1/predict', '/v1/patterns/search', '/v1/events', '/v1/models', '/health/live', '/health/ready', '/metrics']) {
      expect(Object.keys(doc.paths)).toContain(route);
    }
    const plan = doc.paths['/v1/predict'].post.requestBody.content['application/json'].schema;
    expect(plan.properties.plan.properties.audience.maxItems).toBe(1000);
  });

  it('unknown routes are 404 with the error shape', async () => {
    const { app: a } = await start();
    const res = await a.inject({ method: 'GET', url: '/v2/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('ALMANAC_ERR_INPUT_NOT_FOUND');
  });
});
