/**
 * The JSON body parser of every route. Like fastify's default it refuses the prototype-poisoning
 * keys (`__proto__`, `constructor.prototype`), but says so instead of "not valid JSON".
 *
 * A body of 32 KiB or more is first scanned, as bytes (yielding to the event loop every 64 KiB), against the
 * route's JSON limits — items per array, values in all, nesting depth — so a cheap hostile body
 * (6 MB of `{"events":[{},{},…]}` is two million objects, half a second of JSON.parse) is refused
 * with 413 after a few milliseconds instead of blocking every other request. A route sets its own
 * limits with `config: { jsonLimits }`.
 */
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
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
const SCAN_FROM_BYTES = 32 * 1024;
const SCAN_SLICE_BYTES = 64 * 1024;

/** A body over the route's JSON limits: 413, with the limit that was passed. */
export class JsonLimitError extends Error {
  readonly statusCode = 413;
  readonly code = 'ALMANAC_BODY_TOO_COMPLEX';
}

/**
 * Counts a JSON body against `limits` as its bytes arrive, without building any value (malformed
 * JSON is left to JSON.parse). Bytes, not characters: every structural character is ASCII and no
 * byte of a multi-byte UTF-8 sequence is below 0x80, so the raw body is scanned undecoded, in
 * pieces, with its state (open containers, inside a string, after a backslash) carried across.
 */
export class JsonLimitScanner {
  private readonly items: number[] = []; // per open container: members/items so far (arrays only counted against maxArrayItems)
  private readonly isArray: boolean[] = [];
  private values = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly limits: JsonLimits) {}

  /** @throws JsonLimitError (413) naming the limit passed */
  push(bytes: Uint8Array): void {
    const { items, isArray, limits } = this;
    if (bytes.length === 0) return;
    let i = 0;
    if (this.escaped) { // the last piece ended on a backslash inside a string: this byte is the escaped one
      this.escaped = false;
      i = 1;
    }
    for (; i < bytes.length; i++) {
      const c = bytes[i] as number;
      if (this.inString) {
        if (c === 0x5c) { // backslash: skip the escaped character (perhaps the next piece's first)
          if (i === bytes.length - 1) this.escaped = true;
          i++;
        } else if (c === 0x22) this.inString = false;
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) { // { [
        if (isArray.length >= limits.maxDepth) throw new JsonLimitError(`the body nests objects and arrays deeper than ${limits.maxDepth} levels; this route accepts at most ${limits.maxDepth}`);
        isArray.push(c === 0x5b);
        items.push(0);
        if (++this.values > limits.maxValues) throw tooManyValues(limits);
      } else if (c === 0x7d || c === 0x5d) { // } ]
        isArray.pop();
        items.pop();
      } else if (c === 0x2c) { // ,
        const top = items.length - 1;
        if (top < 0) continue;
        const n = (items[top] as number) + 1;
        items[top] = n;
        if (isArray[top] === true && n >= limits.maxArrayItems) throw new JsonLimitError(`the body has an array of more than ${limits.maxArrayItems} items; this route accepts at most ${limits.maxArrayItems} per array (send smaller batches)`);
        if (++this.values > limits.maxValues) throw tooManyValues(limits);
      }
    }
  }
}

/**
 * Checks a whole body against `limits` (JsonLimitScanner), yielding to the event loop every 64 KiB.
 * @throws JsonLimitError (413) naming the limit passed
 */
export async function checkJsonLimits(body: string | Uint8Array, limits: JsonLimits): Promise<void> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const scanner = new JsonLimitScanner(limits);
  for (let at = 0; at < bytes.length; at += SCAN_SLICE_BYTES) {
    if (at > 0) await yieldToLoop();
    scanner.push(bytes.subarray(at, at + SCAN_SLICE_BYTES));
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

/**
 * Replaces fastify's application/json parser with one that reads the body itself, as fastify's
 * does (the route's bodyLimit, the declared content-length; the same errors), and counts it against
 * the route's JSON limits as it arrives once 32 KiB have come (JsonLimitScanner): a hostile 6 MB
 * body over a limit in its first 30 KB is refused there, never buffered, joined or decoded. A body
 * that passes is decoded once and parsed by parseJsonBody.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (request: FastifyRequest, payload: NodeJS.ReadableStream & { receivedEncodedLength?: number }, done: (err: Error | null, body?: unknown) => void) => {
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024;
    const contentLength = Number(request.headers['content-length']);
    if (contentLength > limit) {
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    const limits = request.routeOptions.config.jsonLimits ?? DEFAULT_JSON_LIMITS;
    let scanner: JsonLimitScanner | undefined;
    let received = 0;
    const chunks: Buffer[] = [];
    const stop = (): void => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onEnd);
    };
    function onData(chunk: Buffer | string): void {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += bytes.length;
      if (received > limit || (payload.receivedEncodedLength ?? 0) > limit) {
        stop();
        done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      chunks.push(bytes);
      try {
        if (scanner !== undefined) scanner.push(bytes);
        else if (received >= SCAN_FROM_BYTES) {
          scanner = new JsonLimitScanner(limits);
          for (const c of chunks) scanner.push(c);
        }
      } catch (e) {
        stop();
        chunks.length = 0;
        done(e as Error);
      }
    }
    function onEnd(err?: Error & { statusCode?: number }): void {
      stop();
      if (err != null) {
        if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
        done(err);
        return;
      }
      if (!Number.isNaN(contentLength) && (payload.receivedEncodedLength || received) !== contentLength) {
        done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        return;
      }
      try {
        done(null, parseJsonBody(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, received).toString('utf8')));
      } catch (e) {
        done(e as Error);
      }
    }
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onEnd);
    payload.resume();
  });
}
