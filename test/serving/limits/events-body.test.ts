/**
 * The streamed reader of POST /v1/events (serving/events-body.ts): a batch is cut into its events
 * as its bytes arrive, parsed a piece at a time and validated as it comes; once the batch is full of
 * reasons the rest is not parsed. It must decide exactly as parsing the whole body would, however the
 * body is cut into pieces, and refuse malformed bodies naming the event.
 */
import type { FastifyRequest } from 'fastify';
import { PassThrough } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { EventBatchCheck, validateEvents } from '../../../serving/event-batch-check.ts';
import { EventsBodyCutter, readEventsBody, StreamedEventsBatch } from '../../../serving/events-body.ts';
import { buildApp } from '../../../serving/app.ts';
import { EVENTS_JSON_LIMITS } from '../../../serving/schemas/events-schema.ts';
import { TOUCH, useEventsApp } from './events-app.ts';

const NOW = Date.parse('2024-06-01T00:00:00Z');

type Outcome = { kind: 'batch'; valid: unknown[]; validIndex: number[]; rejected: unknown[] } | { kind: 'value'; value: unknown } | { kind: 'error'; status: number | undefined; message: string };

/** What the cutter makes of `body` pushed in `pieces` (cut points). */
async function cut(body: Buffer, cuts: number[], maxReasons = 100): Promise<Outcome> {
  const cutter = new EventsBodyCutter(EVENTS_JSON_LIMITS, new EventBatchCheck({ now: NOW }, maxReasons));
  try {
    let at = 0;
    for (const c of [...cuts, body.length]) {
      await cutter.push(body.subarray(at, c));
      at = c;
    }
    const result = cutter.end();
    if (result instanceof StreamedEventsBatch) return { kind: 'batch', ...result.checked };
    return { kind: 'value', value: result };
  } catch (e) {
    const err = e as Error & { status?: number; statusCode?: number };
    return { kind: 'error', status: err.status ?? err.statusCode, message: err.message };
  }
}

const BODIES: Record<string, string> = {
  'valid, with commas, brackets, escaped quotes and multi-byte text in strings': JSON.stringify({ events: [TOUCH(1, { attributes: { note: 'a,b],[{c}"\\', city: 'Zürich — 東京 🎯' } }), TOUCH(2), TOUCH(3, { attributes: { x: [1, [2, { y: ',' }]] } })] }),
  'valid and invalid mixed': JSON.stringify({ events: [TOUCH(1), { type: 'touch', event_id: 1 }, 7, null, 'x', [], TOUCH(2)] }),
  'whitespace everywhere': ` \n{ "events" :\t[ ${JSON.stringify(TOUCH(1))} ,\n ${JSON.stringify(TOUCH(2))} ] } \n`,
  'an empty array': '{"events": [ ]}',
  'a malformed event': `{"events":[${JSON.stringify(TOUCH(1))},{"type": },${JSON.stringify(TOUCH(2))}]}`,
  'a trailing comma': `{"events":[${JSON.stringify(TOUCH(1))},]}`,
  'two commas': `{"events":[${JSON.stringify(TOUCH(1))},,${JSON.stringify(TOUCH(2))}]}`,
  'a prototype key in an event': `{"events":[${JSON.stringify(TOUCH(1))},{"type":"touch","__proto__":{"admin":true}}]}`,
  'another key after the array': `{"events":[${JSON.stringify(TOUCH(1))}],"other":1}`,
  'the array closed by a brace': `{"events":[${JSON.stringify(TOUCH(1))}}`,
  'the body ends inside the array': `{"events":[${JSON.stringify(TOUCH(1))},`,
  'another key first (read whole)': `{"other":1,"events":[${JSON.stringify(TOUCH(1))}]}`,
  'events not an array (read whole)': '{"events": "x"}',
  'an escaped key (read whole)': `{"ev\\u0065nts":[${JSON.stringify(TOUCH(1))}]}`,
  'not an object (read whole)': `[${JSON.stringify(TOUCH(1))}]`,
  'malformed whole': '{"events": [',
  'a long whitespace tail': `{"events":[${JSON.stringify(TOUCH(1))}]}${' '.repeat(5000)}`,
  'full of reasons, then malformed (cap 2)': '{"events":[7,7,{"x": },7]}',
  'malformed, then full of reasons (cap 2)': '{"events":[7,{"x": },7,7]}',
  'full of reasons, then closed by a brace (cap 2)': '{"events":[7,7,7}',
  'full of reasons, then another key (cap 2)': '{"events":[7,7,7],"x":1}',
  'a duplicate events key': `{"events":[${JSON.stringify(TOUCH(1))}],"events":[${JSON.stringify(TOUCH(2))}]}`,
};

