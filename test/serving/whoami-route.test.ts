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
