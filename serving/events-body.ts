/**
 * The body reader of POST /v1/events: a batch `{"events":[…]}` is cut into its events as its bytes
 * arrive; each piece's whole events are parsed (one JSON.parse per 128 events) and handed to the
 * batch's validation (serving/event-batch-check.ts) before the next piece is read.
 *
 * - A big batch costs the event loop a piece at a time (a socket read, ≤ 64 KB: ~0.5 ms of parse),
 *   never one block of JSON.parse over megabytes; each piece waits for a gap between predict and
 *   search requests (serving/foreground-gate.ts, at most PIECE_WAIT_MS).
 * - Events are parsed and checked in order; the first of "an event is malformed" and "the batch has
 *   its reasons" decides, whatever the pieces, and a JSON limit passed anywhere (413) overrides both.
 * - Once the batch has its `maxReasons` reasons it will be refused whole, so its later events are
 *   not parsed: an all-invalid 10,000-event batch is parsed a few dozen events deep. Its bytes are
 *   still read and counted to the end: the answer says how many events were not checked, and the
 *   client gets its 400 after sending, not a broken pipe.
 * - The JSON limits (items per array, values, depth) are counted from the first byte (as every other
 *   route's from 32 KiB, serving/json-body.ts), and the route's bodyLimit and the declared
 *   Content-Length are held to as fastify's own reader holds to them.
 *
 * Any other shape — another first key, `events` not an array, an escaped key — is read whole and
 * parsed as every JSON body is, so its answer is the schema's. Malformed JSON in an event is
 * refused naming the event (`events.12`); a malformation after the batch was already full of
 * reasons gets the reasons' 400 instead. Either way nothing is written.
 */
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { invalidInput, isAlmanacError } from '../core/errors.ts';
import { parseOrThrow } from '../core/validation.ts';
import type { CheckedEvents, EventBatchCheck } from './event-batch-check.ts';
import type { ForegroundGate } from './foreground-gate.ts';
import { DEFAULT_JSON_LIMITS, JsonLimitScanner, parseJsonBody, type DepthWatch, type JsonLimits } from './json-body.ts';
import { eventsRequestSchema } from './schemas/events-schema.ts';

/** A batch read by the streamed reader: already validated, event by event. */
export class StreamedEventsBatch {
  constructor(readonly checked: CheckedEvents) {}
}