/** Bytes JSON does not count as whitespace, where a regular expression's \s would. */
const NOT_JSON_WHITESPACE = ['\u00a0', '\ufeff', '\f', '\v', '\u2028', '\u3000'];

describe('the events body cutter', () => {
  it('decides the same however the body is cut into pieces', async () => {
    for (const [name, text] of Object.entries(BODIES)) {
      const body = Buffer.from(text, 'utf8');
      const cap = name.includes('(cap 2)') ? 2 : 100;
      const whole = await cut(body, [], cap);
      const step = Math.max(1, Math.floor(body.length / 97)); // every byte of short bodies, ~100 cut points of long ones
      for (let a = 0; a <= body.length; a += step) {
        for (const b of [a, Math.min(body.length, a + 1), Math.min(body.length, a + 7)]) {
          expect(await cut(body, [a, b], cap), `${name}: cut at ${a}, ${b}`).toEqual(whole);
        }
      }
    }
  });

  it('validates a batch exactly as validating the parsed body does', async () => {
    for (const name of ['valid, with commas, brackets, escaped quotes and multi-byte text in strings', 'valid and invalid mixed', 'whitespace everywhere']) {
      const text = BODIES[name] as string;
      const expected = await validateEvents((JSON.parse(text) as { events: unknown[] }).events, { now: NOW }, 100);
      expect(await cut(Buffer.from(text), []), name).toEqual({ kind: 'batch', ...expected });
    }
  });

  it('hands a body of another shape back parsed whole, for the schema to judge', async () => {
    expect(await cut(Buffer.from(BODIES['another key first (read whole)'] as string), [5])).toMatchObject({ kind: 'value', value: { other: 1 } });
    expect(await cut(Buffer.from(BODIES['events not an array (read whole)'] as string), [3])).toEqual({ kind: 'value', value: { events: 'x' } });
    expect(await cut(Buffer.from(BODIES['an escaped key (read whole)'] as string), [])).toMatchObject({ kind: 'value', value: { events: [{ type: 'touch' }] } });
  });

  it('refuses malformed JSON naming the event', async () => {
    const outcome = (name: string) => cut(Buffer.from(BODIES[name] as string), []);
    expect(await outcome('a malformed event')).toMatchObject({ kind: 'error', status: 400, message: expect.stringMatching(/^the body is not valid JSON: events\.1: /) });
    expect(await outcome('a trailing comma')).toMatchObject({ kind: 'error', message: expect.stringMatching(/events\.1 is empty/) });
    expect(await outcome('two commas')).toMatchObject({ kind: 'error', message: expect.stringMatching(/events\.1 is empty/) });
    expect(await outcome('a prototype key in an event')).toMatchObject({ kind: 'error', status: 400, message: "events.1 uses the reserved key '__proto__' (refused to prevent prototype poisoning); rename or remove it" });
    expect(await outcome('another key after the array')).toMatchObject({ kind: 'error', status: 400, message: expect.stringMatching(/after the events array/) });
    expect(await outcome('the array closed by a brace')).toMatchObject({ kind: 'error', status: 400, message: expect.stringMatching(/closed by '\}'/) });
    expect(await outcome('the body ends inside the array')).toMatchObject({ kind: 'error', status: 400, message: 'the body is not valid JSON: the body ends inside the events array' });
    expect(await outcome('an empty array')).toMatchObject({ kind: 'error', status: 400, message: expect.stringMatching(/send at least one event/) });
  });

  it('accepts exactly what JSON.parse accepts around the array: JSON whitespace only, any length of it', async () => {
    expect(await cut(Buffer.from(BODIES['a long whitespace tail'] as string), [])).toMatchObject({ kind: 'batch', valid: [{ event_id: 't-1' }] });
    const event = JSON.stringify(TOUCH(1));
    for (const ws of NOT_JSON_WHITESPACE) {
      const char = ws;
      for (const text of [`${char}{"events":[${event}]}`, `{"events"${char}:[${event}]}`, `{"events":[${event}]${char}}`, `{"events":[${event}]}${char}`]) {
        expect(() => JSON.parse(text), JSON.stringify(text)).toThrow();
        expect((await cut(Buffer.from(text), [])).kind, JSON.stringify(text)).toBe('error');
      }
    }
  });

  it('the first of "malformed" and "full of reasons", in event order, decides; a key after the array or a duplicate key is refused', async () => {
    const outcome = (name: string) => cut(Buffer.from(BODIES[name] as string), [], 2);
    expect(await outcome('full of reasons, then malformed (cap 2)')).toMatchObject({ kind: 'error', message: expect.stringMatching(/^invalid events batch: 2 reasons/) });
    expect(await outcome('malformed, then full of reasons (cap 2)')).toMatchObject({ kind: 'error', message: expect.stringMatching(/^the body is not valid JSON: events\.1: /) });
    expect(await outcome('full of reasons, then closed by a brace (cap 2)')).toMatchObject({ kind: 'error', message: expect.stringMatching(/^invalid events batch: 2 reasons/) });
    expect(await outcome('full of reasons, then another key (cap 2)')).toMatchObject({ kind: 'error', message: expect.stringMatching(/^invalid events batch: 2 reasons/) });
    expect(await cut(Buffer.from(BODIES['a duplicate events key'] as string), [])).toMatchObject({ kind: 'error', message: expect.stringMatching(/after the events array/) });
  });

  it('once the batch is full of reasons, parses none of the rest: malformed JSON after that point gets the reasons\' 400', async () => {
    const invalid = Array.from({ length: 200 }, () => JSON.stringify({ type: 'touch', event_id: 1 }));
    const text = `{"events":[${invalid.join(',')},{"this is": not json},${invalid.join(',')}]}`;
    const outcome = await cut(Buffer.from(text), []);
    expect(outcome).toMatchObject({ kind: 'error', status: 400, message: expect.stringMatching(/^invalid events batch: 100 reasons in \d+ of the first \d+ events/) });
    expect(outcome.kind === 'error' && outcome.message).toMatch(/, 3\d\d more events were not checked/); // 401 events in all, counted to the end
    // the same malformation before the cap is refused as malformed
    expect(await cut(Buffer.from(`{"events":[{"this is": not json},${invalid.join(',')}]}`), [])).toMatchObject({ kind: 'error', message: expect.stringMatching(/^the body is not valid JSON: events\.0: /) });
  });

  it('still counts the JSON limits from the first byte (413 over 10,000 events)', async () => {
    const text = `{"events":[${Array(10_001).fill('{}').join(',')}]}`;
    expect(await cut(Buffer.from(text), [100, 5000])).toMatchObject({ kind: 'error', status: 413, message: expect.stringMatching(/more than 10000 items/) });
  });
});

