/**
 * The body reader of POST /v1/events: a batch `{"events":[…]}` is cut into its events as its bytes
 * arrive; each piece's whole events are parsed (one JSON.parse per piece) and handed to the batch's
 * validation (serving/event-batch-check.ts) before the next piece is read.
 *
 * - A big batch costs the event loop a piece at a time (a socket read, ≤ 64 KB: ~0.5 ms of parse),
 *   never one block of JSON.parse over megabytes.
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
import { JsonLimitScanner, parseJsonBody, type DepthWatch, type JsonLimits } from './json-body.ts';
import { eventsRequestSchema } from './schemas/events-schema.ts';

/** A batch read by the streamed reader: already validated, event by event. */
export class StreamedEventsBatch {
  constructor(readonly checked: CheckedEvents) {}
}

/** `{ "events" : [` — the start of a batch the reader cuts (any other body is read whole). */
const BATCH_HEAD = /^\s*\{\s*"events"\s*:\s*\[$/;
/** What may follow the events array's `]`. */
const BATCH_TAIL = /^\s*\}\s*$/;
/** A head longer than this is not `{"events": [` with some whitespace: the body is read whole. */
const MAX_HEAD_BYTES = 4096;
/** A tail longer than this is not `}` with some whitespace. */
const MAX_TAIL_BYTES = 4096;

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

const isBlank = (bytes: Buffer): boolean => bytes.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09);

/**
 * Cuts one body, piece by piece: `push` each piece in order, then `end` says what the body was — a
 * StreamedEventsBatch, or (any other shape) the value parsed whole.
 */
export class EventsBodyCutter implements DepthWatch {
  readonly depth = 2; // the events array sits in the body's object
  private readonly scanner: JsonLimitScanner;
  private mode: 'head' | 'events' | 'tail' | 'whole' = 'head';
  /** head and whole: every piece so far; tail: the bytes after the array's `]`. */
  private kept: Buffer[] = [];
  private keptBytes = 0;
  /** events: the bytes of the event being cut that came in earlier pieces. */
  private carry: Buffer[] = [];
  /** Offset of the current event's first byte (after the `[` or its comma). */
  private eventStart = 0;
  /** Events cut so far (parsed, or once the batch is full, only counted). */
  private events = 0;
  /** The watched boundaries of the piece being scanned: kind and offset. */
  private readonly kinds: number[] = [];
  private readonly offsets: number[] = [];

  constructor(limits: JsonLimits, private readonly check: EventBatchCheck) {
    this.scanner = new JsonLimitScanner(limits, this);
  }

  seen(kind: 'open' | 'comma' | 'close', at: number, isArray: boolean): void {
    if (this.mode !== 'head' && this.mode !== 'events') return;
    this.kinds.push(kind === 'open' ? (isArray ? OPEN_ARRAY : OPEN_OBJECT) : kind === 'comma' ? COMMA : CLOSE);
    this.offsets.push(at);
  }

