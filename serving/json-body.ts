/**
 * The JSON body parser of every route. Like fastify's default it refuses the prototype-poisoning
 * keys (`__proto__`, `constructor.prototype`), but says so instead of "not valid JSON".
 *
 * A JSON body of 32 KiB or more is counted, as its bytes arrive, against the route's JSON limits —
 * items per array, values in all, nesting depth — so a cheap hostile body (6 MB of
 * `{"events":[{},{},…]}` is two million objects, half a second of JSON.parse) is refused with 413
 * after its first ~30 KB, never buffered, joined or decoded. The count runs in a `preParsing`
 * stream, so fastify's own body reader keeps its work (bodyLimit, content-length, errors). A route
 * sets its own limits with `config: { jsonLimits }`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Transform, type Readable } from 'node:stream';
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
    /** The route's own body parser counts its JSON limits as it reads (POST /v1/events: serving/events-body.ts). */
    readsOwnJson?: boolean;
    /** An interactive route (predict, search): bulk work waits for gaps between its requests (serving/foreground-gate.ts). */
    foreground?: boolean;
  }
}

/** Bodies below this are parsed without a scan (at most ~10k values: a few ms of JSON.parse). */
const SCAN_FROM_BYTES = 32 * 1024;

/** A body over the route's JSON limits: 413, with the limit that was passed. */
export class JsonLimitError extends Error {
  readonly statusCode = 413;
  readonly code = 'ALMANAC_BODY_TOO_COMPLEX';
}

const QUOTE = 1;
const COMMA = 2;
const OPEN = 3;
const CLOSE = 4;
/** What each byte is to the scanner outside strings (0: nothing to count). */
const BYTE_KIND = new Uint8Array(256);
BYTE_KIND[0x22] = QUOTE;
BYTE_KIND[0x2c] = COMMA;
BYTE_KIND[0x7b] = OPEN;
BYTE_KIND[0x5b] = OPEN;
BYTE_KIND[0x7d] = CLOSE;
BYTE_KIND[0x5d] = CLOSE;

/**
 * Where the containers at one depth open, separate their items and close (`JsonLimitScanner`'s
 * optional watch): what lets POST /v1/events cut its batch into events as the bytes arrive.
 * `at` is the byte's offset from the first byte pushed.
 */
export interface DepthWatch {
  /** Open containers counted from the body's own (1) in which the watched items sit. */
  readonly depth: number;
  /** A container opened at `depth` (`isArray` says which kind), a comma directly in it, or its close. */
  seen(kind: 'open' | 'comma' | 'close', at: number, isArray: boolean): void;
}

/**
 * Counts a JSON body against `limits` as its bytes arrive, without building any value (malformed
 * JSON is left to JSON.parse). Bytes, not characters: every structural character is ASCII and no
 * byte of a multi-byte UTF-8 sequence is below 0x80, so the raw body is scanned undecoded, in
 * pieces, with its state (open containers, inside a string, after a backslash) carried across.
 * The loop keeps its state in locals and classifies bytes by a table (~2 ns a byte; with fields, ~3.4).
 */
export class JsonLimitScanner {
  private readonly items: number[] = []; // per open container: members/items so far (arrays only counted against maxArrayItems)
  private readonly isArray: boolean[] = [];
  private values = 0;
  private inString = false;
  private escaped = false;
  /** Bytes pushed before the current piece. */
  private offset = 0;

  constructor(private readonly limits: JsonLimits, private readonly watch?: DepthWatch) {}

  /** Bytes pushed so far. */
  get bytesSeen(): number { return this.offset; }

