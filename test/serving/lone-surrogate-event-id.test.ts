/**
 * Issue 12: an event id with a lone UTF-16 surrogate ("ev-\ud800-1") was accepted again after every
 * crash — stored as UTF-8 it became "ev-\uFFFD-1", so the id set rebuilt from the log never held
 * the id that was deduplicated against. Such ids (and attribute strings) are refused at the edge;
 * well-formed non-BMP ids stay stable across a restart.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEvent } from '../../core/domain/event.ts';
import { createEmbeddedEventLog } from '../../pipelines/event-log/embedded/embedded-event-log.ts';
import { EVENTS_TOPIC } from '../../pipelines/event-log/event-log.ts';
import { appendEvents, ensureEventsTopic } from '../../pipelines/ingest/ingest-events.ts';
import { buildApp } from '../../serving/app.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps } from './serving-fakes.ts';

const REASON = 'must be valid Unicode text: it contains a lone UTF-16 surrogate (e.g. \\ud800), which cannot be stored';
const clientEvent = (eventId: string) => JSON.parse(`{"type":"client","event_id":"${eventId}","client_id":"c1","ts":"2024-01-01T00:00:00Z","industry":"media"}`) as unknown;

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

describe('event ids with a lone surrogate', () => {
  it('parseEvent refuses a lone high or low surrogate in an id or attribute, naming the field', () => {
    expect(() => parseEvent(clientEvent('ev-\\ud800-1'))).toThrow(`invalid client event: event_id: ${REASON}`);
    expect(() => parseEvent(clientEvent('ev-\\udfff'))).toThrow('event_id: must be valid Unicode text');
    const campaign = JSON.parse('{"type":"campaign","event_id":"e","client_id":"c1","campaign_id":"k","ts":"2024-01-01T00:00:00Z","industry":"media","objective":"sales","channel":"email","budget":1,"start":"2024-01-01","end":"2024-02-01","attributes":{"offer":"x\\ud83d"}}') as unknown;
    expect(() => parseEvent(campaign)).toThrow(`attributes.offer: ${REASON}`);
    // a surrogate pair is one code point (U+1F600), valid Unicode
    expect(parseEvent(clientEvent('ev-\\ud83d\\ude00-1')).event_id).toBe('ev-😀-1');
  });

  it('POST /v1/events rejects it (202, rejected with the path) and a well-formed astral id stays a duplicate after a restart', async () => {
    const world = await fakeDeps();
    const log = createEmbeddedEventLog(world.config);
    await log.init();
    await ensureEventsTopic(log, world.config);
    app = await buildApp({ ...world.deps, eventLog: log, appendEvents }, { poll: false });
    const post = (eventId: string) => app!.inject({ method: 'POST', url: '/v1/events', headers: { ...bearer(world.keys.admin), 'content-type': 'application/json' }, payload: JSON.stringify({ events: [clientEvent(eventId)] }) });

    const lone = await post('ev-\\ud800-1');
    expect(lone.statusCode).toBe(202);
    expect(lone.json()).toEqual({ accepted: 0, duplicates: 0, rejected: [{ index: 0, path: 'events.0.event_id', reason: `${REASON}, got "ev-\\ud800-1"` }] }); // the received value, as JSON

    expect((await post('ev-\\ud83d\\ude00-1')).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    // a crash: the log is reopened by another instance without closing this one (no checkpoint), so
    // its id set is rebuilt from the stored records
    const reopened = createEmbeddedEventLog(world.config);
    await reopened.init();
    const again = await reopened.append(EVENTS_TOPIC, [{ id: '2:c1:ev-😀-1', key: 'c1', timestamp: Date.parse('2024-01-01'), value: '{}' }]);
    expect(again).toEqual([{ status: 'duplicate', id: '2:c1:ev-😀-1' }]);
    expect((await reopened.offsets(EVENTS_TOPIC)).reduce((n, p) => n + p.end, 0)).toBe(1);
    await reopened.close();
    await log.close();
  });
});