  /** @throws JsonLimitError (413); ALMANAC_ERR_INPUT_INVALID (400) for a malformed event or tail */
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
    else if (this.mode === 'tail') {
      this.keep(piece);
      if (this.keptBytes > MAX_TAIL_BYTES) throw this.badTail();
    }
    if (this.mode === 'events') {
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
    } else {
      kinds.length = 0;
      offsets.length = 0;
    }
  }

  /** The events of `piece` that end in it; the bytes of the one it leaves open are carried. */
  private async take(piece: Buffer, pieceStart: number, ends: number[], closedAt: number): Promise<void> {
    if (closedAt >= 0 && piece[closedAt - pieceStart] !== 0x5d) { // `}`: a malformed event before it is the better answer
      await this.parse(piece, pieceStart, ends, closedAt);
      throw notJson(`the events array is closed by '}' (at byte ${closedAt})`);
    }
    if (closedAt >= 0) {
      this.mode = 'tail';
      this.keep(piece.subarray(closedAt - pieceStart + 1));
    }
    await this.parse(piece, pieceStart, ends, closedAt);
  }

  private async parse(piece: Buffer, pieceStart: number, ends: number[], closedAt: number): Promise<void> {
    const from = Math.max(this.eventStart - pieceStart, 0);
    if (ends.length === 0) {
      if (!this.check.full) this.carry.push(piece.subarray(from));
      return;
    }
    const runStart = this.eventStart;
    const lastEnd = ends[ends.length - 1] as number;
    const carried = this.carry;
    this.carry = [];
    this.eventStart = lastEnd + 1;
    if (this.mode === 'events' && !this.check.full) this.carry.push(piece.subarray(lastEnd - pieceStart + 1));
    const first = this.events;
    this.events += ends.length;
    if (this.check.full) return; // refused already: counted, not parsed
    const local = piece.subarray(from, lastEnd - pieceStart);
    const bytes = carried.length === 0 ? local : Buffer.concat([...carried, local]);
    if (closedAt >= 0 && first === 0 && ends.length === 1 && isBlank(bytes)) { // `[]`: no event
      this.events = 0;
      return;
    }
    // in groups, so that once the batch is full of reasons the rest of the piece is not parsed
    for (let g = 0; g < ends.length && !this.check.full; g += PARSE_GROUP) {
      const groupEnds = ends.slice(g, g + PARSE_GROUP);
      const start = g === 0 ? runStart : (ends[g - 1] as number) + 1;
      const group = bytes.subarray(start - runStart, (groupEnds[groupEnds.length - 1] as number) - runStart);
      let values: unknown[] | undefined;
      let failure: unknown;
      try {
        values = parseJsonBody(`[${group.toString('utf8')}]`) as unknown[];
      } catch (e) {
        failure = e;
      }
      // (an empty last event, `[…,]` cut before the `]`, parses as one event fewer)
      if (values === undefined || values.length !== groupEnds.length) throw this.locate(group, start, groupEnds, first + g) ?? failure ?? notJson(`events.${first + g} to events.${first + g + groupEnds.length - 1} do not parse as ${groupEnds.length} events`);
      await this.check.add(values);
    }
  }

  /** The first event of a run that does not parse on its own, as the error naming it. */
  private locate(bytes: Buffer, runStart: number, ends: number[], first: number): Error | undefined {
    let start = runStart;
    for (let k = 0; k < ends.length; k++) {
      const end = ends[k] as number;
      const event = bytes.subarray(start - runStart, end - runStart);
      const path = `events.${first + k}`;
      if (isBlank(event)) return notJson(`${path} is empty (two commas, or a comma before the closing bracket)`, path);
      try {
        parseJsonBody(event.toString('utf8'));
      } catch (e) {
        if (!isAlmanacError(e)) throw e;
        if (e.message.startsWith('the body uses')) {
          const reason = e.message.replace(/^the body/, path);
          return invalidInput(reason, [{ path, reason }]);
        }
        return notJson(`${path}: ${e.message.replace(/^the body is not valid JSON: /, '')}`, path);
      }
      start = end + 1;
    }
    return undefined;
  }

  private keep(bytes: Buffer): void {
    this.kept.push(bytes);
    this.keptBytes += bytes.length;
  }

  private badTail(): Error {
    return invalidInput('invalid events batch: the body has more than its closing "}" after the events array (another key?); send {"events": [...]} alone', [{ path: '(body)', reason: 'the body has more than its closing "}" after the events array; send {"events": [...]} alone' }]);
  }

  /**
   * What the whole body was: the validated batch, or (another shape) the value parsed whole.
   * @throws ALMANAC_ERR_INPUT_INVALID (400): malformed, no event, or the batch's `maxReasons` reasons
   */
  end(): StreamedEventsBatch | unknown {
    if (this.mode === 'head' || this.mode === 'whole') return parseJsonBody(Buffer.concat(this.kept).toString('utf8'));
    if (this.mode === 'events') throw notJson('the body ends inside the events array');
    if (!BATCH_TAIL.test(Buffer.concat(this.kept).toString('utf8'))) throw this.badTail();
    if (this.events === 0) parseOrThrow(eventsRequestSchema, { events: [] }, 'events batch'); // the schema's own 400
    return new StreamedEventsBatch(this.check.finish(this.events));
  }
}

/**
 * Reads a request's body through an EventsBodyCutter, holding to the route's bodyLimit and the
 * declared Content-Length as fastify's own reader does (413 / 400 with fastify's codes).
 */
export function readEventsBody(request: FastifyRequest, payload: Readable, cutter: EventsBodyCutter): Promise<unknown> {
  const limit = request.routeOptions.bodyLimit ?? Infinity;
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  return new Promise((resolve, reject) => {
    let received = 0;
    const stop = (e: unknown): void => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
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
      payload.pause(); // one piece at a time: the next is read when this one is parsed and checked,
      // after the loop has seen to its other I/O (pieces already buffered would otherwise follow at once)
      cutter.push(piece).then(() => setImmediate(() => payload.resume()), stop);
    };
    const onError = (e: Error & { statusCode?: number }): void => {
      if (!(typeof e.statusCode === 'number' && e.statusCode >= 400)) e.statusCode = 400;
      stop(e);
    };
    const onEnd = (): void => {
      payload.removeListener('data', onData);
      payload.removeListener('error', onError);
      if (!Number.isNaN(declared) && received !== declared) {
        reject(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        return;
      }
      try {
        resolve(cutter.end());
      } catch (e) {
        reject(e);
      }
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
export function installEventsBodyReader(scope: FastifyInstance, limits: JsonLimits, newCheck: () => EventBatchCheck): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', (request: FastifyRequest, payload: Readable) => readEventsBody(request, payload, new EventsBodyCutter(limits, newCheck())));
}
