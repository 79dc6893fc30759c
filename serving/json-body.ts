/**
 * The JSON body parser of every route. Like fastify's default it refuses the prototype-poisoning
 * keys (`__proto__`, `constructor.prototype`), but says so instead of "not valid JSON".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidInput } from '../core/errors.ts';

/** Parses a JSON body text. @throws ALMANAC_ERR_INPUT_INVALID (empty, malformed, or a reserved key). */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw invalidInput('the JSON body is empty', [{ path: '(body)', reason: 'the JSON body is empty' }]);
  let reserved: string | undefined;
  let value: unknown;
  // The reviver (slower) only when a reserved key can be there, spelt out or \u-escaped.
  const suspect = text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
  try {
    value = !suspect ? JSON.parse(text) : JSON.parse(text, (key: string, v: unknown) => {
      if (key === '__proto__') reserved ??= '__proto__';
      else if (key === 'constructor' && typeof v === 'object' && v !== null && Object.hasOwn(v, 'prototype')) reserved ??= 'constructor.prototype';
      return v;
    });
  } catch (e) {
    const reason = `the body is not valid JSON: ${(e as Error).message}`;
    throw invalidInput(reason, [{ path: '(body)', reason }]);
  }
  if (reserved !== undefined) {
    const reason = `the body uses the reserved key '${reserved}' (refused to prevent prototype poisoning); rename or remove it`;
    throw invalidInput(reason, [{ path: '(body)', reason }]);
  }
  return value;
}

/** Replaces fastify's application/json parser with parseJsonBody (body limits are unchanged). */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request: FastifyRequest, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
    try {
      done(null, parseJsonBody(typeof body === 'string' ? body : body.toString('utf8')));
    } catch (e) {
      done(e as Error);
    }
  });
}
