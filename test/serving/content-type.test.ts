import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../serving/app.ts';
import { fakeDeps } from './serving-fakes.ts';
import { bearer } from './auth-keys.ts';

let app: FastifyInstance;
let key: { authorization: string };
beforeAll(async () => {
  const world = await fakeDeps();
  key = bearer(world.keys.byClient.c1!);
  app = await buildApp(world.deps, { poll: false });
});
afterAll(async () => { await app.close(); });

describe('request content type', () => {
  it.each(['/v1/predict', '/v1/events', '/v1/patterns/search'])('POST %s with text/plain answers 415 with the catalogue error shape', async (url) => {
    const r = await app.inject({ method: 'POST', url, headers: { 'content-type': 'text/plain', ...key }, payload: '{"plan": {}}' });
    expect(r.statusCode).toBe(415);
    expect(r.json()).toEqual({
      code: 'ALMANAC_ERR_INPUT_INVALID',
      message: "unsupported content type; send JSON with 'content-type: application/json'",
      details: { issues: [{ path: '(body)', reason: "unsupported content type; send JSON with 'content-type: application/json'" }], fastify_code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' },
    });
  });

  it('text/plain; charset=utf-8 is 415 too', async () => {
    const r = await app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'text/plain; charset=utf-8', ...key }, payload: 'hello' });
    expect(r.statusCode).toBe(415);
  });
});
