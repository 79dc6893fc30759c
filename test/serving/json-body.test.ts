import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlmanacError } from '../../core/errors.ts';
import { buildApp } from '../../serving/app.ts';
import { parseJsonBody } from '../../serving/json-body.ts';
import { fakeDeps, PLAN } from './serving-fakes.ts';
import { bearer } from './auth-keys.ts';

function reasonOf(text: string): string {
  try {
    parseJsonBody(text);
  } catch (e) {
    if (isAlmanacError(e) && e.code === 'ALMANAC_ERR_INPUT_INVALID') return e.message;
    throw e;
  }
  throw new Error('parsed');
}

describe('parseJsonBody', () => {
  it('parses ordinary JSON, including strings that mention the reserved words', () => {
    expect(parseJsonBody('{"a":[1,{"b":"x"}]}')).toEqual({ a: [1, { b: 'x' }] });
    expect(parseJsonBody('{"note":"__proto__ and constructor","constructor":"c","u":"\\u00e9"}')).toEqual({ note: '__proto__ and constructor', constructor: 'c', u: 'é' });
  });

  it.each([
    ['{"__proto__": {"admin": true}}', '__proto__'],
    ['{"plan": {"x": 1, "__proto__": 1}}', '__proto__'],
    ['{"\\u005f_proto__": {}}', '__proto__'],
    ['{"a": {"constructor": {"prototype": {"admin": true}}}}', 'constructor.prototype'],
  ])('refuses %s naming the reserved key, not as invalid JSON', (text, key) => {
    expect(reasonOf(text)).toBe(`the body uses the reserved key '${key}' (refused to prevent prototype poisoning); rename or remove it`);
  });

  it('still says "not valid JSON" for malformed text and "empty" for an empty body', () => {
    expect(reasonOf('{"plan": ')).toMatch(/^the body is not valid JSON: /);
    expect(reasonOf('')).toBe('the JSON body is empty');
  });
});

describe('POST with a prototype key', () => {
  let app: FastifyInstance;
  let key: { authorization: string };
  beforeAll(async () => {
    const world = await fakeDeps();
    key = bearer(world.keys.byClient.c1!);
    app = await buildApp(world.deps, { poll: false });
  });
  afterAll(async () => { await app.close(); });

  it('answers 400 naming the reserved key; the same body without it is served', async () => {
    const poisoned = await app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json', ...key }, payload: `{"plan": ${JSON.stringify(PLAN)}, "__proto__": {"admin": true}}` });
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.json()).toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', message: "the body uses the reserved key '__proto__' (refused to prevent prototype poisoning); rename or remove it" });
    const clean = await app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json', ...key }, payload: JSON.stringify({ plan: PLAN }) });
    expect(clean.statusCode).toBe(200);
  });
});