/** `{ "events" : [` — the start of a batch the reader cuts (any other body is read whole); JSON's whitespace only. */
const BATCH_HEAD = /^[ \t\n\r]*\{[ \t\n\r]*"events"[ \t\n\r]*:[ \t\n\r]*\[$/;
/** A head longer than this is not `{"events": [` with some whitespace: the body is read whole. */
const MAX_HEAD_BYTES = 4096;

/** The longest a piece waits for a gap between interactive requests (serving/foreground-gate.ts). */
const PIECE_WAIT_MS = 20;

/** Events parsed by one JSON.parse (a piece's are parsed in groups: a full batch stops between two). */
const PARSE_GROUP = 128;

const OPEN_ARRAY = 0;
const OPEN_OBJECT = 1;
const COMMA = 2;
const CLOSE = 3;

function notJson(reason: string, path = '(body)'): Error {
  const message = `the body is not valid JSON: ${reason}`;
  return invalidInput(message, [{ path, reason: message }]);
}

const isWhitespace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isBlank = (bytes: Buffer): boolean => bytes.every(isWhitespace);

function badTail(): Error {
  const reason = 'the body has more than its closing "}" after the events array (another key?); send {"events": [...]} alone';
  return invalidInput(`invalid events batch: ${reason}`, [{ path: '(body)', reason }]);
}

/**
 * Cuts one body, piece by piece: `push` each piece in order, then `end` says what the body was — a
 * StreamedEventsBatch, or (any other shape) the value parsed whole.
 *
 * The answer does not depend on how the body is cut: events are parsed and checked in order, and
 * the first of "an event is malformed" and "the batch has its maxReasons reasons" decides; either
 * way the rest is only scanned and counted (`mode` 'counted'), and the decision is given at the end,
 * unless the rest passes a JSON limit (413, at once, wherever it is).
 */
export class EventsBodyCutter implements DepthWatch {
  readonly depth = 2; // the events array sits in the body's object
  private readonly scanner: JsonLimitScanner;
  private mode: 'head' | 'events' | 'tail' | 'whole' | 'counted' = 'head';
  /** The first malformation, in event order (before the batch was full). */
  private failure: Error | undefined;
  /** head and whole: every piece so far. */
  private kept: Buffer[] = [];
  private keptBytes = 0;
  /** events: the bytes of the event being cut that came in earlier pieces. */
  private carry: Buffer[] = [];
  /** Offset of the current event's first byte (after the `[` or its comma). */
  private eventStart = 0;
  /** Events cut so far (parsed, or once decided, only counted). */
  private events = 0;
  private arrayClosed = false;
  /** tail: the body's closing `}` has been seen. */
  private tailClosed = false;
  /** The watched boundaries of the piece being scanned: kind and offset. */
  private readonly kinds: number[] = [];
  private readonly offsets: number[] = [];

  constructor(limits: JsonLimits, private readonly check: EventBatchCheck) {
    this.scanner = new JsonLimitScanner(limits, this);
  }

  seen(kind: 'open' | 'comma' | 'close', at: number, isArray: boolean): void {
    if (this.mode === 'head' || this.mode === 'events') {
      this.kinds.push(kind === 'open' ? (isArray ? OPEN_ARRAY : OPEN_OBJECT) : kind === 'comma' ? COMMA : CLOSE);
      this.offsets.push(at);
    } else if (this.mode === 'counted' && !this.arrayClosed && kind !== 'open') { // decided: the events are only counted
      this.events++;
      if (kind === 'close') this.arrayClosed = true;
    }
  }

  /** @throws JsonLimitError (413) at once; malformations are held for `end` */
  async push(piece: Buffer): Promise<void> {
    const pieceStart = this.scanner.bytesSeen;
    this.scanner.push(piece);
    const { kinds, offsets } = this;
    let m = 0;
    if (this.mode === 'head') {
      this.keep(piece);
      while (m < kinds.length && kinds[m] !== OPEN_ARRAY && kinds[m] !== OPEN_OBJECT) m++;
      if (m === kinds.length) { // no container in the body's object yet
        if (this.keptBytes > MAX_HEAD_BYTES) this.mode = 'whole';
      } else {
        const at = offsets[m] as number;
        const head = Buffer.concat(this.kept, at + 1).toString('utf8');
        if (kinds[m] === OPEN_ARRAY && BATCH_HEAD.test(head)) {
          this.mode = 'events';
          this.kept = [];
          this.keptBytes = 0;
          this.eventStart = at + 1;
          m++;
        } else this.mode = 'whole';
      }
    } else if (this.mode === 'whole') this.keep(piece);
    else if (this.mode === 'tail') this.scanTail(piece);
    if (this.mode !== 'events') {
      kinds.length = 0;
      offsets.length = 0;
      return;
    }
    const ends: number[] = []; // offsets of the commas (and `]`) that end this piece's events
    let closedAt = -1;
    for (; m < kinds.length; m++) {
      const at = offsets[m] as number;
      ends.push(at);
      if (kinds[m] === CLOSE) {
        closedAt = at;
        break;
      }
    }
    kinds.length = 0;
    offsets.length = 0;
    await this.take(piece, pieceStart, ends, closedAt);
  }

  /** The events of `piece` that end in it, in order; the bytes of the one it leaves open are carried. */
  private async take(piece: Buffer, pieceStart: number, ends: number[], closedAt: number): Promise<void> {
    const from = Math.max(this.eventStart - pieceStart, 0);
    if (ends.length === 0) {
      this.carry.push(piece.subarray(from));
      return;
    }
    const runStart = this.eventStart;
    const lastEnd = ends[ends.length - 1] as number;
    const local = piece.subarray(from, lastEnd - pieceStart);
    const bytes = this.carry.length === 0 ? local : Buffer.concat([...this.carry, local]);
    this.carry = closedAt >= 0 ? [] : [piece.subarray(lastEnd - pieceStart + 1)];
    this.eventStart = lastEnd + 1;
    const first = this.events;
    this.events += ends.length;
    if (closedAt >= 0) this.arrayClosed = true;
    if (closedAt >= 0 && first === 0 && ends.length === 1 && isBlank(bytes)) this.events = 0; // `[]`: no event
    else if (!(await this.parse(bytes, runStart, ends, first))) return; // decided
    if (closedAt < 0) return;
    if (piece[closedAt - pieceStart] !== 0x5d) return this.decide(notJson(`the events array is closed by '}' (at byte ${closedAt})`));
    this.mode = 'tail';
    this.scanTail(piece.subarray(closedAt - pieceStart + 1));
  }

  /**
   * Parses and checks a run of whole events (bytes from `runStart`, each ending at its `ends`
   * offset) in groups; false once the batch is decided (full of reasons, or a malformed event).
   */
  private async parse(bytes: Buffer, runStart: number, ends: number[], first: number): Promise<boolean> {
    for (let g = 0; g < ends.length; g += PARSE_GROUP) {
      const groupEnds = ends.slice(g, g + PARSE_GROUP);
      const start = g === 0 ? runStart : (ends[g - 1] as number) + 1;
      const group = bytes.subarray(start - runStart, (groupEnds[groupEnds.length - 1] as number) - runStart);
      let values: unknown[] | undefined;
      try {
        values = parseJsonBody(`[${group.toString('utf8')}]`) as unknown[];
      } catch { /* one of them is malformed: parsed one by one below */ }
      // (an empty last event, `[…,]` cut before the `]`, parses as one event fewer)
      if (values !== undefined && values.length === groupEnds.length) await this.check.add(values);
      else await this.oneByOne(group, start, groupEnds, first + g);
      if (this.check.full) this.decide(undefined);
      if (this.mode === 'counted') return false;
    }
    return true;
  }

  /** The events of a group that did not parse whole, one at a time, checked in order up to the malformed one. */
  private async oneByOne(bytes: Buffer, runStart: number, ends: number[], first: number): Promise<void> {
    let start = runStart;
    for (let k = 0; k < ends.length && !this.check.full; k++) {
      const end = ends[k] as number;
      const event = bytes.subarray(start - runStart, end - runStart);
      const path = `events.${first + k}`;
      if (isBlank(event)) return this.decide(notJson(`${path} is empty (two commas, or a comma before the closing bracket)`, path));
      let value: unknown;
      try {
        value = parseJsonBody(event.toString('utf8'));
      } catch (e) {
        if (!isAlmanacError(e)) throw e;
        if (e.message.startsWith('the body uses')) {
          const reason = e.message.replace(/^the body/, path);
          return this.decide(invalidInput(reason, [{ path, reason }]));
        }
        return this.decide(notJson(`${path}: ${e.message.replace(/^the body is not valid JSON: /, '')}`, path));
      }
      await this.check.add([value]);
      start = end + 1;
    }
  }

  /** The batch is decided (`failure`, or undefined: full of reasons): the rest is only counted. */
  private decide(failure: Error | undefined): void {
    if (this.mode === 'counted') return;
    this.failure = failure;
    this.mode = 'counted';
    this.carry = [];
  }

  /** After the array: JSON whitespace, the one closing `}`, whitespace. */
  private scanTail(bytes: Buffer): void {
    for (const b of bytes) {
      if (isWhitespace(b)) continue;
      if (b === 0x7d && !this.tailClosed) this.tailClosed = true;
      else return this.decide(badTail());
    }
  }

  private keep(bytes: Buffer): void {
    this.kept.push(bytes);
    this.keptBytes += bytes.length;
  }

  /**
   * What the whole body was: the validated batch, or (another shape) the value parsed whole.
   * @throws ALMANAC_ERR_INPUT_INVALID (400): malformed, no event, or the batch's `maxReasons` reasons
   */
  end(): StreamedEventsBatch | unknown {
    if (this.mode === 'head' || this.mode === 'whole') return parseJsonBody(Buffer.concat(this.kept).toString('utf8'));
    if (this.failure !== undefined) throw this.failure;
    if (this.check.full) return this.check.finish(this.events); // throws the reasons' 400
    if (this.mode === 'events') throw notJson('the body ends inside the events array');
    if (!this.tailClosed) throw notJson('the body ends before its closing "}"');
    if (this.events === 0) parseOrThrow(eventsRequestSchema, { events: [] }, 'events batch'); // the schema's own 400
    return new StreamedEventsBatch(this.check.finish(this.events));
  }
}

/**
 * Reads a request's body through an EventsBodyCutter, holding to the route's bodyLimit and the
 * declared Content-Length as fastify's own reader does (413 / 400 with fastify's codes).
 */
export function readEventsBody(request: FastifyRequest, payload: Readable, cutter: EventsBodyCutter, gate?: ForegroundGate): Promise<unknown> {
  const limit = request.routeOptions.bodyLimit ?? Infinity;
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  return new Promise((resolve, reject) => {
    let received = 0;
    let settled = false;
    /** The piece being cut: the stream can end (even paused) before it is done, and the end waits for it. */
    let cutting: Promise<void> = Promise.resolve();
    /** Once: stops listening (later stream errors are ignored); false when already settled. */
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
      payload.on('error', () => {});
      return true;
    };
    const stop = (e: unknown): void => {
      if (!settle()) return;
      payload.resume(); // the rest is let through unread (fastify closes the connection after an error)
      reject(e);
    };
    const onData = (chunk: Buffer | string): void => {
      const piece = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += piece.length;
      if (received > limit) {
        stop(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      payload.pause(); // one piece at a time: the next is read when this one is cut and checked
      // each piece waits for a gap between interactive requests (at most PIECE_WAIT_MS), or at least
      // for the loop's next turn: pieces already buffered would otherwise follow at once
      const gap = gate === undefined ? new Promise<void>((resolve) => setImmediate(resolve)) : gate.idle(PIECE_WAIT_MS);
      cutting = gap.then(() => (settled ? undefined : cutter.push(piece))).then(() => { if (!settled) payload.resume(); }, stop);
    };
    const onError = (e: Error & { statusCode?: number }): void => {
      if (!(typeof e.statusCode === 'number' && e.statusCode >= 400)) e.statusCode = 400;
      stop(e);
    };
    const onEnd = (): void => {
      void cutting.then(() => {
        if (!settle()) return;
        if (!Number.isNaN(declared) && received !== declared) {
          reject(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
          return;
        }
        try {
          resolve(cutter.end());
        } catch (e) {
          reject(e);
        }
      });
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}

/**
 * Makes `scope`'s application/json parser the streamed events reader (scope: an encapsulated
 * plugin holding only POST /v1/events). `newCheck` gives each request its batch validation.
 */
export function installEventsBodyReader(scope: FastifyInstance, newCheck: () => EventBatchCheck, gate?: ForegroundGate): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', (request: FastifyRequest, payload: Readable) =>
    readEventsBody(request, payload, new EventsBodyCutter(request.routeOptions.config.jsonLimits ?? DEFAULT_JSON_LIMITS, newCheck()), gate));
}
