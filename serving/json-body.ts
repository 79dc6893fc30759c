/**
 * The JSON body parser of every route. Like fastify's default it refuses the prototype-poisoning
 * keys (`__proto__`, `constructor.prototype`), but says so instead of "not valid JSON".
 *
 * A body of 32 KiB or more is first scanned (yielding to the event loop every 512 KiB) against the
 * route's JSON limits — items per array, values in all, nesting depth — so a cheap hostile body
 * (6 MB of `{"events":[{},{},…]}` is two million objects, half a second of JSON.parse) is refused
 * with 413 after a few milliseconds instead of blocking every other request. A route sets its own
 * limits with `config: { jsonLimits }`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { invalidInput } from '../core/errors.ts';

export interface JsonLimits {
  /** Items in any one array. */
  maxArrayItems: number;
  /** Values in the whole body (members of objects and items of arrays, counted together). */
  maxValues: number;
  /** Objects and arrays nested in one another. */
  maxDepth: number;
}

/** Every route but POST /v1/events: a plan's audience is at most 1000 segments. */
export const DEFAULT_JSON_LIMITS: JsonLimits = { maxArrayItems: 10_000, maxValues: 50_000, maxDepth: 32 };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's JSON limits (default DEFAULT_JSON_LIMITS). */
    jsonLimits?: JsonLimits;
  }
}

/** Bodies below this are parsed without a scan (at most ~10k values: a few ms of JSON.parse). */
const SCAN_FROM_CHARS = 32 * 1024;
const SCAN_SLICE_CHARS = 512 * 1024;

/** A body over the route's JSON limits: 413, with the limit that was passed. */
export class JsonLimitError extends Error {
  readonly statusCode = 413;
  readonly code = 'ALMANAC_BODY_TOO_COMPLEX';
}

/**
 * Checks `text` against `limits` without building any value; malformed JSON is left to JSON.parse.
 * @throws JsonLimitError (413) naming the limit passed
 */
export async function checkJsonLimits(text: string, limits: JsonLimits): Promise<void> {
  const items: number[] = []; // per open container: members/items so far (arrays only counted against maxArrayItems)
  const isArray: boolean[] = [];
  let values = 0;
  let inString = false;
  let next = SCAN_SLICE_CHARS;
  for (let i = 0; i < text.length; i++) {
    if (i >= next) {
      next += SCAN_SLICE_CHARS;
      await yieldToLoop();
    }
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) { // { [
      if (isArray.length >= limits.maxDepth) throw new JsonLimitError(`the body nests objects and arrays deeper than ${limits.maxDepth} levels; this route accepts at most ${limits.maxDepth}`);
      isArray.push(c === 0x5b);
      items.push(0);
      if (++values > limits.maxValues) throw tooManyValues(limits);
    } else if (c === 0x7d || c === 0x5d) { // } ]
      isArray.pop();
      items.pop();
    } else if (c === 0x2c) { // ,
      const top = items.length - 1;
      if (top < 0) continue;
      const n = (items[top] as number) + 1;
      items[top] = n;
      if (isArray[top] === true && n >= limits.maxArrayItems) throw new JsonLimitError(`the body has an array of more than ${limits.maxArrayItems} items; this route accepts at most ${limits.maxArrayItems} per array (send smaller batches)`);
      if (++values > limits.maxValues) throw tooManyValues(limits);
    }
  }
}

function tooManyValues(limits: JsonLimits): JsonLimitError {
  return new JsonLimitError(`the body holds more than ${limits.maxValues} JSON values; this route accepts at most ${limits.maxValues} (send smaller batches)`);
}

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

/** Replaces fastify's application/json parser with the limit check and parseJsonBody (body size limits are unchanged). */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, async (request: FastifyRequest, body: string | Buffer) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length >= SCAN_FROM_CHARS) await checkJsonLimits(text, request.routeOptions.config.jsonLimits ?? DEFAULT_JSON_LIMITS);
    return parseJsonBody(text);
  });
}
