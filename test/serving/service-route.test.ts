/** GET /v1/service: the /metrics series read back per route, per dependency, for the cache and fallbacks. */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AlmanacError } from '../../core/errors.ts';
import { buildApp } from '../../serving/app.ts';
import { histogramQuantile, RequestRates } from '../../serving/service-figures.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps, PLAN } from './serving-fakes.ts';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

/** The sum of a metric's samples in Prometheus text whose labels include every `want` pair. */
function sample(text: string, name: string, want: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(want).every(([k, v]) => labels[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

describe('histogramQuantile', () => {
  it('interpolates inside the bucket that holds the rank; a rank in +Inf gives the largest finite bound', () => {
    const h = { bounds: [0.001, 0.01, 0.1, Infinity], cumulative: [10, 60, 100, 100], count: 100 };
    expect(histogramQuantile(0.5, h)).toBeCloseTo(0.001 + 0.009 * (40 / 50), 12);
    expect(histogramQuantile(0.99, h)).toBeCloseTo(0.01 + 0.09 * (39 / 40), 12);
    expect(histogramQuantile(0.5, { bounds: [0.001, 0.1, Infinity], cumulative: [0, 0, 5], count: 5 })).toBe(0.1);
    expect(histogramQuantile(0.5, { bounds: [0.1, Infinity], cumulative: [0, 0], count: 0 })).toBeNull();
  });
});

describe('RequestRates', () => {
  it('is the rate since the oldest reading of the last minute, else since start', () => {
    const r = new RequestRates(0);
    expect(r.rates(new Map([['a', 10]]), 10_000).get('a')).toBe(1);
    expect(r.rates(new Map([['a', 40]]), 20_000).get('a')).toBe(3);
    expect(r.rates(new Map([['a', 100]]), 90_000).get('a')).toBe(1.111);
  });
});

describe('GET /v1/service', () => {
  it('gives the same figures as /metrics: requests and errors per route, dependency calls, cache hits and misses, fallbacks', async () => {
    const w = await fakeDeps();
    app = await buildApp(w.deps, { poll: false });
    const tenant = bearer(w.keys.byClient.c1!);
    for (let i = 0; i < 5; i++) await app.inject({ method: 'POST', url: '/v1/predict', headers: tenant, payload: { touch: { client_id: 'c1', campaign_id: 'cmp1', audience: { segment: 'families' } } } });
    await app.inject({ method: 'POST', url: '/v1/predict', headers: tenant, payload: { touch: { campaign_id: 7 } } });
    for (let i = 0; i < 2; i++) await app.inject({ method: 'POST', url: '/v1/patterns/search', headers: tenant, payload: { plan: PLAN } });
    const text = (await app.inject({ method: 'GET', url: '/metrics', headers: bearer(w.keys.admin) })).body;
    const r = await app.inject({ method: 'GET', url: '/v1/service', headers: bearer(w.keys.admin) });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    const predict = body.routes.find((x: { route: string; method: string }) => x.route === '/v1/predict' && x.method === 'POST');
    expect(predict).toMatchObject({ requests: 6, errors: 0 });
    expect(predict.requests).toBe(sample(text, 'almanac_http_requests_total', { route: '/v1/predict', method: 'POST' }));
    expect(predict.p50_ms).toBeGreaterThan(0);
    expect(predict.p99_ms).toBeGreaterThanOrEqual(predict.p50_ms);
    expect(predict.rate_per_s).toBeGreaterThan(0);
    expect(body.dependencies.map((d: { name: string }) => d.name).sort()).toEqual(['cache', 'eventLog', 'graph', 'model', 'onlineStore', 'vector']);
    for (const d of body.dependencies) {
      expect(d.calls).toBe(sample(text, 'almanac_dependency_duration_seconds_count', { dependency: d.name }));
      expect(d.breaker).toBe('closed');
    }
    expect(body.dependencies.find((d: { name: string }) => d.name === 'vector').calls).toBeGreaterThan(0);
    expect(body.cache.hits).toBe(sample(text, 'almanac_cache_lookups_total', { result: 'hit' }));
    expect(body.cache.misses).toBe(sample(text, 'almanac_cache_lookups_total', { result: 'miss' }));
    expect(body.cache.hits).toBeGreaterThan(0);
    expect(body.cache.hit_rate).toBeCloseTo(body.cache.hits / (body.cache.hits + body.cache.misses), 4);
    for (const f of body.fallbacks) expect(f.count).toBe(sample(text, 'almanac_fallbacks_total', { kind: f.kind }));
    expect(body.uptime_s).toBeGreaterThanOrEqual(0);
  });

  it('shows an open breaker and failures of a dependency that keeps failing', async () => {
    const w = await fakeDeps();
    app = await buildApp({ ...w.deps, graph: { ...w.deps.graph, patternEvidence: async () => { throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'graph down', { retriable: true }); } } }, { poll: false });
    const tenant = bearer(w.keys.byClient.c1!);
    for (let i = 0; i < 8; i++) await app.inject({ method: 'POST', url: '/v1/patterns/search', headers: tenant, payload: { plan: { ...PLAN, budget: 1000 + i } } });
    const graph = (await app.inject({ method: 'GET', url: '/v1/service', headers: bearer(w.keys.admin) })).json().dependencies.find((d: { name: string }) => d.name === 'graph');
    expect(graph.failures).toBeGreaterThan(0);
    expect(graph.breaker).toBe('open');
    const body = (await app.inject({ method: 'GET', url: '/v1/service', headers: bearer(w.keys.admin) })).json();
    expect(body.fallbacks.find((f: { kind: string }) => f.kind === 'vector_only')?.count).toBeGreaterThan(0);
    expect((await app.inject({ method: 'GET', url: '/v1/service', headers: tenant })).statusCode).toBe(403);
  });
});
