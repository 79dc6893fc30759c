/**
 * What schemathesis found (issue 12 item 7), each kept as a test: an error whose details held a
 * value such as `/$G\u001a` was sent as `{}` (path redaction on the JSON text cut the escape);
 * a path parameter over fastify's length and a URL it cannot decode were answered in fastify's own
 * shape instead of the catalogue's.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../serving/app.ts';
import { redactPaths } from '../../serving/error-handler.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps } from './serving-fakes.ts';

let app: FastifyInstance;
let key: { authorization: string };
beforeAll(async () => {
  const world = await fakeDeps();
  key = bearer(world.keys.admin);
  app = await buildApp(world.deps, { poll: false });
});
afterAll(async () => { await app.close(); });

const catalogueShape = { code: 'ALMANAC_ERR_INPUT_INVALID', message: expect.any(String), details: expect.objectContaining({ issues: [{ path: expect.any(String), reason: expect.any(String) }] }) };

describe('fuzz findings', () => {
  it('a 400 whose reason quotes a value with a slash and a control character keeps its body (was {})', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/patterns?offset=%2F%24G%1A%C3%8C', headers: key });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject(catalogueShape);
    expect(res.json().details.issues[0].path).toBe('query.offset');
  });

  it('paths are still redacted in details, strings at any depth', async () => {
    expect(redactPaths('cannot read /home/app/.almanac/registry/aliases.json')).toBe('cannot read <path>');
    const res = await app.inject({ method: 'GET', url: `/v1/patterns?offset=${encodeURIComponent('/srv/almanac/x/y')}`, headers: key });
    expect(JSON.stringify(res.json())).not.toContain('/srv/almanac');
  });

  it('a path parameter over 100 characters answers 414 in the catalogue shape', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/patterns/${'0'.repeat(300)}`, headers: key });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toMatchObject({ ...catalogueShape, details: { issues: [{ path: '(url)', reason: 'a path parameter is longer than this route accepts (100 characters)' }], fastify_code: 'FST_ERR_MAX_PARAM_LENGTH' } });
  });

  it('a URL that cannot be decoded answers 400 in the catalogue shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/patterns/%E0%A4%A', headers: key });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ ...catalogueShape, details: { fastify_code: 'FST_ERR_BAD_URL' } });
  });
});
