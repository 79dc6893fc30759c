/**
 * Cheap hostile bodies cost little (issue 12): an all-invalid 10,000-event batch is refused after
 * the first N reasons (400, nothing written); a 6 MB `{"events":[{},{},…]}`, an over-long array or
 * deep nesting is refused by the JSON limits before JSON.parse (413); big batches give the event
 * loop back while they are validated.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { isAlmanacError } from '../../../core/errors.ts';
import { buildApp } from '../../../serving/app.ts';
import { DEFAULT_JSON_LIMITS, JsonLimitError, JsonLimitScanner } from '../../../serving/json-body.ts';
import { validateEvents } from '../../../serving/event-batch-check.ts';
import { TOUCH, useEventsApp } from './events-app.ts';

const served = useEventsApp();
const postEvents = served.post;

describe('an invalid 10,000-event batch', () => {
  it('answers 400 with the first 100 reasons, says how many events were not checked, and writes nothing', async () => {
    const before = served.world.log.records.length;
    const res = await postEvents(JSON.stringify({ events: Array.from({ length: 10_000 }, () => ({ type: 'touch', event_id: 1 })) }));
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('ALMANAC_ERR_INPUT_INVALID');
    expect(body.details.issues).toHaveLength(100);
    expect(body.details.issues[0]).toEqual({ path: expect.stringMatching(/^events\.0\./), reason: expect.any(String) });
    expect(body.details.unchecked_events).toBe(10_000 - body.details.checked_events);
    expect(body.details.unchecked_events).toBeGreaterThan(9_000);
    expect(body.message).toMatch(/^invalid events batch: 100 reasons in \d+ of the first \d+ events \(first: events\.0\..*validation stopped there, \d+ more events were not checked; nothing was written/);
    expect(served.world.log.records.length).toBe(before);
  });

  it('a batch with fewer reasons than the cap is still answered 202, the valid events appended', async () => {
    const events = [TOUCH(1), { type: 'touch', event_id: 1 }, TOUCH(2)];
    const res = await postEvents(JSON.stringify({ events }));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(res.json().rejected.every((r: { index: number }) => r.index === 1)).toBe(true);
  });

  it('the cap follows serving.limits.maxRejectReasons', async () => {
    const config = loadConfig({ env: {}, overrides: { home: served.world.config.home, logLevel: 'silent', serving: { limits: { maxRejectReasons: 3 } } } });
    const small = await buildApp({ ...served.world.deps, config }, { poll: false });
    try {
      const events = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? TOUCH(100 + i) : {}));
      const res = await small.inject({ method: 'POST', url: '/v1/events', headers: served.key, payload: { events } });
      expect(res.statusCode).toBe(400);
      expect(res.json().details.issues).toHaveLength(3);
      expect(res.json().details).toMatchObject({ invalid_events: 3, checked_events: 6, unchecked_events: 44 });
    } finally {
      await small.close();
    }
  });
});

describe('bodies over the JSON limits are refused before they are parsed', () => {
  it('a 6 MB {"events":[{},{},…]} answers 413 naming the per-array limit', async () => {
    const text = `{"events":[${Array(2_000_000).fill('{}').join(',')}]}`;
    expect(text.length).toBeGreaterThan(6_000_000);
    const res = await postEvents(text);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', message: 'the body has an array of more than 10000 items; this route accepts at most 10000 per array (send smaller batches)' });
  });

  it('10,001 events answer 413; 10,000 are parsed and validated', async () => {
    const many = (n: number) => JSON.stringify({ events: Array.from({ length: n }, () => ({ type: 'nope' })) });
    expect((await postEvents(many(10_001))).statusCode).toBe(413);
    expect((await postEvents(many(10_000))).statusCode).toBe(400); // validation, stopped at the cap
  });

  it('a predict body of 300,000 values (within its 1 MiB) answers 413 naming the value limit', async () => {
    const text = `{"touch":{"attributes":{"a":[${Array(300).fill(`[${Array(999).fill('0').join(',')}]`).join(',')}]}}}`;
    const res = await served.app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json', ...served.key }, payload: text });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toBe(`the body holds more than ${DEFAULT_JSON_LIMITS.maxValues} JSON values; this route accepts at most ${DEFAULT_JSON_LIMITS.maxValues} (send smaller batches)`);
  });

  it('nesting deeper than the limit answers 413', async () => {
    const text = `{"touch":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const res = await served.app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json', ...served.key }, payload: text });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/deeper than 32 levels/);
  });

  it('counts structure only outside strings (commas, brackets and escaped quotes inside strings are text)', async () => {
    const limits = { maxArrayItems: 2, maxValues: 100, maxDepth: 2 };
    const check = (text: string) => () => new JsonLimitScanner(limits).push(Buffer.from(text, 'utf8'));
    expect(check(JSON.stringify({ a: ['x,y,[[[{', 'q\\"],[,'] }))).not.toThrow();
    expect(check('{"a":[1,2,3]}')).toThrow(JsonLimitError);
    expect(check('{"a":[[[1]]]}')).toThrow(/deeper than 2/);
  });

  it('decides the same whichever pieces the body arrives in (a backslash or a multi-byte character split between two)', () => {
    const limits = { maxArrayItems: 4, maxValues: 40, maxDepth: 3 };
    const bodies = [
      JSON.stringify({ a: ['x\\', 'q\\"],[,,,,', 'é,ü,[[', '\u00e9'], b: [1, 2, 3] }), // passes
      JSON.stringify({ a: ['\\"', 1, 2, 3, 4] }), // 5 items
      JSON.stringify({ a: [[['\\' + '"' + ']]]']]] }), // depth 3 holds; the quote is text
      JSON.stringify({ a: [[[[1]]]] }), // depth 4
      `{"s":"${'\\'.repeat(7)}\\"","a":[1,2,3,4,5]}`,
    ];
    const whole = (b: Buffer) => { try { new JsonLimitScanner(limits).push(b); return 'ok'; } catch (e) { return (e as Error).message; } };
    for (const text of bodies) {
      const bytes = Buffer.from(text, 'utf8');
      const expected = whole(bytes);
      for (let cut = 0; cut <= bytes.length; cut++) {
        for (const second of [cut, Math.min(bytes.length, cut + 1), Math.min(bytes.length, cut + 3)]) {
          const scanner = new JsonLimitScanner(limits);
          let got = 'ok';
          try {
            scanner.push(bytes.subarray(0, cut));
            scanner.push(bytes.subarray(cut, second));
            scanner.push(bytes.subarray(second));
          } catch (e) { got = (e as Error).message; }
          expect(got, `${text} cut at ${cut}, ${second}`).toBe(expected);
        }
      }
    }
    expect(bodies.map((b) => whole(Buffer.from(b))).filter((r) => r === 'ok')).toHaveLength(2);
  });
});

describe('a body over its JSON limits, on a real socket', () => {
  it('is answered 413 as soon as its first part is over them, before the rest is sent', async () => {
    const url = await served.app.listen({ host: '127.0.0.1', port: 0 });
    const { request } = await import('node:http');
    const head = Buffer.from('{"events":[' + '{},'.repeat(20_000)); // 60 KB, over the 10,000-item limit
    const declared = 6 * 1024 * 1024;
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': declared, ...served.key } }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => { body += d.toString(); });
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(head); // and nothing more: the answer must come without the other 5.9 MB
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).message).toMatch(/more than 10000 items/);
  });
});

describe('validation of a big batch', () => {
  it('gives the event loop back while it runs', async () => {
    let ticks = 0;
    let running = true;
    const ticker = (async () => { while (running) { await yieldToLoop(); ticks++; } })();
    const events = Array.from({ length: 10_000 }, (_, i) => TOUCH(i));
    const { valid } = await validateEvents(events, { now: Date.now() }, 100);
    running = false;
    await ticker;
    expect(valid).toHaveLength(10_000);
    expect(ticks).toBeGreaterThan(1);
  });

  it('counts every reason of an event towards the cap and throws the 400 error', async () => {
    const events = [{ type: 'touch', event_id: 1, client_id: 2, campaign_id: 3, ts: 'x', audience: 5 }];
    const e = await validateEvents(events, { now: Date.now() }, 2).then(() => undefined, (err: unknown) => err);
    expect(isAlmanacError(e) && e.details).toMatchObject({ issues: [{ path: 'events.0.event_id' }, expect.anything()], invalid_events: 1, checked_events: 1, unchecked_events: 0 });
  });
});
