import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../serving/app.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps } from './serving-fakes.ts';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

describe('GET /v1/whoami', () => {
  it('names a tenant key\'s client and scopes, an admin key as admin without a tenant, and never returns the secret', async () => {
    const world = await fakeDeps();
    app = await buildApp(world.deps, { poll: false });
    const tenant = await app.inject({ method: 'GET', url: '/v1/whoami', headers: bearer(world.keys.byClient.c1!) });
    expect(tenant.statusCode).toBe(200);
    expect(tenant.json()).toEqual({ kind: 'tenant', tenant: 'c1', key_id: expect.any(String), scopes: ['events:write', 'predict', 'search'] });
    expect(world.keys.byClient.c1).toContain(tenant.json().key_id);
    expect(tenant.body).not.toContain(world.keys.byClient.c1!.slice(-10));
    const admin = await app.inject({ method: 'GET', url: '/v1/whoami', headers: bearer(world.keys.admin) });
    expect(admin.json()).toMatchObject({ kind: 'admin', tenant: null, scopes: ['admin'] });
  });

  it('is 401 without a key and with a wrong one', async () => {
    const world = await fakeDeps();
    app = await buildApp(world.deps, { poll: false });
    const none = await app.inject({ method: 'GET', url: '/v1/whoami' });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('ALMANAC_ERR_AUTH_MISSING');
    const wrong = await app.inject({ method: 'GET', url: '/v1/whoami', headers: bearer(`${world.keys.admin}x`) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('ALMANAC_ERR_AUTH_INVALID');
  });
});

describe('the console routes in /openapi.json', () => {
  it('documents every console route with its query or params', async () => {
    const world = await fakeDeps();
    app = await buildApp(world.deps, { poll: false });
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
    const routes: [string, string][] = [
      ['/v1/whoami', 'get'], ['/v1/patterns', 'get'], ['/v1/patterns/{id}', 'get'], ['/v1/models/{version}', 'get'], ['/v1/models/{version}/promote', 'post'],
      ['/v1/models/rollback', 'post'], ['/v1/dags/runs', 'get'], ['/v1/features/views', 'get'], ['/v1/log', 'get'], ['/v1/service', 'get'],
    ];
    for (const [route, method] of routes) expect(doc.paths[route]?.[method], `${method} ${route}`).toBeDefined();
    const names = (route: string) => (doc.paths[route]?.get?.parameters ?? []).map((p) => `${p.in}:${p.name}`).sort();
    expect(names('/v1/patterns')).toEqual(['query:channel', 'query:industry', 'query:kind', 'query:limit', 'query:offset', 'query:q']);
    expect(names('/v1/patterns/{id}')).toEqual(['path:id']);
    expect(names('/v1/dags/runs')).toEqual(['query:dag', 'query:limit']);
    expect(names('/v1/models/{version}')).toEqual(['path:version']);
  });
});