describe('reading the body', () => {
  const request = (headers: Record<string, string> = {}, bodyLimit = 16 * 1024 * 1024) => ({ headers, routeOptions: { bodyLimit } }) as unknown as FastifyRequest;
  const newCutter = () => new EventsBodyCutter(EVENTS_JSON_LIMITS, new EventBatchCheck({ now: NOW }, 100));

  it('gives the event loop back between pieces', async () => {
    const events = Array.from({ length: 5_000 }, (_, i) => TOUCH(i));
    const body = Buffer.from(JSON.stringify({ events }));
    const payload = new PassThrough();
    for (let at = 0; at < body.length; at += 16 * 1024) payload.write(body.subarray(at, at + 16 * 1024)); // all buffered before reading starts
    payload.end();
    let ticks = 0;
    let running = true;
    const ticker = (async () => { while (running) { await yieldToLoop(); ticks++; } })();
    const read = await readEventsBody(request({ 'content-length': String(body.length) }), payload, newCutter());
    running = false;
    await ticker;
    expect(read).toBeInstanceOf(StreamedEventsBatch);
    expect((read as StreamedEventsBatch).checked.valid).toHaveLength(5_000);
    expect(ticks).toBeGreaterThan(Math.floor(body.length / (16 * 1024)) - 2); // about one per piece
  });

  it('waits for the last piece to be cut and checked when the stream ends (even ended while paused)', async () => {
    const events = Array.from({ length: 2_000 }, (_, i) => JSON.stringify(TOUCH(i)));
    const bodies = [
      [`{"events":[${events.join(',')},{"type": }]}`, /^the body is not valid JSON: events\.2000: /],
      [`{"events":[${events.join(',')},${Array(300).fill('7').join(',')}]}`, /^invalid events batch: 100 reasons/],
    ] as const;
    for (const [text, expected] of bodies) {
      const body = Buffer.from(text);
      for (const pieces of [1, 3]) {
        const payload = new PassThrough();
        const size = Math.ceil(body.length / pieces);
        for (let at = 0; at < body.length; at += size) payload.write(body.subarray(at, at + size));
        payload.end(); // all buffered, and ended, before reading starts
        await expect(readEventsBody(request({ 'content-length': String(body.length) }), payload, newCutter()), `${pieces} piece(s)`).rejects.toMatchObject({ message: expect.stringMatching(expected) });
      }
    }
    const deep = new PassThrough();
    deep.end(Buffer.from(`{"events":[${'['.repeat(40)}${']'.repeat(40)}]}`));
    await expect(readEventsBody(request(), deep, newCutter())).rejects.toMatchObject({ statusCode: 413 });
  });

  it('holds to the body limit and the declared length as fastify does', async () => {
    const body = Buffer.from(JSON.stringify({ events: [TOUCH(1)] }));
    const over = new PassThrough();
    over.end(body);
    await expect(readEventsBody(request({}, 50), over, newCutter())).rejects.toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    await expect(readEventsBody(request({ 'content-length': '99999999' }, 1000), new PassThrough(), newCutter())).rejects.toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    const short = new PassThrough();
    short.end(body);
    await expect(readEventsBody(request({ 'content-length': String(body.length + 10) }), short, newCutter())).rejects.toMatchObject({ code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 });
    const broken = new PassThrough();
    broken.write(body.subarray(0, 10));
    setTimeout(() => broken.destroy(new Error('aborted')), 5);
    await expect(readEventsBody(request(), broken, newCutter())).rejects.toMatchObject({ message: 'aborted', statusCode: 400 });
  });
});