  /** @throws JsonLimitError (413) naming the limit passed */
  push(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n === 0) return;
    const { items, isArray, watch } = this;
    const { maxDepth, maxValues, maxArrayItems } = this.limits;
    const watched = watch?.depth ?? -1;
    const base = this.offset;
    this.offset += n;
    let inString = this.inString;
    let values = this.values;
    let i = 0;
    if (this.escaped) { // the last piece ended on a backslash inside a string: this byte is the escaped one
      this.escaped = false;
      i = 1;
    }
    for (; i < n; i++) {
      if (inString) { // to the closing quote, stepping over escaped characters
        for (; i < n; i++) {
          const c = bytes[i] as number;
          if (c === 0x22) break;
          if (c === 0x5c) { // backslash: skip the escaped character (perhaps the next piece's first)
            if (i === n - 1) this.escaped = true;
            i++;
          }
        }
        if (i >= n) break;
        inString = false;
        continue;
      }
      const c = bytes[i] as number;
      const kind = BYTE_KIND[c] as number;
      if (kind === 0) continue;
      if (kind === QUOTE) inString = true;
      else if (kind === COMMA) {
        const top = items.length - 1;
        if (top < 0) continue;
        const count = (items[top] as number) + 1;
        items[top] = count;
        if (isArray[top] === true && count >= maxArrayItems) throw new JsonLimitError(`the body has an array of more than ${maxArrayItems} items; this route accepts at most ${maxArrayItems} per array (send smaller batches)`);
        if (++values > maxValues) throw tooManyValues(maxValues);
        if (top + 1 === watched) watch!.seen('comma', base + i, isArray[top] === true);
      } else if (kind === OPEN) {
        if (isArray.length >= maxDepth) throw new JsonLimitError(`the body nests objects and arrays deeper than ${maxDepth} levels; this route accepts at most ${maxDepth}`);
        isArray.push(c === 0x5b);
        items.push(0);
        if (++values > maxValues) throw tooManyValues(maxValues);
        if (isArray.length === watched) watch!.seen('open', base + i, c === 0x5b);
      } else { // CLOSE: } ]
        if (isArray.length === watched) watch!.seen('close', base + i, isArray[watched - 1] === true);
        isArray.pop();
        items.pop();
      }
    }
    this.inString = inString;
    this.values = values;
  }
}

function tooManyValues(maxValues: number): JsonLimitError {
  return new JsonLimitError(`the body holds more than ${maxValues} JSON values; this route accepts at most ${maxValues} (send smaller batches)`);
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
 * The body stream of a JSON request counted against `limits` from its first SCAN_FROM_BYTES on (a
 * pass-through: fastify's reader gets every byte); over a limit it fails with the JsonLimitError,
 * which fastify answers (413) without reading the rest.
 */
function countedAgainst(payload: Readable, limits: JsonLimits): Transform {
  let scanner: JsonLimitScanner | undefined;
  let received = 0;
  const before: Buffer[] = [];
  const counted: Transform & { receivedEncodedLength?: number } = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      counted.receivedEncodedLength = received;
      try {
        if (scanner !== undefined) scanner.push(chunk);
        else if (received < SCAN_FROM_BYTES) before.push(chunk);
        else {
          scanner = new JsonLimitScanner(limits);
          for (const c of before) scanner.push(c);
          before.length = 0;
          scanner.push(chunk);
        }
      } catch (e) {
        callback(e as Error);
        return;
      }
      callback(null, chunk);
    },
  });
  payload.on('error', (e) => counted.destroy(e));
  return payload.pipe(counted);
}

const isJson = (type: string | undefined): boolean => type !== undefined && type.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';

/**
 * Replaces fastify's application/json parser with parseJsonBody, and counts JSON bodies that may
 * reach SCAN_FROM_BYTES (declared so, or of no declared length) against the route's JSON limits as
 * they arrive (body size limits are unchanged).
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (!isJson(request.headers['content-type']) || Number(request.headers['content-length']) < SCAN_FROM_BYTES || request.routeOptions.config.readsOwnJson === true) return payload;
    return countedAgainst(payload, request.routeOptions.config.jsonLimits ?? DEFAULT_JSON_LIMITS);
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (_request: FastifyRequest, body: string | Buffer) => parseJsonBody(typeof body === 'string' ? body : body.toString('utf8')));
}