describe('POST /v1/events through the streamed reader', () => {
  const served = useEventsApp();
  const post = served.post;

  it('appends a valid batch and answers as before; malformed ones are 400 naming the event, nothing written', async () => {
    const ok = await post(JSON.stringify({ events: [TOUCH(9001), TOUCH(9002), { type: 'touch', event_id: 1 }] }));
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(ok.json().rejected.map((r: { index: number }) => r.index)).toEqual(expect.arrayContaining([2]));
    expect(ok.json().rejected.every((r: { index: number }) => r.index === 2)).toBe(true);
    const before = served.world.log.records.length;
    const bad = await post(`{"events":[${JSON.stringify(TOUCH(9003))},{"type":]}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', message: expect.stringMatching(/^the body is not valid JSON: events\.1: /), details: { issues: [{ path: 'events.1' }] } });
    const poisoned = await post(`{"events":[{"type":"touch","constructor":{"prototype":{"x":1}}}]}`);
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.json().message).toBe("events.0 uses the reserved key 'constructor.prototype' (refused to prevent prototype poisoning); rename or remove it");
    expect(served.world.log.records.length).toBe(before);
  });

  it('a throttled key gets its 429 before its body is read: an invalid batch is not validated', async () => {
    const config = loadConfig({ env: {}, overrides: { home: served.world.config.home, logLevel: 'silent', serving: { rateLimit: { max: 1, windowMs: 60_000 } } } });
    const throttled = await buildApp({ ...served.world.deps, config }, { poll: false });
    try {
      const send = (payload: string) => throttled.inject({ method: 'POST', url: '/v1/events', headers: { 'content-type': 'application/json', ...served.key }, payload });
      expect((await send(JSON.stringify({ events: [TOUCH(9100)] }))).statusCode).toBe(202);
      const second = await send(JSON.stringify({ events: Array.from({ length: 10_000 }, () => ({ type: 'touch', event_id: 1 })) }));
      expect(second.statusCode).toBe(429);
      expect(second.json().code).toBe('ALMANAC_ERR_RATE_LIMITED');
    } finally {
      await throttled.close();
    }
  });

  it('a body of another shape gets the schema\'s answer, as before', async () => {
    const other = await post(`{"other":1,"events":[${JSON.stringify(TOUCH(9004))}]}`);
    expect(other.statusCode).toBe(400);
    expect(other.json().message).toMatch(/^invalid events batch: /);
    const notArray = await post('{"events": "x"}');
    expect(notArray.statusCode).toBe(400);
    expect(notArray.json().details.issues[0].path).toBe('events');
  });
});
